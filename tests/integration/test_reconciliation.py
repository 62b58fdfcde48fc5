"""Settling unknown send outcomes: a provider SID another message holds is never taken, and
one message that cannot be settled never stops the others (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from herinnering.adapters.db import outbox
from herinnering.domain.reminders.states import MessageState
from herinnering.services.reminders import status_sweep
from herinnering.services.reminders.dispatch import Dispatcher
from tests.integration.helpers import all_messages, wait_for_states

TEXT = "De Linde: u kunt ons bellen op 010 123 45 67."


async def queue_reply(runtime: Any, tenant: Any, key: str, body: str = TEXT) -> None:
    """A bot reply with its text fixed, as the inbound bot queues it."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await outbox.insert_planned(connection, [{
            "tenant_id": tenant.id, "recipient": tenant.phone, "kind": "bot_reply", "period": "2026-11",
            "idempotency_key": key, "channel": "sms", "template": "bot_help", "variant": "default",
            "state": MessageState.PLANNED.value, "send_at": now, "not_after": None, "attempts": 0,
            "context": {"reply": "help"}, "body": body, "created_at": now, "updated_at": now,
        }])


async def test_two_identical_texts_to_one_number_each_keep_their_own_provider_message(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await queue_reply(runtime, tenant, "bot_reply:in:SM1")
    await queue_reply(runtime, tenant, "bot_reply:in:SM2")
    fake_twilio.add_fault(status=500, stored=True, times=2)  # both reach the tenant; we never hear so
    fake_twilio.callbacks_lost = True
    assert (await Dispatcher(runtime, "w1").tick()).unknown == 2

    runtime.clock.advance(timedelta(minutes=10))
    report = await Dispatcher(runtime, "w2").run_until_idle()
    assert report.reconciled == 2
    rows = await all_messages(runtime.db)
    assert [row.state for row in rows] == ["sent", "sent"]
    assert sorted(row.provider_sid for row in rows) == sorted(m["sid"] for m in fake_twilio.messages)
    assert len(fake_twilio.messages) == 2  # nothing sent a third time

    loop = asyncio.get_running_loop()  # the fake delivers on its own (lost callbacks): until it has, ask nothing
    deadline = loop.time() + 5
    while any(m.status != "delivered" for m in fake_twilio.messages) and loop.time() < deadline:
        await asyncio.sleep(0.02)
    runtime.clock.advance(timedelta(seconds=runtime.settings.dispatch.status_sweep_after_seconds + 1))
    await status_sweep.sweep(runtime, Dispatcher(runtime, "w3").sender)  # the lost callbacks, asked for
    assert [row.state for row in await all_messages(runtime.db)] == ["delivered", "delivered"]


async def test_an_unknown_outcome_never_takes_the_sid_of_an_identical_text_already_sent(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await queue_reply(runtime, tenant, "bot_reply:in:SM1")
    await Dispatcher(runtime, "w1").run_until_idle()  # the first one goes out normally
    await wait_for_states(runtime.db, {"delivered"})

    runtime.clock.advance(timedelta(minutes=1))
    await queue_reply(runtime, tenant, "bot_reply:in:SM2")
    fake_twilio.add_fault(status=500, stored=False)  # the second never reached the provider
    assert (await Dispatcher(runtime, "w1").tick()).unknown == 1
    runtime.clock.advance(timedelta(minutes=10))
    await Dispatcher(runtime, "w2").run_until_idle()
    rows = await wait_for_states(runtime.db, {"delivered"})
    assert [row.state for row in rows] == ["delivered", "delivered"]
    assert len({row.provider_sid for row in rows}) == 2
    assert len(fake_twilio.messages) == 2  # sent again, because it was not at the provider


async def test_a_message_that_cannot_be_settled_does_not_block_the_others(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    poisoned, fine = await make_tenant(), await make_tenant()
    await queue_reply(runtime, poisoned, "bot_reply:in:SM1")
    await queue_reply(runtime, fine, "bot_reply:in:SM2")
    fake_twilio.add_fault(status=500, stored=False, times=2)
    assert (await Dispatcher(runtime, "w1").tick()).unknown == 2
    fake_twilio.set_number(poisoned.phone, lookup_error=500)  # its lookup fails, again and again

    runtime.clock.advance(timedelta(minutes=10))
    await Dispatcher(runtime, "w2").tick()  # settles the second, sends it again; no exception
    await Dispatcher(runtime, "w2").tick()
    first, second = await wait_for_states(runtime.db, {"delivered", "sending"})
    assert first.state == "sending" and first.provider_sid is None  # not guessed: asked again later
    assert second.state == "delivered"
    assert [m["to"] for m in fake_twilio.messages] == [fine.phone]


async def test_a_lookup_that_fails_for_one_message_is_retried_and_then_settles(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await queue_reply(runtime, tenant, "bot_reply:in:SM1")
    fake_twilio.add_fault(status=500, stored=True)
    fake_twilio.callbacks_lost = True
    await Dispatcher(runtime, "w1").tick()
    fake_twilio.set_number(tenant.phone, lookup_error=503)
    runtime.clock.advance(timedelta(minutes=10))
    await Dispatcher(runtime, "w2").tick()
    [message] = await all_messages(runtime.db)
    assert message.state == "sending" and len(fake_twilio.messages) == 1

    fake_twilio.numbers.clear()
    runtime.clock.advance(timedelta(seconds=runtime.settings.dispatch.stall_seconds + 1))
    await Dispatcher(runtime, "w2").run_until_idle()
    [message] = await all_messages(runtime.db)
    assert message.state == "sent"
    assert message.provider_sid == fake_twilio.messages[0]["sid"] and len(fake_twilio.messages) == 1
