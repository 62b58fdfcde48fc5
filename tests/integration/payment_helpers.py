"""Helpers for the payment tests: sample files, the tenants they name, a recorder of the
changes handed to the collection ladder, and row counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.link_tables import payment_links
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.domain.payments.payments import PaymentChange
from herinnering.resources import config_dir
from herinnering.services.payments import payment_changes
from herinnering.services.payments.payment_changes import Subscriber

SAMPLES = config_dir() / "samples"

# contract id -> monthly rent in cents, as in config/sample-tenants.csv
SAMPLE_TENANTS = {"HC-100101": 65636, "HC-100108": 48632, "HC-100115": 55695, "HC-100122": 69227,
                  "HC-100129": 68560, "HC-100136": 87100, "HC-100143": 57500, "HC-100150": 93776,
                  "HC-100157": 60510}


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


async def sample_tenants(make_tenant: Any) -> dict[str, Any]:
    return {cid: await make_tenant(external_id=cid, monthly_rent_cents=rent) for cid, rent in SAMPLE_TENANTS.items()}


class ChangeRecorder:
    """Subscribes to published payment changes beside the real subscribers and keeps each one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.changes: list[PaymentChange] = []
        real = payment_changes.subscribers()

        async def recording(connection: Any, settings: Any, change: PaymentChange) -> None:
            self.changes.append(change)

        monkeypatch.setattr(payment_changes, "subscribers", lambda: (*real, Subscriber(recording)))

    def of(self, tenant_id: int) -> list[PaymentChange]:
        return [c for c in self.changes if c.tenant_id == tenant_id]


async def counts(db: Database) -> tuple[int, int, int]:
    """(payment transactions, payment periods, payment links) stored."""
    async with db.begin() as connection:
        return tuple([  # type: ignore[return-value]
            (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in (payment_transactions, payment_periods, payment_links)
        ])


__all__ = ["SAMPLES", "ChangeRecorder", "Path", "counts", "sample", "sample_tenants"]


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> ChangeRecorder:
    """Every PaymentChange published, in order (the real subscribers still run)."""
    return ChangeRecorder(monkeypatch)


async def status(db: Database, tenant: Any, period: str) -> Any:
    """The payment state of one tenant and period."""
    from herinnering.services.payments.balance import period_status

    async with db.begin() as connection:
        return await period_status(connection, tenant.id, period)
