"""The aiohttp application: Twilio webhooks, a health check and a small status page.

Built by `create_app(runtime)`; errors become status codes in one middleware (web/errors.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import jinja2
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import SQLAlchemyError

from herinnering import metrics
from herinnering.resources import templates_dir
from herinnering.runtime import Runtime
from herinnering.services.reminders import outbox_status
from herinnering.web import auth, changes, dashboard, experiments, i18n, openapi, security, words
from herinnering.web.conversations import inbox, media, worklist
from herinnering.web.errors import errors
from herinnering.web.keys import PAGES, RUNTIME
from herinnering.web.legal import wgs
from herinnering.web.payments import api as payments
from herinnering.web.payments import links as payment_links
from herinnering.web.payments import recollections, statement
from herinnering.web.privacy import audit, second_factor, team_accounts
from herinnering.web.reminders import templates_preview, webhooks
from herinnering.web.tenants import api as tenant_api
from herinnering.web.tenants import pages as tenants
from herinnering.web.tenants import risk, tenant_page

log = logging.getLogger(__name__)


async def live(request: web.Request) -> web.Response:
    """/healthz: the process answers, and whether sending is paused by the provider circuit.

    Always 200 (a liveness probe: restarting us does not mend the provider); while the circuit
    of any worker (stored in the database) or of this process is open or probing, the status
    says "degraded"."""
    runtime = request.app[RUNTIME]
    circuit = runtime.circuit.state
    try:  # the workers' breakers, shared in the database: the fleet's truth, not just this process's
        fleet, _ = await runtime.circuit.fleet(runtime.db, runtime.clock.now())
        circuit = fleet if circuit == "closed" else circuit
    except (OSError, SQLAlchemyError) as exc:
        log.warning("provider circuit unreadable (%s): this process's own state shown", type(exc).__name__)
    return web.json_response({"status": "ok" if circuit == "closed" else "degraded", "provider_circuit": circuit})


async def ready(request: web.Request) -> web.Response:
    """/health and /readyz: the process answers and the database does too."""
    runtime = request.app[RUNTIME]
    try:
        await outbox_status.counts(runtime)
    except (OSError, SQLAlchemyError) as exc:
        log.warning("database not ready: %s", type(exc).__name__)
        return web.json_response({"status": "database unavailable"}, status=503)
    return web.json_response({"status": "ok", "time": runtime.clock.now().isoformat()})


async def prometheus(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    rows = await outbox_status.counts_for_metrics(runtime)  # and the ladder-step and exposure gauges
    metrics.OUTBOX.clear()
    for row in rows:
        metrics.OUTBOX.labels(state=row.state, channel=row.channel).set(row.n)
    return web.Response(body=generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def timing(request: web.Request, handler: webhooks.Handler) -> web.StreamResponse:
    """Times webhooks by route name, never by the raw path: a caller who invents paths (or puts
    a phone number in one) gets no new series; every unmatched path shares one label."""
    if not request.path.startswith("/webhooks/"):
        return await handler(request)
    with metrics.WEBHOOK_SECONDS.labels(route=auth.route_name(request) or metrics.UNMATCHED).time():
        return await handler(request)


async def overview(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    counts, recent = await outbox_status.counts_and_recent(runtime, 50)
    page = request.app[PAGES].get_template("web/overview.html.j2").render(
        counts=counts, messages=recent, organisation=runtime.settings.organisation,
        now=runtime.clock.now().astimezone(runtime.settings.reminders.timezone),
        timezone=runtime.settings.reminders.timezone,
    )
    return web.Response(text=page, content_type="text/html")


def create_app(runtime: Runtime) -> web.Application:
    app = web.Application(middlewares=[timing, i18n.language, security.rate_limits, errors, auth.access,
                                            security.ids_in_range])
    app[RUNTIME] = runtime
    app[PAGES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.router.add_get("/", overview)
    app.router.add_get("/health", ready)
    app.router.add_get("/readyz", ready)
    app.router.add_get("/healthz", live)
    app.router.add_get("/metrics", prometheus)
    app.router.add_post("/webhooks/twilio/status", webhooks.status_callback(RUNTIME))
    for area in (security, payments, changes, payment_links, inbox, experiments, templates_preview, tenant_page,
                 openapi, risk, words, worklist, tenants, audit, statement, dashboard,
                 team_accounts, wgs, second_factor, media, recollections):
        area.setup(app)
    tenant_api.setup(app)  # GET /api/tenants/{contract_id}
    return app


@asynccontextmanager
async def serving(runtime: Runtime, host: str, port: int) -> AsyncIterator[str]:
    """Run the app on a real socket (port 0: any free port) and yield its base URL."""
    runner = web.AppRunner(create_app(runtime), access_log_class=security.RouteAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        bound = runner.addresses[0][1] if runner.addresses else port
        yield f"http://{host}:{bound}"
    finally:
        await runner.cleanup()
