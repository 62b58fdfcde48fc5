"""Prometheus metrics: what an operator watches (outbox depth, sends, provider errors,
webhook latency). Counters are process-wide, as prometheus-client expects; the outbox depth
is read from the database when /metrics is scraped, so every process reports the truth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry()

SENDS = Counter("herinnering_sends_total", "Provider answers to a send, by outcome",
                ["outcome"], registry=REGISTRY)
PROVIDER_ERRORS = Counter("herinnering_provider_errors_total", "Provider errors by Twilio error code",
                          ["code"], registry=REGISTRY)
OUTBOX = Gauge("herinnering_outbox_messages", "Messages in the outbox by state and channel",
               ["state", "channel"], registry=REGISTRY)
PROVIDER_CIRCUIT = Gauge("herinnering_provider_circuit", "The provider circuit breaker: 1 for its current state",
                         ["state"], registry=REGISTRY)
UNMATCHED = "unmatched"  # the one route label of every path no route matches
WEBHOOK_SECONDS = Histogram("herinnering_webhook_seconds", "Time to answer a webhook, by route name", ["route"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
                            registry=REGISTRY)


@asynccontextmanager
async def serving(host: str, port: int) -> AsyncIterator[str]:
    """/metrics of this process on its own port (a worker: its sends, provider errors and
    circuit; Prometheus scrapes every worker, see deploy/prometheus.yml). Yields the URL."""

    async def scrape(_request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    try:
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}/metrics"
    finally:
        await runner.cleanup()
