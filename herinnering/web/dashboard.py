"""The team lead's dashboard (`/dashboard`): figures from services/dashboard.py drawn as inline
SVG bars, each with its numbers in a table beside it."""

from __future__ import annotations

from aiohttp import web

from herinnering.services import dashboard
from herinnering.web.auth import TEAM_LEADS, login_required, page
from herinnering.web.keys import RUNTIME


@login_required(*TEAM_LEADS)
async def dashboard_page(request: web.Request) -> web.Response:
    found = await dashboard.dashboard(request.app[RUNTIME])
    return page(request, "web/dashboard.html.j2", d=found)


def setup(app: web.Application) -> None:
    app.router.add_get("/dashboard", dashboard_page)
