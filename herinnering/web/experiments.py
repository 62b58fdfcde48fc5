"""Web pages of the experiments area: the list of experiments and a report page per experiment,
with its charts as inline PNG images.

    GET /experiments          configured experiments and their exposures
    GET /experiments/{key}    the report: figures, warnings, guardrails, two charts

Staff only: every logged-in officer may read them (the same login as the inbox). The charts are drawn in a worker thread (matplotlib is CPU-bound).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from aiohttp import web

from herinnering.services import experiments as service
from herinnering.web.auth import login_required
from herinnering.web.keys import PAGES, RUNTIME


def _pct(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def _pt(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:+.1f} pt"


def _ci(ci: Any, signed: bool = False) -> str:
    if ci is None:
        return "–"
    if signed:
        return f"{ci.low * 100:+.1f} … {ci.high * 100:+.1f} pt"
    return f"{ci.low * 100:.1f}% … {ci.high * 100:.1f}%"


def _p(value: float | None) -> str:
    return "–" if value is None else (f"{value:.4f}" if value >= 0.0001 else "< 0.0001")


def _rows(report: service.ExperimentReport) -> list[dict[str, str]]:
    weights = {v.name: v.weight for v in report.experiment.variants}
    templates = {v.name: v.template for v in report.experiment.variants}
    rows = []
    for v in report.analysis.variants:
        c = v.comparison
        rows.append({
            "name": v.name, "control": "control" if v.is_control else "", "template": templates[v.name],
            "weight": f"{weights[v.name]:.0%}", "exposures": str(v.exposures), "conversions": str(v.conversions),
            "rate": _pct(v.rate), "rate_ci": _ci(v.rate_ci),
            "uplift": _pt(c.uplift) if c else "", "uplift_ci": _ci(c.uplift_ci, signed=True) if c else "",
            "relative": _pct(c.relative) if c else "", "relative_ci": _ci(c.relative_ci) if c else "",
            "p": _p(c.p_value) if c else "", "p_adjusted": _p(c.p_adjusted) if c else "",
            "test": c.test if c else "", "mde": _pt(v.mde) if not v.is_control else "",
            "verdict": ("significant" if v.significant else "not significant") if c else "",
        })
    return rows


def _guardrails(report: service.ExperimentReport) -> list[dict[str, Any]]:
    found = []
    for g in report.guardrails:
        found.append({
            "name": g.guardrail.value, "available": g.available, "note": g.note,
            "rows": [{"name": name, "tenants": n, "events": events, "rate": _pct(rate, 2), "ci": _ci(ci),
                      "p": _p(cmp.p_value) if cmp else ""} for name, n, events, rate, ci, cmp in g.rows],
        })
    return found


def _charts(report: service.ExperimentReport) -> dict[str, str]:
    from herinnering.adapters import plots  # matplotlib: on the first report page, not at start

    e = report.experiment
    conversion = plots.conversion_chart(report.analysis.variants, f"{e.key}: {e.metric.value}")
    cumulative = plots.cumulative_chart(report.series, e.control, f"{e.key}: cumulative conversion")
    return {name: base64.b64encode(png).decode("ascii")
            for name, png in (("conversion", conversion), ("cumulative", cumulative))}


@login_required()
async def experiment_list(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.db.begin() as connection:
        exposed = await service.exposure_counts(connection)
    page = request.app[PAGES].get_template("web/experiments.html.j2").render(
        experiments=runtime.settings.experiments, exposed=exposed, organisation=runtime.settings.organisation,
    )
    return web.Response(text=page, content_type="text/html")


@login_required()
async def experiment_report(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    experiment = service.find(runtime.settings, request.match_info["key"])
    if experiment is None:
        raise web.HTTPNotFound(text="no such experiment")
    async with runtime.db.begin() as connection:
        report = await service.build_report(connection, experiment, runtime.settings.reminders.timezone)
    charts = await asyncio.to_thread(_charts, report)
    a = report.analysis
    page = request.app[PAGES].get_template("web/experiment.html.j2").render(
        experiment=experiment, rows=_rows(report), warnings=report.warnings(), guardrails=_guardrails(report),
        srm={"observed": list(a.srm.observed), "expected": [round(x, 1) for x in a.srm.expected],
             "p": _p(a.srm.p_value), "mismatch": a.srm.mismatch},
        analysis=a, charts=charts, organisation=runtime.settings.organisation,
        now=runtime.clock.now().astimezone(runtime.settings.reminders.timezone),
    )
    return web.Response(text=page, content_type="text/html")


def setup(app: web.Application) -> None:
    """Add this area's routes to the app (the runtime is `app[RUNTIME]`, pages `app[PAGES]`, from web.keys)."""
    app.router.add_get("/experiments", experiment_list)
    app.router.add_get("/experiments/{key}", experiment_report)
