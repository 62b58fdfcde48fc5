"""The audit log for team leads (`/audit`): filtered by officer, tenant, action and date, and the
same selection as a CSV file (`/audit.csv`) — cells a spreadsheet would run as a formula are
quoted."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from herinnering.services.privacy import audit
from herinnering.web.auth import TEAM_LEADS, login_required, page
from herinnering.web.keys import RUNTIME

COLUMNS = ("at", "officer", "action", "contract", "tenant", "thread", "details")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filters(request: web.Request) -> dict[str, str]:
    return {key: request.query.get(key, "")[:100].strip() for key in ("officer", "tenant", "action", "from", "to")}


async def _entries(request: web.Request, filters: dict[str, str]) -> list[Any]:
    runtime = request.app[RUNTIME]
    zone = runtime.settings.reminders.timezone
    start, end = _day(filters["from"]), _day(filters["to"])
    return await audit.search(
        runtime, officer=filters["officer"], tenant=filters["tenant"], action=filters["action"],
        since=datetime.combine(start, time(), zone) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), zone) if end else None,
        limit=5000 if request.path.endswith(".csv") else 500)


@login_required(*TEAM_LEADS)
async def audit_page(request: web.Request) -> web.Response:
    filters = _filters(request)
    actions = await audit.actions(request.app[RUNTIME])
    return page(request, "web/audit.html.j2", entries=await _entries(request, filters), filters=filters,
                actions=actions, query=request.query_string, tz=request.app[RUNTIME].settings.reminders.timezone)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required(*TEAM_LEADS)
async def audit_csv(request: web.Request) -> web.Response:
    zone = request.app[RUNTIME].settings.reminders.timezone
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in await _entries(request, _filters(request)):
        writer.writerow([e.at.astimezone(zone).isoformat(timespec="seconds"), _cell(e.user_email), _cell(e.action),
                         _cell(e.external_id), _cell(e.tenant_name), e.thread_id or "",
                         _cell(json.dumps(e.data, ensure_ascii=False, sort_keys=True))])
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="auditlog.csv"'})


def setup(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page)
    app.router.add_get("/audit.csv", audit_csv)
