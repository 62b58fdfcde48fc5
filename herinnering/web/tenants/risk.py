"""The team lead's early-warning page (issue 10): GET /risico.

Who is at risk this month (with the reasons), tenants per segment per day as a plot, and the
cases ready for the municipality — each row one click from the tenant's conversation.
Team leads and admins only.
"""

from __future__ import annotations

import asyncio
import base64

from aiohttp import web

from herinnering.services.tenants import risk
from herinnering.web.auth import TEAM_LEADS, login_required, page
from herinnering.web.keys import RUNTIME


@login_required(*TEAM_LEADS)
async def risk_page(request: web.Request) -> web.Response:
    risky, wgs, counts = await risk.overview(request.app[RUNTIME])
    plot = ""
    if counts:
        plot = base64.b64encode(await asyncio.to_thread(risk.segment_plot, counts)).decode("ascii")
    return page(request, "web/risico.html.j2", risky=risky, wgs=wgs, plot=plot)


def setup(app: web.Application) -> None:
    app.router.add_get("/risico", risk_page)
