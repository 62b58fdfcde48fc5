"""Use case: read one tenant's record for a connector (`GET /api/tenants/{contract_id}`).

The record is what the import holds (contact, address, lease, payment method, mandate) plus
what herinnering itself decided (active, opted out, paused until); the shape is the same as
the import's columns, so an ERP can compare what it sent with what is stored. Each read is in
the audit log under the API token's name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from herinnering.adapters.db import tenant_store, user_store
from herinnering.runtime import Runtime

FIELDS = (  # response field -> stored column
    ("contract_id", "external_id"), ("name", "name"), ("phone", "phone"), ("channel", "channel"),
    ("language", "language"), ("monthly_rent_cents", "monthly_rent_cents"), ("collection_day", "collection_day"),
    ("iban", "iban"), ("street", "street"), ("house_number", "house_number"),
    ("house_number_addition", "house_number_addition"), ("address", "address"), ("postal_code", "postal_code"),
    ("city", "city"), ("municipality", "municipality"), ("email", "email"), ("lease_start", "lease_start"),
    ("lease_end", "contract_ended_on"), ("payment_method", "payment_method"), ("mandate_id", "mandate_id"),
    ("mandate_date", "mandate_signed_on"), ("pre_notification_days", "pre_notification_days"),
    ("active", "active"), ("opted_out", "opted_out"), ("paused_until", "paused_until"),
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


async def record(runtime: Runtime, contract_id: str, caller: str) -> dict[str, Any] | None:
    """The tenant's record as JSON-ready values, or None when no tenant has that contract id."""
    async with runtime.db.begin() as connection:
        row = await tenant_store.by_external_id(connection, contract_id)
        if row is None:
            return None
        await user_store.audit(connection, user_id=None, user_email=f"api:{caller}"[:200], action="api_read_tenant",
                               now=runtime.clock.now(), tenant_id=row.id)
    return {name: _plain(getattr(row, column)) for name, column in FIELDS}
