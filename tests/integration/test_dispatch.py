"""Planning and sending through the official twilio client to the shipped fake server,
on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from herinnering.adapters.db import tenant_store
from herinnering.domain.reminders.planning import Period
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.helpers import all_messages, event_types, wait_for_states

DECEMBER = Period(2026, 12)
# Collection day 1 December 2026 (Tuesday): reminder Saturday 28 November 10:00 Amsterdam = 09:00 UTC.
SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def plan(runtime: Any) -> Any:
    return await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)


async def test_a_planned_reminder_is_sent_once_and_delivered(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant(name="Fatma Yılmaz", language="nl", monthly_rent_cents=84550)
    report = await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER, preview=5)
    assert [r.send_at for r in report.preview] == [SEND_MOMENT]
    [message] = await all_messages(runtime.db)
    assert (message.send_at, message.template) == (SEND_MOMENT, "messages/nl/pre_debit.sms.j2")

    runtime.clock.set(SEND_MOMENT - timedelta(minutes=1))
    assert (await Dispatcher(runtime, "w1").tick()).claimed == 0  # not due yet

    runtime.clock.set(SEND_MOMENT)
    tick = await Dispatcher(runtime, "w1").tick()
    assert tick.sent == 1
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.state == "delivered"
    assert message.provider_sid.startswith("SM")
    assert "dinsdag 1 december" in message.body and "€ 845,50" in message.body
    [received] = fake_twilio.messages
    assert received["to"] == tenant.phone and received["body"] == message.body
    assert await event_types(runtime.db, tenant.id) == [
        "tenant_imported", "message_sent", "message_delivered",  # planned: the outbox row itself
    ]

    again = await Dispatcher(runtime, "w2").tick()  # a second tick or worker sends nothing more
    assert again.claimed == 0 and len(fake_twilio.messages) == 1


async def test_planning_twice_or_concurrently_plans_one_reminder_per_tenant(runtime: Any, make_tenant: Any) -> None:
    for _ in range(5):
        await make_tenant()
    first, second, third = await asyncio.gather(plan(runtime), plan(runtime), plan(runtime))
    assert first.created + second.created + third.created == 5
    assert (await plan(runtime)).created == 0
    assert len(await all_messages(runtime.db)) == 5


async def test_nothing_is_sent_outside_the_send_window(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    await make_tenant()
    await plan(runtime)
    runtime.clock.set(datetime(2026, 11, 28, 19, 30, tzinfo=UTC))  # 20:30 in Amsterdam
    tick = await Dispatcher(runtime, "w1").tick()
    assert tick.quiet and tick.claimed == 0 and fake_twilio.messages == []
    runtime.clock.set(datetime(2026, 11, 29, 9, 0, tzinfo=UTC))  # 10:00 next day: catches up
    assert (await Dispatcher(runtime, "w1").tick()).sent == 1


async def test_an_opted_out_tenant_gets_nothing(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant()
    await plan(runtime)
    async with runtime.db.begin() as connection:  # STOP arrives after planning
        await tenant_store.set_opted_out(connection, tenant.id, runtime.clock.now())
    runtime.clock.set(SEND_MOMENT)
    tick = await Dispatcher(runtime, "w1").tick()
    assert tick.cancelled == 1 and fake_twilio.messages == []
    [message] = await all_messages(runtime.db)
    assert message.state == "cancelled" and message.error_message == "tenant opted out"
    assert (await plan(runtime)).created == 0  # and is not planned again


async def test_a_paused_tenant_gets_nothing_while_the_pause_lasts(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        await tenant_store.set_pause(connection, tenant.id, datetime(2026, 12, 15).date(), runtime.clock.now())
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    assert (await Dispatcher(runtime, "w1").tick()).cancelled == 1
    assert fake_twilio.messages == []


async def test_a_429_then_200_ends_in_one_sent_message(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    await make_tenant()
    await plan(runtime)
    fake_twilio.add_fault(status=429, code=20429)
    runtime.clock.set(SEND_MOMENT)
    first = await Dispatcher(runtime, "w1").tick()
    assert first.retried == 1 and fake_twilio.messages == []
    [message] = await all_messages(runtime.db)
    assert message.state == "planned" and message.error_code == 20429 and message.next_attempt_at > SEND_MOMENT

    runtime.clock.set(message.next_attempt_at)
    second = await Dispatcher(runtime, "w1").tick()
    assert second.sent == 1
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.attempts == 2 and len(fake_twilio.messages) == 1


async def test_permanent_errors_fail_without_retry_and_21610_opts_the_tenant_out(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    unsubscribed = await make_tenant()
    invalid = await make_tenant()
    fake_twilio.set_number(unsubscribed.phone, create_error=21610)
    fake_twilio.set_number(invalid.phone, create_error=21211)
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    tick = await Dispatcher(runtime, "w1").tick()
    assert tick.failed == 2 and tick.retried == 0
    by_tenant = {m.tenant_id: m for m in await all_messages(runtime.db)}
    assert by_tenant[unsubscribed.id].error_code == 21610 and by_tenant[invalid.id].error_code == 21211
    assert {m.state for m in by_tenant.values()} == {"failed"}
    async with runtime.db.begin() as connection:
        assert (await tenant_store.by_external_id(connection, unsubscribed.external_id)).opted_out
        assert not (await tenant_store.by_external_id(connection, invalid.external_id)).opted_out
    runtime.clock.advance(timedelta(hours=1))
    assert (await Dispatcher(runtime, "w1").tick()).claimed == 0


async def test_an_undelivered_report_marks_the_message_failed_with_the_carrier_code(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    fake_twilio.set_number(tenant.phone, delivery="undelivered", error_code=30003)
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w1").tick()
    [message] = await wait_for_states(runtime.db, {"failed"})
    assert message.state == "failed" and message.error_code == 30003


async def test_a_500_after_the_provider_stored_it_is_reconciled_not_sent_twice(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    await make_tenant()
    await plan(runtime)
    fake_twilio.add_fault(status=500, stored=True)
    runtime.clock.set(SEND_MOMENT)
    assert (await Dispatcher(runtime, "w1").tick()).unknown == 1
    [message] = await all_messages(runtime.db)
    assert message.state in {"sending", "sent", "delivered"}  # callbacks may already have arrived

    runtime.clock.set(SEND_MOMENT + timedelta(minutes=5))
    await Dispatcher(runtime, "w2").run_until_idle()
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.state == "delivered" and message.provider_sid == fake_twilio.messages[0]["sid"]
    assert len(fake_twilio.messages) == 1


async def test_a_500_before_the_provider_stored_it_is_sent_again_once(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    await make_tenant()
    await plan(runtime)
    fake_twilio.add_fault(status=500, stored=False)
    runtime.clock.set(SEND_MOMENT)
    assert (await Dispatcher(runtime, "w1").tick()).unknown == 1
    runtime.clock.set(SEND_MOMENT + timedelta(minutes=5))
    await Dispatcher(runtime, "w1").run_until_idle()
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.state == "delivered" and len(fake_twilio.messages) == 1


async def test_a_claim_left_by_a_dead_worker_is_settled_by_another(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    from herinnering.adapters.db import outbox

    await make_tenant()
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    async with runtime.db.begin() as connection:  # worker "dead" claims and then vanishes
        [claimed] = await outbox.claim_due(connection, "dead", SEND_MOMENT, 10)
    assert claimed.state == "sending"
    runtime.clock.set(SEND_MOMENT + timedelta(seconds=runtime.settings.dispatch.stall_seconds + 1))
    await Dispatcher(runtime, "alive").run_until_idle()
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.state == "delivered" and len(fake_twilio.messages) == 1


async def test_concurrent_dispatchers_send_each_message_exactly_once(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    from dataclasses import replace

    from herinnering.adapters.db.engine import Database
    from herinnering.runtime import Runtime

    for _ in range(60):
        await make_tenant(collection_day=1)
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    # each worker gets its own engine (its own connections), as separate processes would
    settings = replace(runtime.settings, dispatch=replace(runtime.settings.dispatch, batch_size=7,
                                                          rate_per_second=1000))
    workers = []
    for n in range(3):
        db = Database(runtime.db.url)
        workers.append(Dispatcher(Runtime(settings, db, runtime.clock, runtime.templates, runtime.sender), f"w{n}"))
    due = await all_messages(runtime.db)
    await asyncio.gather(*(w.run_until_idle() for w in workers))
    for w in workers:
        await w.rt.db.close()
    sent_to = [m["to"] for m in fake_twilio.messages]
    assert len(sent_to) == len(due) == 60
    assert len(set(sent_to)) == len(sent_to)
    rows = await all_messages(runtime.db)
    assert sum(1 for m in rows if m.provider_sid) == len(due)
