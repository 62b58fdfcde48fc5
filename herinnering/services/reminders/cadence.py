"""Segments steer the pre-debit cadence (issue 10, `[segments.cadence]`): which segments the
planner's statements (adapters/db/planning_store.py) leave out or give an extra earlier
reminder, and the tenant's own opt-out.

A tenant's segment is the latest stored snapshot (`tenant_segments`, computed daily); a tenant
without one has no segment and keeps today's single reminder.
"""

from __future__ import annotations

from datetime import datetime

from herinnering.adapters.db import AsyncConnection, segment_store
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.errors import OptOutRefused


def opt_out_segments(settings: Settings) -> frozenset[int]:
    """The segments whose tenants may opt out of the pre-debit reminder: the planner skips those who did."""
    return settings.segments.opt_out_segments


def extra_reminders(settings: Settings) -> dict[int, list[int]]:
    """Extra lead days → the segments that get an extra earlier reminder that many days sooner."""
    found: dict[int, list[int]] = {}
    for segment, days in sorted(settings.segments.extra_lead_days.items()):
        found.setdefault(days, []).append(segment)
    return found


async def set_pre_debit_opt_out(
    connection: AsyncConnection, settings: Settings, tenant_id: int, *, on: bool, source: str, now: datetime,
) -> None:
    """The tenant's own choice (a keyword, or an officer on their request); recorded as an event.
    Turning it off is refused unless the tenant's current segment allows it."""
    if on:
        found = await segment_store.latest_segment_of(connection, tenant_id)
        segment = found.segment if found else None
        if segment is None or int(segment) not in settings.segments.opt_out_segments:
            allowed = ", ".join(str(s) for s in sorted(settings.segments.opt_out_segments)) or "none"
            who = found.external_id if found else tenant_id
            raise OptOutRefused(f"tenant {who} is in segment {segment}; an opt-out of pre-debit reminders "
                                f"is allowed only in segment(s) {allowed} ([segments.cadence])")
        await segment_store.add_pre_debit_opt_out(connection, tenant_id, source, now)
    else:
        await segment_store.remove_pre_debit_opt_out(connection, tenant_id)
    await event_log.append(connection, [event_log.event(
        tenant_id, "pre_debit_opt_out" if on else "pre_debit_opt_in", now, source=source)])
