"""The Wgs export per municipality for team leads (`/wgs`), and a tenant's proof bundle as PDF
(`/huurders/{id}/bewijs.pdf`); handlers call services only."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from aiohttp import web

from herinnering.errors import HerinneringError
from herinnering.services.legal import proof, wgs_screen
from herinnering.web.auth import TEAM_LEADS, login_required, officer, page, redirect
from herinnering.web.keys import RUNTIME


def _since(request: web.Request, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return request.app[RUNTIME].clock.now().date() - timedelta(days=365)


@login_required(*TEAM_LEADS)
async def wgs_page(request: web.Request) -> web.Response:
    since = _since(request, request.query.get("since", ""))
    export = await wgs_screen.collect(request.app[RUNTIME], since)
    by_place: dict[str, list[object]] = {}
    for row in export.rows:
        by_place.setdefault(row.municipality, []).append(row)
    return page(request, "web/wgs.html.j2", since=since, places=sorted(by_place.items()), refused=export.refused,
                notice=request.query.get("notice", ""), detail=request.query.get("detail", ""))


@login_required(*TEAM_LEADS)
async def wgs_csv(request: web.Request) -> web.Response:
    since, place = _since(request, request.query.get("since", "")), request.query.get("gemeente", "")
    export = wgs_screen.only(await wgs_screen.collect(request.app[RUNTIME], since), place)
    name = "".join(c for c in place if c.isalnum()) or "gemeente"
    return web.Response(text=export.csv(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="wgs-{name}.csv"'})


@login_required(*TEAM_LEADS)
async def wgs_signalled(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    since = _since(request, str(form.get("since", "")))
    count = await wgs_screen.mark_signalled(request.app[RUNTIME], officer(request), since, str(form.get("gemeente", "")))
    return redirect("/wgs?" + urlencode({"since": since.isoformat(), "notice": "signalled", "detail": str(count)}))


@login_required()
async def proof_pdf(request: web.Request) -> web.Response:
    runtime, me = request.app[RUNTIME], officer(request)
    try:
        tenant_id = int(request.match_info["tenant_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    try:
        found = await proof.build_for_officer(runtime, tenant_id, user_id=me.id, user_email=me.email)
    except HerinneringError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    if found is None:
        raise web.HTTPNotFound(text="tenant not found")
    tenant, bundle = found
    return web.Response(body=bundle.pdf, content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="bewijs-{tenant.external_id}.pdf"'})


def setup(app: web.Application) -> None:
    app.router.add_get("/wgs", wgs_page)
    app.router.add_get("/wgs.csv", wgs_csv)
    app.router.add_post("/wgs/gemeld", wgs_signalled)
    app.router.add_get("/huurders/{tenant_id}/bewijs.pdf", proof_pdf)
