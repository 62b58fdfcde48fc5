"""SQL for customer profiles (klantprofielen, Gereedschapskist 1.11) as the planner and the
pre-debit opt-out read them: a tenant's latest segment, and who opted out of pre-debit reminders.

The `*_sql` functions return expressions correlated on `tenants`, for the planner's one query."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, exists, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_centred_tables import pre_debit_opt_outs, tenant_segments


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
