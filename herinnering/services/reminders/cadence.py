"""Segments steer the pre-debit cadence (issue 10, `[segments.cadence]`): SQL pieces the planner
adds to its set-based statements, and the tenant's own opt-out.

A tenant's segment is the latest stored snapshot (`tenant_segments`, computed daily); a tenant
without one has no segment and keeps today's single reminder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_tables import pre_debit_opt_outs, tenant_segments
from herinnering.config import Settings
from herinnering.errors import OptOutRefused


def latest_segment_sql() -> Any:
    """The tenant's segment on its latest computed day (NULL when never computed); correlated on `tenants`."""
    return (
        select(tenant_segments.c.segment).where(tenant_segments.c.tenant_id == tenants.c.id)
        .order_by(tenant_segments.c.day.desc()).limit(1).correlate(tenants).scalar_subquery()
    )


def wants_pre_debit_sql(settings: Settings) -> Any:
    """False for a tenant who opted out while in a segment that allows it; True for everyone else."""
    allowed = sorted(settings.segments.opt_out_segments)
    if not allowed:
        return true()
    opted = exists().where(pre_debit_opt_outs.c.tenant_id == tenants.c.id)
    return not_(and_(opted, func.coalesce(latest_segment_sql(), -1).in_(allowed)))


def extra_reminders(settings: Settings) -> dict[int, list[int]]:
    """Extra lead days → the segments that get an extra earlier reminder that many days sooner."""
    found: dict[int, list[int]] = {}
    for segment, days in sorted(settings.segments.extra_lead_days.items()):
        found.setdefault(days, []).append(segment)
    return found


def in_segments_sql(segments: list[int]) -> Any:
    return or_(*(latest_segment_sql() == s for s in segments))


async def set_pre_debit_opt_out(
    connection: AsyncConnection, settings: Settings, tenant_id: int, *, on: bool, source: str, now: datetime,
) -> None:
    """The tenant's own choice (a keyword, or an officer on their request); recorded as an event.
    Turning it off is refused unless the tenant's current segment allows it."""
    if on:
        found = (await connection.execute(select(latest_segment_sql().label("segment"), tenants.c.external_id)
                                          .where(tenants.c.id == tenant_id))).first()
        segment = found.segment if found else None
        if segment is None or int(segment) not in settings.segments.opt_out_segments:
            allowed = ", ".join(str(s) for s in sorted(settings.segments.opt_out_segments)) or "none"
            who = found.external_id if found else tenant_id
            raise OptOutRefused(f"tenant {who} is in segment {segment}; an opt-out of pre-debit reminders "
                                f"is allowed only in segment(s) {allowed} ([segments.cadence])")
        await connection.execute(dialect_insert(connection, pre_debit_opt_outs).values(
            tenant_id=tenant_id, source=source, created_at=now).on_conflict_do_nothing(index_elements=["tenant_id"]))
    else:
        await connection.execute(pre_debit_opt_outs.delete().where(pre_debit_opt_outs.c.tenant_id == tenant_id))
    await event_log.append(connection, [event_log.event(
        tenant_id, "pre_debit_opt_out" if on else "pre_debit_opt_in", now, source=source)])
