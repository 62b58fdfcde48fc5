"""Helpers for the collection tests: a missed payment as the payments area reports it, the
ladder run one day at a time, and rows read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.collection_tables import arrears_cases
from herinnering.adapters.db.tables import messages, tasks
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.payment_changes import publish_payment
from herinnering.services.reminders.dispatch import Dispatcher

PERIOD = "2026-12"
RETURNED_ON = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # Wednesday 2 December: day 0


def change(tenant: Any, status: PaymentStatus, paid: int = 0, at: datetime = RETURNED_ON,
           reason: str | None = "AM04", period: str = PERIOD) -> PaymentChange:
    return PaymentChange(tenant_id=tenant.id, period=period, status=status, amount_due_cents=tenant.monthly_rent_cents,
                         amount_paid_cents=paid, reason_code=reason, source="camt", occurred_at=at)


async def report(runtime: Any, payment: PaymentChange) -> None:
    """What the payments area does: store the change, and in the same transaction publish it."""
    async with runtime.db.begin() as connection:
        await publish_payment(connection, runtime.settings, payment)


def morning(day: date, hour_utc: int = 9) -> datetime:
    """10:00 in Amsterdam in winter: the send window has just opened."""
    return datetime(day.year, day.month, day.day, hour_utc, 0, tzinfo=UTC)


async def run_day(runtime: Any, day: date, *, dispatch: bool = True) -> tuple[Any, Any]:
    """One day of `serve`: the ladder tick in the morning, then the dispatcher."""
    from tests.integration.helpers import wait_for_states

    runtime.clock.set(morning(day))
    ladder = await ladder_tick(runtime)
    sent = await Dispatcher(runtime, "w1").run_until_idle() if dispatch else None
    if dispatch:  # delivery reports come back over HTTP: the day ends when they are in (debt help counts once delivered)
        await wait_for_states(runtime.db, {"planned", "delivered", "failed", "cancelled"}, timeout=2.0)
    return ladder, sent


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


async def rows(runtime: Any, table: Any, *conditions: Any) -> list[Any]:
    async with runtime.db.begin() as connection:
        return list((await connection.execute(select(table).where(*conditions).order_by(table.c.id))).fetchall())


async def ladder_messages(runtime: Any) -> list[Any]:
    return await rows(runtime, messages, messages.c.kind != "pre_debit")


async def cases(runtime: Any) -> list[Any]:
    return await rows(runtime, arrears_cases)


async def open_tasks(runtime: Any) -> list[Any]:
    return await rows(runtime, tasks, tasks.c.state == "open")


async def posted_letter(runtime: Any, tenant: Any, kind: str, by: str = "officer@delinde") -> Any:
    """Generate a letter from the tenant's case, put it in a post batch and mark that posted today."""
    from herinnering.clock import local_day
    from herinnering.services.legal.letters import generate, make_post_batch, mark_batch_posted

    made = await generate(runtime, tenant, kind, by=by)
    batch = await make_post_batch(runtime, by=by)
    await mark_batch_posted(runtime, batch.batch_id, local_day(runtime.clock.now(), runtime.settings), by=by)
    return made
