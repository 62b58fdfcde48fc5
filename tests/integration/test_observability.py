"""/healthz, /readyz and /metrics over real HTTP after a real send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp

from herinnering.domain.reminders.planning import Period
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.helpers import wait_for_states


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_metrics_show_the_outbox_and_the_providers_answers(runtime: Any, make_tenant: Any) -> None:
    await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    runtime.clock.set(datetime(2026, 11, 28, 9, tzinfo=UTC))
    await Dispatcher(runtime, "w").tick()
    await wait_for_states(runtime.db, {"delivered"})
    base = runtime.settings.server.public_url
    assert (await get(f"{base}/healthz"))[0] == 200
    assert (await get(f"{base}/readyz"))[0] == 200
    status, text = await get(f"{base}/metrics")
    assert status == 200
    assert 'herinnering_outbox_messages{channel="sms",state="delivered"} 1.0' in text
    assert 'herinnering_sends_total{outcome="accepted"}' in text
    assert "herinnering_webhook_seconds_bucket" in text  # the delivery callbacks were timed
    assert "+316" not in text  # no phone numbers in metrics
