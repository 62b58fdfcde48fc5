"""Segments from 12 months of history on SQLite and PostgreSQL match the hand-computed ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from herinnering.adapters.db import outbox
from herinnering.adapters.db.collection_tables import arrears_cases
from herinnering.adapters.db.tables import events
from herinnering.domain.tenants.segments import Segment
from herinnering.services.tenants.segments import compute, counts_over_time
from tests.integration.tenant_centred_helpers import rows

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def sent_reminders(runtime: Any, tenant: Any, months_ago: list[int]) -> None:
    """Ladder messages that went out that many months before TODAY."""
    rows_ = []
    for n, months in enumerate(months_ago):
        at = NOW - timedelta(days=30 * months + 1)
        rows_.append({"tenant_id": tenant.id, "kind": "payment_link", "period": f"{at:%Y-%m}",
                      "idempotency_key": f"hist:{tenant.id}:{n}", "channel": "sms", "template": "t",
                      "variant": "default", "state": "delivered", "send_at": at, "sent_at": at, "attempts": 1,
                      "created_at": at, "updated_at": at})
    async with runtime.db.begin() as connection:
        await outbox.insert_planned(connection, rows_)


async def test_segments_on_a_year_of_history_match_the_hand_computed_ones(runtime: Any, make_tenant: Any) -> None:
    runtime.clock.set(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))  # these tenants are known since March 2024
    many, some, late, on_time, old_history = [await make_tenant() for _ in range(5)]
    runtime.clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    newcomer = await make_tenant()  # half a year ago
    await sent_reminders(runtime, many, [1, 2, 3, 4, 5, 6])           # six in the year: segment 4
    await sent_reminders(runtime, some, [2, 11])                      # two: segment 3
    await sent_reminders(runtime, old_history, [13, 14, 15, 16, 17, 18, 19])  # all older than a year: 0
    await sent_reminders(runtime, newcomer, [1, 2])                   # new wins over reminders
    async with runtime.db.begin() as connection:
        await connection.execute(arrears_cases.insert().values(
            tenant_id=late.id, period="2026-12", state="open", missed_on=TODAY, arrears_since=TODAY, amount_due_cents=1,
            amount_paid_cents=0, opened_at=NOW, updated_at=NOW))
    found = await compute(runtime.db, runtime.settings, TODAY, NOW)
    assert {t: a.segment for t, a in found.items()} == {
        many.id: Segment.MANY_REMINDERS, some.id: Segment.SOME_REMINDERS, late.id: Segment.LATE_FIRST,
        on_time.id: Segment.ON_TIME, old_history.id: Segment.ON_TIME, newcomer.id: Segment.NEW}
    assert found[some.id].reason == "2 herinnering(en) in 12 maanden"

    # the next day the tenant who was late gets two more reminders: moved up, with an event
    await sent_reminders(runtime, late, [0])
    await compute(runtime.db, runtime.settings, TODAY + timedelta(days=1), NOW + timedelta(days=1))
    moved = [e for e in await rows(runtime.db, events, events.c.type == "segment_moved_up")]
    assert [(e.tenant_id, e.data["previous"], e.data["segment"]) for e in moved] == [(late.id, 2, 3)]
    async with runtime.db.begin() as connection:
        over_time = await counts_over_time(connection, TODAY)
    assert over_time[TODAY][0] == 2 and over_time[TODAY + timedelta(days=1)][3] == 2
