"""A tenant's balance month by month (`payment_periods`): as other areas read it — one month
as a `PaymentChange`, every month, what is still owed — and the one-month lock and move that
recording a transaction (`payments.py`) and matching one by hand (`unmatched.py`) share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, payment_store
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.payments.state import PeriodState


def _change(row: Row[Any]) -> PaymentChange:
    return PaymentChange(
        tenant_id=row.tenant_id, period=row.period, status=PaymentStatus(row.status),
        amount_due_cents=row.amount_due_cents, amount_paid_cents=row.amount_paid_cents,
        reason_code=row.reason_code, source=row.source, occurred_at=row.updated_at,
    )


async def period_status(connection: AsyncConnection, tenant_id: int, period: str) -> PaymentChange | None:
    """The state of one tenant's month as a `PaymentChange` (its last change), or None if nothing is known."""
    row = await payment_store.period_row(connection, tenant_id, period)
    return _change(row) if row else None


async def periods(connection: AsyncConnection, tenant_id: int) -> list[PaymentChange]:
    return [_change(row) for row in await payment_store.tenant_periods(connection, tenant_id)]


outstanding = payment_store.outstanding  # what the tenant still owes over all known months, in cents


async def locked_state(
    connection: AsyncConnection, tenant_id: int, period: str, now: datetime
) -> tuple[PeriodState, int]:
    """The period's state, created as `expected` (the monthly rent due) on first touch; row-locked."""
    row = await payment_store.locked_period(connection, tenant_id, period, now)
    state = PeriodState(row.amount_due_cents, row.amount_paid_cents, PaymentStatus(row.status), row.reason_code)
    return state, row.id


async def move(connection: AsyncConnection, row_id: int, new: PeriodState, source: str, now: datetime) -> None:
    await payment_store.move_period(connection, row_id, amount_due_cents=new.amount_due_cents,
                                    amount_paid_cents=new.amount_paid_cents, status=new.status,
                                    reason_code=new.reason_code, source=source, now=now)
