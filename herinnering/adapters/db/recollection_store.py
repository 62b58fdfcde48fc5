"""Queries of the re-collections (herincasso) and their pain.008 files: the scheduled ones with
what the file needs of each tenant, moving one to exported or cancelled only while it is still
scheduled (one statement each, so two exports at once never put a re-collection in two files),
and the files as made and handed to the bank. The returned-debit step (`services.payments.returns`)
schedules them one month at a time."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import messages, tenants
from herinnering.adapters.db.tenant_tables import recollection_batches, recollections


async def scheduled(connection: AsyncConnection, collect_on: date | None = None) -> list[Row[Any]]:
    """Scheduled re-collections (of one day, or all), with the tenant's fields the file needs and
    the state of the pre-notification message."""
    statement = (
        select(recollections, tenants.c.external_id, tenants.c.name, tenants.c.iban, tenants.c.active,
               tenants.c.payment_method, tenants.c.mandate_id, tenants.c.mandate_signed_on,
               messages.c.state.label("notice_state"))
        .join(tenants, tenants.c.id == recollections.c.tenant_id)
        .outerjoin(messages, messages.c.id == recollections.c.notice_message_id)
        .where(recollections.c.state == "scheduled")
        .order_by(recollections.c.collect_on, recollections.c.id))
    if collect_on is not None:
        statement = statement.where(recollections.c.collect_on == collect_on)
    return list((await connection.execute(statement)).fetchall())


async def mark_exported(connection: AsyncConnection, recollection_id: int, amount_cents: int, now: datetime) -> bool:
    """Scheduled → exported; False when another export took it first."""
    result = await connection.execute(update(recollections).where(
        recollections.c.id == recollection_id, recollections.c.state == "scheduled").values(
        state="exported", exported_at=now, amount_cents=amount_cents, updated_at=now))
    return result.rowcount == 1


async def mark_cancelled(connection: AsyncConnection, recollection_id: int, now: datetime) -> bool:
    result = await connection.execute(update(recollections).where(
        recollections.c.id == recollection_id, recollections.c.state == "scheduled").values(
        state="cancelled", updated_at=now))
    return result.rowcount == 1


async def add_batch(connection: AsyncConnection, *, collect_on: date, end_to_end_ids: list[str], total_cents: int,
                    xml: bytes, by: str, now: datetime) -> int:
    return int((await connection.execute(recollection_batches.insert().values(
        collect_on=collect_on, state="made", payment_count=len(end_to_end_ids), total_cents=total_cents,
        end_to_end_ids=",".join(end_to_end_ids), xml=xml, xml_sha256=hashlib.sha256(xml).hexdigest(),
        created_by=by[:64], created_at=now,
    ).returning(recollection_batches.c.id))).scalar_one())


async def batch(connection: AsyncConnection, batch_id: int) -> Row[Any] | None:
    return (await connection.execute(select(recollection_batches).where(recollection_batches.c.id == batch_id))).first()


async def batches(connection: AsyncConnection, limit: int = 20) -> list[Row[Any]]:
    """The latest files, newest first (without their bytes)."""
    columns = [c for c in recollection_batches.c if c.name != "xml"]
    return list((await connection.execute(select(*columns).order_by(recollection_batches.c.id.desc())
                                          .limit(limit))).fetchall())


async def mark_handed(connection: AsyncConnection, batch_id: int, by: str, now: datetime) -> bool:
    """made → handed; False when it was handed already (by someone else a moment ago)."""
    result = await connection.execute(update(recollection_batches).where(
        recollection_batches.c.id == batch_id, recollection_batches.c.state == "made").values(
        state="handed", handed_by=by[:64], handed_at=now))
    return result.rowcount == 1


async def coming_of_tenant(connection: AsyncConnection, tenant_id: int, today: date) -> list[Row[Any]]:
    """The tenant's re-collections still to be collected (scheduled, or in a file: `exported`),
    with the tenant's fields `scheduled` gives, earliest day first."""
    return list((await connection.execute(
        select(recollections, tenants.c.external_id, tenants.c.name, tenants.c.iban, tenants.c.active,
               tenants.c.payment_method, tenants.c.mandate_id, tenants.c.mandate_signed_on)
        .join(tenants, tenants.c.id == recollections.c.tenant_id)
        .where(recollections.c.tenant_id == tenant_id, recollections.c.state.in_(["scheduled", "exported"]),
               recollections.c.collect_on >= today)
        .order_by(recollections.c.collect_on, recollections.c.id))).fetchall())


async def of_month(connection: AsyncConnection, tenant_id: int, period: str) -> list[Row[Any]]:
    """The month's re-collections not cancelled, by attempt (how many came before a new return)."""
    return list((await connection.execute(select(recollections).where(
        recollections.c.tenant_id == tenant_id, recollections.c.period == period, recollections.c.state != "cancelled",
    ).order_by(recollections.c.attempt))).fetchall())


async def mark_returned(connection: AsyncConnection, recollection_id: int, now: datetime) -> None:
    """The re-collection itself came back returned."""
    await connection.execute(update(recollections).where(recollections.c.id == recollection_id)
                             .values(state="returned", updated_at=now))


async def add(connection: AsyncConnection, values: dict[str, Any]) -> None:
    """Schedule a re-collection, once per tenant, month and attempt."""
    await connection.execute(dialect_insert(connection, recollections).values(**values).on_conflict_do_nothing(
        index_elements=["tenant_id", "period", "attempt"]))


async def cancel_scheduled(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    """Every scheduled re-collection of the tenant is cancelled (MD07: the debtor died)."""
    await connection.execute(update(recollections).where(
        recollections.c.tenant_id == tenant_id, recollections.c.state == "scheduled").values(
        state="cancelled", updated_at=now))
