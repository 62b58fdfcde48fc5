"""Delivery callbacks lost while the web process was down: messages still `sent` are asked at
the provider (official client, Messages fetch) and moved on, with the WhatsApp fallback applied
to what the sweep finds (SQLite and PostgreSQL, the shipped fake Twilio over real HTTP)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from herinnering.adapters.db import whatsapp_store
from herinnering.scheduler import build_scheduler
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.status_sweep import sweep
from tests.integration.helpers import all_messages
from tests.integration.test_dispatch import SEND_MOMENT, plan


async def send_without_callbacks(runtime: Any, fake_twilio: Any) -> Dispatcher:
    await plan(runtime)
    fake_twilio.callbacks_lost = True  # our web process is down: Twilio's callbacks go nowhere
    runtime.clock.set(SEND_MOMENT)
    dispatcher = Dispatcher(runtime, "w1")
    await dispatcher.run_until_idle()
    await fake_twilio.wait_idle()
    fake_twilio.callbacks_lost = False
    return dispatcher


def later(runtime: Any, seconds: float = 1) -> None:
    runtime.clock.advance(timedelta(seconds=runtime.settings.dispatch.status_sweep_after_seconds + seconds))


async def test_a_message_whose_callbacks_were_lost_is_asked_and_ends_delivered(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    await make_tenant()
    dispatcher = await send_without_callbacks(runtime, fake_twilio)
    [message] = await all_messages(runtime.db)
    assert message.state == "sent" and fake_twilio.messages[0]["status"] == "delivered"

    assert (await sweep(runtime, dispatcher.sender)).asked == 0  # not yet: a callback may still come
    later(runtime)
    report = await sweep(runtime, dispatcher.sender)
    assert (report.asked, report.moved) == (1, 1)
    [message] = await all_messages(runtime.db)
    assert (message.state, message.provider_status) == ("delivered", "delivered")
    assert len(fake_twilio.messages) == 1  # asked, never sent again


async def test_a_whatsapp_63016_found_by_the_sweep_gets_its_sms_fallback(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    someone = await make_tenant(channel="whatsapp")
    async with runtime.db.begin() as connection:  # we believe the window is open; Twilio does not
        await whatsapp_store.note_inbound(connection, someone.id, SEND_MOMENT - timedelta(hours=1))
    dispatcher = await send_without_callbacks(runtime, fake_twilio)
    later(runtime)
    await sweep(runtime, dispatcher.sender)
    await dispatcher.run_until_idle()  # the fallback SMS
    failed, fallback = await all_messages(runtime.db)
    assert (failed.channel, failed.state, failed.error_code) == ("whatsapp", "failed", 63016)
    assert (fallback.channel, fallback.context["fallback_of"]) == ("sms", failed.id)
    assert [m["to"] for m in fake_twilio.messages] == ["whatsapp:" + someone.phone, someone.phone]


async def test_a_message_the_provider_cannot_be_asked_about_does_not_stop_the_sweep(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    first, second = await make_tenant(), await make_tenant()
    dispatcher = await send_without_callbacks(runtime, fake_twilio)
    fake_twilio.set_number(first.phone, lookup_error=500)
    later(runtime)
    report = await sweep(runtime, dispatcher.sender)
    assert (report.asked, report.moved, report.errors) == (2, 1, 1)
    states = {row.tenant_id: row.state for row in await all_messages(runtime.db)}
    assert states == {first.id: "sent", second.id: "delivered"}

    fake_twilio.numbers.clear()
    await sweep(runtime, dispatcher.sender)  # asked again on the next sweep
    assert {row.state for row in await all_messages(runtime.db)} == {"delivered"}


async def test_a_message_still_on_its_way_is_asked_again_only_after_another_wait(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    await make_tenant()
    dispatcher = await send_without_callbacks(runtime, fake_twilio)
    fake_twilio.messages[0].status = "sent"  # the carrier has not answered Twilio yet
    later(runtime)
    assert (await sweep(runtime, dispatcher.sender)).still_open == 1
    assert (await sweep(runtime, dispatcher.sender)).asked == 0
    later(runtime)
    assert (await sweep(runtime, dispatcher.sender)).asked == 1


async def test_every_sending_process_schedules_the_sweep(runtime: Any) -> None:
    scheduler = build_scheduler(runtime, Dispatcher(runtime, "w"), planning=False)
    job = scheduler.get_job("status-sweep")
    assert job is not None
    assert job.trigger.interval.total_seconds() == runtime.settings.dispatch.status_sweep_interval_seconds
    assert build_scheduler(runtime, None).get_job("status-sweep") is None  # no sender, no sweep
