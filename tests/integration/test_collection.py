"""The follow-up ladder on SQLite and PostgreSQL: a missed payment (as the payments area
reports it) becomes a kind message with a payment link, sent through the fake Twilio server;
paying stops everything at once; nothing happens twice."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from herinnering.adapters.db.tables import events
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.reminders.dispatch import Dispatcher
from tests.integration.collection_helpers import (
    cases,
    change,
    days,
    ladder_messages,
    morning,
    open_tasks,
    report,
    rows,
    run_day,
)
from tests.integration.helpers import event_types, wait_for_states

DAY_1 = date(2026, 12, 3)


async def test_an_am04_return_leads_to_a_day_one_link_message_sent_through_twilio(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant(monthly_rent_cents=74550)
    await report(runtime, change(tenant, PaymentStatus.RETURNED, reason="AM04"))
    [case] = await cases(runtime)
    assert (case.state, case.missed_on, case.reason_code) == ("open", date(2026, 12, 2), "AM04")

    ladder, _ = await run_day(runtime, date(2026, 12, 2))  # day 0: nothing yet
    assert ladder.messages == 0 and await ladder_messages(runtime) == []

    ladder, sent = await run_day(runtime, DAY_1)
    assert ladder.messages == 1 and sent.sent == 1
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert (message.kind, message.tenant_id, message.period) == ("payment_link", tenant.id, "2026-12")
    assert message.context["amount_due_cents"] == 74550
    link = message.context["link_url"]
    assert link.startswith(runtime.settings.server.public_url)
    [received] = fake_twilio.messages
    assert received["to"] == tenant.phone and link in received["body"] and "€ 745,50" in received["body"]
    assert "ladder_step" in await event_types(runtime.db, tenant.id)

    again, sent = await run_day(runtime, DAY_1)  # a second tick the same day does nothing
    assert again.messages == 0 and sent.claimed == 0 and len(fake_twilio.messages) == 1


async def test_paying_closes_the_case_and_cancels_every_planned_ladder_message_at_once(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(DAY_1, hour_utc=6))  # 07:00: planned for when the window opens
    assert (await ladder_tick(runtime)).messages == 1
    [planned] = await ladder_messages(runtime)
    assert planned.state == "planned" and planned.send_at == morning(DAY_1)

    await report(runtime, change(tenant, PaymentStatus.PAID, paid=tenant.monthly_rent_cents,
                                 at=morning(DAY_1, hour_utc=7), reason=None))
    [message] = await ladder_messages(runtime)
    assert message.state == "cancelled" and message.error_message == "arrears paid"
    [case] = await cases(runtime)
    assert case.state == "closed"
    types = await event_types(runtime.db, tenant.id)
    assert "message_cancelled" in types and types[-1] == "arrears_case_closed"

    for day in days(DAY_1, 30):  # the rest of the ladder never happens
        ladder, sent = await run_day(runtime, day)
        assert ladder.messages == ladder.tasks == 0
    assert fake_twilio.messages == [] and await open_tasks(runtime) == []


async def test_the_same_change_twice_and_two_concurrent_ticks_create_nothing_new(
    runtime: Any, make_tenant: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    assert len(await cases(runtime)) == 1
    opened = await rows(runtime, events, events.c.type == "arrears_case_opened")
    assert len(opened) == 1

    runtime.clock.set(morning(DAY_1))
    first, second = await asyncio.gather(ladder_tick(runtime), ladder_tick(runtime))
    assert first.messages + second.messages == 1
    assert (await ladder_tick(runtime)).messages == 0
    assert len(await ladder_messages(runtime)) == 1


async def test_the_ladder_runs_its_steps_in_order_with_a_task_for_a_person(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    done: list[tuple[date, str]] = []
    for day in days(date(2026, 12, 2), 25):
        ladder, _ = await run_day(runtime, day)
        done.extend((day, step) for _, step in ladder.done)
    assert done == [
        (date(2026, 12, 3), "first_link"), (date(2026, 12, 7), "second_link"), (date(2026, 12, 10), "call"),
        (date(2026, 12, 16), "written_reminder"), (date(2026, 12, 23), "debt_help"),
    ]
    assert [m.kind for m in await ladder_messages(runtime)] == ["payment_link", "ladder_reminder", "debt_help_offer"]
    call, letter, handover = await open_tasks(runtime)
    assert (call.kind, call.title, call.source) == ("call_tenant", "Bel de huurder", "ladder")
    assert letter.kind == "written_reminder" and "gemeente" in letter.data["text"]
    assert handover.kind == "case_handover"  # after the last automatic step a person takes over
    assert len(fake_twilio.messages) == 3


async def test_money_still_owed_after_the_debit_date_opens_a_case_but_not_before(
    runtime: Any, make_tenant: Any
) -> None:
    from datetime import UTC, datetime

    tenant = await make_tenant(collection_day=1)  # December 2026: debit on Tuesday the 1st
    await report(runtime, change(tenant, PaymentStatus.EXPECTED, reason=None, at=datetime(2026, 11, 30, 9, tzinfo=UTC)))
    assert await cases(runtime) == []
    await report(runtime, change(tenant, PaymentStatus.PARTLY_PAID, paid=10000, reason=None,
                                 at=datetime(2026, 12, 4, 9, tzinfo=UTC)))
    [case] = await cases(runtime)
    assert case.state == "open" and case.amount_paid_cents == 10000 and case.missed_on == date(2026, 12, 4)


async def test_an_arrangement_reported_by_the_payments_area_stops_the_ladder(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    await report(runtime, change(tenant, PaymentStatus.IN_ARRANGEMENT, reason=None, at=morning(DAY_1, 6)))
    [case] = await cases(runtime)
    assert case.state == "in_arrangement"
    for day in days(DAY_1, 10):
        ladder, _ = await run_day(runtime, day, dispatch=False)
        assert ladder.messages == 0
    await Dispatcher(runtime, "w1").run_until_idle()
