"""Use case: compute every tenant's segment for one day (klantprofielen) and keep it.

The facts come from our own tables: when the tenant was first known (`tenants.created_at`;
the ERP export has no contract start), the payment reminders sent in the 12 months before the
day (ladder and return messages that went out), an open arrears case, an active payment
arrangement. `domain.segments.assign` decides; the day's snapshot is stored per tenant (a
second run the same day replaces it), and a tenant whose segment moved up gets an event.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from herinnering.adapters.db import AsyncConnection, segment_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.engine import Database
from herinnering.config import Settings
from herinnering.domain.tenants.segments import Assigned, Facts, Segment, assign
from herinnering.errors import HerinneringError
from herinnering.services.payments.cases import message_kinds

REMINDER_KINDS_EXTRA = ("return_recollect", "return_objection", "instalment_reminder")


def reminder_kinds(settings: Settings) -> list[str]:
    return sorted(set(message_kinds(settings)) | set(REMINDER_KINDS_EXTRA))


async def facts_of(connection: AsyncConnection, settings: Settings, today: date) -> dict[int, Facts]:
    start = datetime.combine(today - timedelta(days=365), time(), tzinfo=UTC)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    reminders = await segment_store.sent_counts(connection, reminder_kinds(settings), start, end)
    late = await segment_store.tenants_with_open_case(connection)
    planned = await segment_store.tenants_in_arrangement(connection)
    rows = await segment_store.active_tenants(connection)
    zone = settings.reminders.timezone
    return {row.id: Facts(since=row.created_at.astimezone(zone).date(), reminders_12m=int(reminders.get(row.id, 0)),
                          late_now=row.id in late, in_arrangement=row.id in planned) for row in rows}


async def compute(db: Database, settings: Settings, today: date, now: datetime) -> dict[int, Assigned]:
    """Assign and store today's segments; returns tenant id → segment with reason."""
    async with db.begin() as connection:
        facts = await facts_of(connection, settings, today)
        found = {tenant_id: assign(f, today) for tenant_id, f in facts.items()}
        before = await segment_store.segments_before(connection, today)
        await segment_store.replace_day(connection, today, [
            {"tenant_id": t, "segment": int(a.segment), "reason": a.reason[:200]} for t, a in found.items()])
        moved = [event_log.event(t, "segment_moved_up", now, segment=int(a.segment), previous=before[t],
                                 reason=a.reason)
                 for t, a in found.items() if t in before and int(a.segment) > before[t]
                 and a.segment is not Segment.NEW]
        await event_log.append(connection, moved)
    return found


async def counts_over_time(connection: AsyncConnection, since: date) -> dict[date, Counter[int]]:
    rows = await segment_store.counts_per_day(connection, since)
    found: dict[date, Counter[int]] = {}
    for day, segment, n in rows:
        found.setdefault(day, Counter())[int(segment)] = int(n)
    return found


async def segment_of(connection: AsyncConnection, tenant_id: int) -> Any:
    return await segment_store.latest_of(connection, tenant_id)


async def segments_job(runtime: Any) -> None:
    """The scheduler's daily trigger (05:30 in `serve`): a second run the same day replaces the snapshot."""
    now = runtime.clock.now()
    try:
        found = await compute(runtime.db, runtime.settings, now.astimezone(runtime.settings.reminders.timezone).date(),
                              now)
    except HerinneringError as exc:
        logging.getLogger(__name__).error("segments not computed: %s", exc)
        return
    logging.getLogger(__name__).info("segments computed for %d tenants", len(found))
