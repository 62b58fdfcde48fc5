"""SQL for re-collections after a returned debit: one row per tenant, month and attempt
(unique), scheduled → exported (in a pain.008) or returned or cancelled; and the tenant-wide
stop after MD07 (debtor deceased)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import ladder_steps
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import events, tenants
from herinnering.adapters.db.tenant_centred_tables import dialogs, recollections


async def of_month(connection: AsyncConnection, tenant_id: int, period: str) -> list[Row[Any]]:
    """The month's re-collections that were not cancelled, by attempt."""
    return list((await connection.execute(
        select(recollections).where(recollections.c.tenant_id == tenant_id, recollections.c.period == period,
                                    recollections.c.state != "cancelled")
        .order_by(recollections.c.attempt))).fetchall())


async def set_state(connection: AsyncConnection, recollection_id: int, state: str, now: datetime,
                    **values: Any) -> None:
    await connection.execute(update(recollections).where(recollections.c.id == recollection_id)
                             .values(state=state, updated_at=now, **values))


async def schedule(connection: AsyncConnection, **values: Any) -> None:
    """A new scheduled re-collection (nothing when this attempt exists already)."""
    await connection.execute(dialect_insert(connection, recollections).values(**values)
                             .on_conflict_do_nothing(index_elements=["tenant_id", "period", "attempt"]))


async def record_first_step(connection: AsyncConnection, case_id: int, step: str, message_id: int, today: date,
                            now: datetime) -> None:
    """The return's message counts as the case's first ladder message (nothing when the step was taken)."""
    await connection.execute(dialect_insert(connection, ladder_steps).values(
        case_id=case_id, step=step, done_on=today, attempt=1, message_id=message_id, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["case_id", "step"]))


async def deactivate(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    await connection.execute(update(tenants).where(tenants.c.id == tenant_id).values(active=False, updated_at=now))


async def cancel_scheduled(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    """The tenant's scheduled re-collections and any open dialog end."""
    await connection.execute(update(recollections).where(
        recollections.c.tenant_id == tenant_id, recollections.c.state == "scheduled").values(
        state="cancelled", updated_at=now))
    await connection.execute(dialogs.delete().where(dialogs.c.tenant_id == tenant_id))


async def events_of(connection: AsyncConnection, tenant_id: int, kind: str) -> list[Row[Any]]:
    """(data, occurred_at) of the tenant's events of this type, in order."""
    return list((await connection.execute(select(events.c.data, events.c.occurred_at).where(
        events.c.tenant_id == tenant_id, events.c.type == kind).order_by(events.c.id))).fetchall())


async def due_on(connection: AsyncConnection, collect_on: date) -> list[Row[Any]]:
    """Scheduled re-collections of that day with the tenant's name, IBAN, mandate and payment method."""
    return list((await connection.execute(
        select(recollections, tenants.c.external_id, tenants.c.name, tenants.c.iban, tenants.c.active,
               tenants.c.payment_method, tenants.c.mandate_id, tenants.c.mandate_signed_on)
        .join(tenants, tenants.c.id == recollections.c.tenant_id)
        .where(recollections.c.state == "scheduled", recollections.c.collect_on == collect_on)
        .order_by(recollections.c.id)
    )).fetchall())
