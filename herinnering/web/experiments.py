"""Web pages of the experiments area: the list of experiments and a report page per experiment
in Dutch for a team lead: the conclusion first, the uplift interval as the main chart, the
cumulative uplift with its interval, then the figures.

    GET /experiments          configured experiments and their exposures
    GET /experiments/{key}    the report: conclusion, charts, figures, notes, guardrails, phases
    POST /experiments         a team lead creates an experiment (a draft)
    POST /experiments/{key}/start, /stop   a team lead starts or stops one made on screen

Staff only: every logged-in officer may read them (the same login as the inbox). The charts are drawn in a worker thread (matplotlib is CPU-bound).
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from herinnering.services.experiments import admin as experiment_admin
from herinnering.services.experiments import screen as screen_service
from herinnering.services.experiments import view as view
from herinnering.services.experiments.report import ExperimentReport
from herinnering.web import auth
from herinnering.web.auth import login_required
from herinnering.web.keys import PAGES, RUNTIME

GUARDRAIL_TITLES = {"opt_out_rate": "Afmeldingen (STOP)", "officer_reply_share": "Antwoorden die een medewerker nodig hadden"}


def _guardrails(report: ExperimentReport) -> list[dict[str, Any]]:
    found = []
    for g in report.guardrails:
        found.append({
            "title": GUARDRAIL_TITLES.get(g.guardrail.value, g.guardrail.value), "available": g.available,
            "note": g.note,
            "rows": [{"name": name, "tenants": n, "events": events, "rate": view.percent(rate, 2),
                      "p": view.p_value(cmp.p_value) if cmp else ""} for name, n, events, rate, _ci, cmp in g.rows],
        })
    return found


@dataclass(frozen=True)
class _Bar:
    name: str
    uplift: float | None
    sequential: tuple[float, float] | None
    fixed: tuple[float, float] | None


def charts_png(report: ExperimentReport) -> list[tuple[str, bytes]]:
    """The report's charts as (name, PNG): "uplift", then "cumulative-<variant>" per treatment."""
    from herinnering.adapters import plots  # matplotlib: on the first report page, not at start

    a = report.analysis
    bars = [_Bar(e.name, e.estimate.uplift if e.estimate else None,
                 (e.sequential_ci.low, e.sequential_ci.high) if e.sequential_ci else None,
                 (e.fixed_ci.low, e.fixed_ci.high) if e.fixed_ci else None) for e in a.effects]
    found = [("uplift", plots.uplift_chart(bars, a.control, view.metric_words(report.experiment)))]
    found += [(f"cumulative-{e.name}", plots.cumulative_chart(e.looks, report.current.look_days, e.name, a.control))
              for e in a.effects]
    return found


def _charts(report: ExperimentReport) -> dict[str, Any]:
    pngs = charts_png(report)

    def encode(png: bytes) -> str:
        return base64.b64encode(png).decode("ascii")

    return {"uplift": encode(pngs[0][1]),
            "cumulative": [(name.removeprefix("cumulative-"), encode(png)) for name, png in pngs[1:]]}


@login_required()
async def experiment_list(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    exposed, screen = await screen_service.listing(runtime)
    who = auth.officer(request)
    return auth.page(
        request, "web/experiments.html.j2", experiments=(*runtime.settings.experiments, *screen),
        screen={e.key for e in screen}, exposed=exposed, may_manage=who.role in auth.TEAM_LEADS,
        error=request.query.get("fout", ""), notice=request.query.get("ok", ""), form=dict(request.query),
    )


@login_required(*auth.TEAM_LEADS)
async def experiment_create(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    form = {k: str(v) for k, v in (await request.post()).items() if k != "csrf"}
    try:
        made = await screen_service.create(runtime, form)
    except experiment_admin.ScreenError as error:
        return auth.redirect("/experiments?" + urlencode({**form, "fout": str(error)}))
    return auth.redirect("/experiments?" + urlencode({"ok": f"Experiment {made.key} aangemaakt als concept"}))


@login_required(*auth.TEAM_LEADS)
async def experiment_status(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    key, action = request.match_info["key"], request.match_info["action"]
    try:
        changed = await screen_service.set_status(runtime, key, action)
    except experiment_admin.ScreenError as error:
        return auth.redirect("/experiments?" + urlencode({"fout": str(error)}))
    words = {"running": "gestart", "stopped": "gestopt"}[changed.status.value]
    return auth.redirect("/experiments?" + urlencode({"ok": f"Experiment {key} {words}"}))


@login_required()
async def experiment_report(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    now = runtime.clock.now()
    found = await screen_service.report(runtime, request.match_info["key"], now)
    if found is None:
        raise web.HTTPNotFound(text="no such experiment")
    experiment, report = found
    charts = await asyncio.to_thread(_charts, report)
    page = request.app[PAGES].get_template("web/experiment.html.j2").render(
        experiment=experiment, report=report, guardrails=_guardrails(report), charts=charts,
        h=view.helpers(experiment), organisation=runtime.settings.organisation,
        now=now.astimezone(runtime.settings.reminders.timezone),
    )
    return web.Response(text=page, content_type="text/html")


def setup(app: web.Application) -> None:
    """Add this area's routes to the app (the runtime is `app[RUNTIME]`, pages `app[PAGES]`, from web.keys)."""
    app.router.add_get("/experiments", experiment_list)
    app.router.add_post("/experiments", experiment_create)
    app.router.add_get("/experiments/{key}", experiment_report)
    app.router.add_post("/experiments/{key}/{action:start|stop}", experiment_status)
