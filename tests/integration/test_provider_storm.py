"""A provider storm through the shipped fake Twilio server over HTTP, on SQLite and PostgreSQL:
a burst of 429s with Retry-After, 500s and 503s, answers slower than the per-call timeout
and dropped connections, some after the message was stored. Nothing may be lost or sent
twice, the circuit breaker must open (and say so on /healthz and /metrics) and close again,
and afterwards a batch goes out as if nothing happened."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp

from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.domain.reminders.circuit import CircuitState
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.provider_circuit import ProviderCircuit
from tests.integration.helpers import all_messages, wait_for_states
from tests.integration.test_dispatch import SEND_MOMENT, plan

TIMEOUT = 0.5  # seconds per provider call; the slow faults answer after 10
RETRY_AFTER = 120


def storm(fake: Any) -> None:
    """The faults, in the order the provider's create calls meet them."""
    fake.add_fault(429, 20429, retry_after=RETRY_AFTER, times=4)  # the burst: not processed
    fake.add_fault(500)                                           # not stored
    fake.add_fault(503, 20503)
    fake.add_fault(500, stored=True)                              # stored, yet a 500
    fake.add_fault(delay=10)                                      # too slow, never processed
    fake.add_fault(delay=10, stored=True)                         # stored, answered too late
    fake.add_fault(reset=True)                                    # connection dropped
    fake.add_fault(reset=True, stored=True)                       # stored, then dropped
    fake.add_fault(503, 20503, stored=True)
    fake.add_fault(500, times=2)
    fake.add_fault(503, 20503, times=2)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_a_provider_storm_loses_nothing_doubles_nothing_and_trips_the_breaker(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    runtime.settings = replace(runtime.settings, dispatch=replace(
        runtime.settings.dispatch, rate_per_second=1000, concurrency=4, max_attempts=10,
        provider_timeout_seconds=TIMEOUT, circuit_window=10, circuit_cool_down_seconds=30,
    ))
    runtime.sender = TwilioSender(runtime.settings.twilio, timeout=TIMEOUT)
    runtime.circuit = ProviderCircuit(window=10, cool_down_seconds=30)
    base = runtime.settings.server.public_url
    try:
        tenants = [await make_tenant(collection_day=1) for _ in range(30)]
        await plan(runtime)
        runtime.clock.set(SEND_MOMENT)
        storm(fake_twilio)
        dispatcher = Dispatcher(runtime, "w1")

        first = await dispatcher.run_until_idle()
        assert runtime.circuit.state is CircuitState.OPEN
        assert first.retried == 4 and first.unknown >= 6
        status, health = await get(f"{base}/healthz")
        assert status == 200 and '"degraded"' in health and '"provider_circuit": "open"' in health
        assert 'herinnering_provider_circuit{state="open"} 1.0' in (await get(f"{base}/metrics"))[1]
        limited = [m for m in await all_messages(runtime.db) if m.error_code == 20429]
        assert len(limited) == 4  # Retry-After honoured: none comes back sooner
        assert all(m.next_attempt_at >= SEND_MOMENT + timedelta(seconds=RETRY_AFTER) for m in limited)

        calls = len(fake_twilio.requests)
        runtime.clock.advance(timedelta(seconds=10))
        paused = await dispatcher.tick()
        assert paused.paused and paused.claimed == 0 and len(fake_twilio.requests) == calls

        for _ in range(40):  # half a minute at a time: cool-downs, probes, reconciliations
            runtime.clock.advance(timedelta(seconds=31))
            await dispatcher.run_until_idle()
            rows = await all_messages(runtime.db)
            if not fake_twilio.faults and all(m.state in {"sent", "delivered"} for m in rows):
                break
        assert not fake_twilio.faults  # every fault above was met
        assert runtime.circuit.state is CircuitState.CLOSED
        status, health = await get(f"{base}/healthz")
        assert status == 200 and '"provider_circuit": "closed"' in health and '"ok"' in health

        rows = await wait_for_states(runtime.db, {"delivered"})
        stored = {m["to"]: m["sid"] for m in fake_twilio.messages}
        assert len(fake_twilio.messages) == len(stored) == len(tenants)  # each tenant exactly once
        assert {m.state for m in rows} == {"delivered"}
        assert {m.recipient: m.provider_sid for m in rows} == stored  # the database agrees with the provider

        for _ in range(20):  # after the storm: a new batch goes out in one tick, nothing held back
            await make_tenant(collection_day=1)
        await plan(runtime)
        after = await dispatcher.tick()
        assert (after.claimed, after.sent, after.unknown, after.retried, after.paused) == (20, 20, 0, 0, False)
    finally:
        await runtime.sender.close()


async def test_the_breaker_stays_closed_when_only_a_few_calls_fail(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    runtime.settings = replace(runtime.settings, dispatch=replace(runtime.settings.dispatch, rate_per_second=1000))
    runtime.circuit = ProviderCircuit(window=10, cool_down_seconds=30)
    for _ in range(12):
        await make_tenant(collection_day=1)
    await plan(runtime)
    runtime.clock.set(SEND_MOMENT)
    fake_twilio.add_fault(500, times=2)
    tick = await Dispatcher(runtime, "w1").tick()
    assert (tick.sent, tick.unknown) == (10, 2)
    assert runtime.circuit.state is CircuitState.CLOSED
