"""/metrics over real HTTP shows every figure issue 9 asks for: outbox depth per state, sends
(a counter, so Prometheus derives sends per second), provider errors by code, webhook
latency, ladder steps taken and experiment exposures."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import aiohttp

from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.reminders.planning import plan_month
from tests.integration.collection_helpers import change, report, run_day
from tests.integration.helpers import wait_for_states
from tests.integration.test_experiments import DECEMBER, SEND_MOMENT, with_experiment, wording
from tests.integration.test_observability import get


async def test_metrics_show_sends_errors_latency_ladder_steps_and_exposures(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    with_experiment(runtime, wording())
    tenants = [await make_tenant() for _ in range(4)]
    fake_twilio.set_number(tenants[0].phone, create_error=21211)  # an invalid number: a provider error
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, DECEMBER)
    runtime.clock.set(SEND_MOMENT)
    await run_day(runtime, SEND_MOMENT.date())
    await wait_for_states(runtime.db, {"delivered", "failed"})
    await report(runtime, change(tenants[1], PaymentStatus.RETURNED, reason="AM04"))
    await run_day(runtime, date(2026, 12, 3))  # day 1 of the ladder: the first link message

    status, text = await get(f"{runtime.settings.server.public_url}/metrics")
    assert status == 200
    assert 'herinnering_outbox_messages{channel="sms",state="delivered"}' in text
    assert 'herinnering_sends_total{outcome="accepted"}' in text
    assert 'herinnering_provider_errors_total{code="21211"}' in text  # counters are per process
    assert 'herinnering_webhook_seconds_bucket{le="0.5",route="/webhooks/twilio/status"}' in text
    assert 'herinnering_ladder_steps{step="first_link"} 1.0' in text
    exposures = [line for line in text.splitlines() if line.startswith("herinnering_experiment_exposures{")]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in exposures) == 3  # the three accepted reminders
    assert all('experiment="pre_debit_wording"' in line for line in exposures)


async def test_invented_webhook_paths_share_one_label_and_do_not_grow_metrics(runtime: Any) -> None:
    base = runtime.settings.server.public_url

    async def post(session: aiohttp.ClientSession, i: int) -> int:
        async with session.post(f"{base}/webhooks/+3161234{i:04d}/NL91ABNA0417{i:06d}", data={"x": "1"}) as response:
            return response.status

    async with aiohttp.ClientSession() as session:
        assert await post(session, 0) == 404
        before = (await get(f"{base}/metrics"))[1]
        for start in range(1, 5001, 250):
            statuses = await asyncio.gather(*(post(session, i) for i in range(start, start + 250)))
            assert set(statuses) == {404}
    status, after = await get(f"{base}/metrics")
    assert status == 200 and len(after) - len(before) < 500  # only the counts grew, no new series
    assert _count(after) - _count(before) == 5000  # every one was counted, under the one label
    assert "3161234" not in after and "NL91ABNA" not in after


def _count(text: str) -> float:
    prefix = 'herinnering_webhook_seconds_count{route="unmatched"} '
    return float(next(line for line in text.splitlines() if line.startswith(prefix))[len(prefix):])
