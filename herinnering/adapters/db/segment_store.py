"""SQL for customer profiles (klantprofielen, Gereedschapskist 1.11) as the planner and the
pre-debit opt-out read them: a tenant's latest segment, and who opted out of pre-debit reminders.

The `*_sql` functions return expressions correlated on `tenants`, for the planner's one query."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, exists, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, arrears_cases
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import messages, tenants
from herinnering.adapters.db.tenant_tables import pre_debit_opt_outs, tenant_segments


def latest_segment_sql() -> Any:
    """The tenant's segment on its latest computed day (NULL when never computed); correlated on `tenants`."""
    return (
        select(tenant_segments.c.segment).where(tenant_segments.c.tenant_id == tenants.c.id)
        .order_by(tenant_segments.c.day.desc()).limit(1).correlate(tenants).scalar_subquery()
    )


def wants_pre_debit_sql(opt_out_segments: Collection[int]) -> Any:
    """False for a tenant who opted out while in a segment that allows it; True for everyone else."""
    allowed = sorted(opt_out_segments)
    if not allowed:
        return true()
    opted = exists().where(pre_debit_opt_outs.c.tenant_id == tenants.c.id)
    return not_(and_(opted, func.coalesce(latest_segment_sql(), -1).in_(allowed)))


def in_segments_sql(segments: Sequence[int]) -> Any:
    return or_(*(latest_segment_sql() == s for s in segments))


async def latest_segment_of(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """(segment, external_id) of one tenant; None when the tenant does not exist."""
    return (await connection.execute(select(latest_segment_sql().label("segment"), tenants.c.external_id)
                                     .where(tenants.c.id == tenant_id))).first()


async def add_pre_debit_opt_out(connection: AsyncConnection, tenant_id: int, source: str, now: datetime) -> None:
    await connection.execute(dialect_insert(connection, pre_debit_opt_outs).values(
        tenant_id=tenant_id, source=source, created_at=now).on_conflict_do_nothing(index_elements=["tenant_id"]))


async def remove_pre_debit_opt_out(connection: AsyncConnection, tenant_id: int) -> None:
    await connection.execute(pre_debit_opt_outs.delete().where(pre_debit_opt_outs.c.tenant_id == tenant_id))


async def sent_counts(connection: AsyncConnection, kinds: Iterable[str], start: datetime, end: datetime) -> dict[int, int]:
    """Messages of these kinds sent in [start, end), per tenant."""
    rows = await connection.execute(
        select(messages.c.tenant_id, func.count().label("n")).where(
            messages.c.kind.in_(list(kinds)), messages.c.sent_at >= start, messages.c.sent_at < end)
        .group_by(messages.c.tenant_id))
    return {row.tenant_id: int(row.n) for row in rows}


async def tenants_with_open_case(connection: AsyncConnection) -> set[int]:
    return set((await connection.execute(select(arrears_cases.c.tenant_id).where(
        arrears_cases.c.state == "open"))).scalars())


async def tenants_in_arrangement(connection: AsyncConnection) -> set[int]:
    return set((await connection.execute(select(arrangements.c.tenant_id).where(
        arrangements.c.state == "active"))).scalars())


async def active_tenants(connection: AsyncConnection) -> list[Row[Any]]:
    """(id, created_at) of every active tenant."""
    return list((await connection.execute(select(tenants.c.id, tenants.c.created_at).where(
        tenants.c.active.is_(True)))).fetchall())


async def segments_before(connection: AsyncConnection, day: date) -> dict[int, int]:
    """Each tenant's segment on the latest day before `day`."""
    rows = await connection.execute(
        select(tenant_segments.c.tenant_id, tenant_segments.c.segment).where(tenant_segments.c.day < day)
        .order_by(tenant_segments.c.day))
    return {row.tenant_id: row.segment for row in rows}  # in day order: the latest earlier day wins


async def replace_day(connection: AsyncConnection, day: date, rows: Sequence[dict[str, Any]]) -> None:
    """The day's snapshot becomes `rows` (tenant_id, segment, reason): a second run replaces the first."""
    await connection.execute(tenant_segments.delete().where(tenant_segments.c.day == day))
    if rows:
        await connection.execute(dialect_insert(connection, tenant_segments), [{**row, "day": day} for row in rows])


async def counts_per_day(connection: AsyncConnection, since: date) -> list[Row[date, int, int]]:
    """(day, segment, count) from `since`, by day."""
    return list((await connection.execute(
        select(tenant_segments.c.day, tenant_segments.c.segment, func.count())
        .where(tenant_segments.c.day >= since)
        .group_by(tenant_segments.c.day, tenant_segments.c.segment).order_by(tenant_segments.c.day))).all())


async def latest_of(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """The tenant's segment row on its latest computed day."""
    return (await connection.execute(select(tenant_segments).where(tenant_segments.c.tenant_id == tenant_id)
                                     .order_by(tenant_segments.c.day.desc()).limit(1))).first()
