"""Claims left by workers that died: settled by looking the message up, and — when the
provider never got it — no attempt used up, however often a worker dies holding it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from herinnering.adapters.db import outbox
from herinnering.services.reminders.dispatch import Dispatcher, TickReport
from tests.integration.helpers import all_messages, wait_for_states
from tests.integration.test_dispatch import SEND_MOMENT, plan


async def test_a_message_whose_workers_keep_dying_is_never_failed_for_it(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    await make_tenant()
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    stall = timedelta(seconds=runtime.settings.dispatch.stall_seconds + 1)
    alive = Dispatcher(runtime, "alive")
    for n in range(runtime.settings.dispatch.max_attempts + 3):  # more deaths than attempts allowed
        async with runtime.db.begin() as connection:
            [claimed] = await outbox.claim_due(connection, f"dead-{n}", runtime.clock.now(), 10)
        runtime.clock.advance(stall)
        await alive.settle_unknown(TickReport())  # looked up: not at the provider, so back to planned
        [message] = await all_messages(runtime.db)
        assert (message.state, message.attempts) == ("planned", 0)

    await alive.run_until_idle()
    [message] = await wait_for_states(runtime.db, {"delivered"})
    assert message.state == "delivered" and len(fake_twilio.messages) == 1


async def test_a_message_the_provider_never_answers_fails_after_the_last_attempt(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    runtime.settings = replace(runtime.settings, dispatch=replace(runtime.settings.dispatch, max_attempts=2))
    await make_tenant()
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    fake_twilio.add_fault(500, times=2)  # not stored, twice
    dispatcher = Dispatcher(runtime, "w1")
    for _ in range(4):
        await dispatcher.run_until_idle()
        runtime.clock.advance(timedelta(hours=1))
    [message] = await all_messages(runtime.db)
    assert (message.state, message.attempts) == ("failed", 2)
    assert fake_twilio.messages == []
