"""The re-collection file on screen (`/herincasso`, team leads): what would be re-collected per
date, making the pain.008 file, downloading it as made, and marking it handed to the bank.
Handlers call `services.recollection_screen` only."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from herinnering.errors import HerinneringError
from herinnering.services.payments import recollection_screen
from herinnering.web.auth import TEAM_LEADS, login_required, officer, page, redirect
from herinnering.web.keys import RUNTIME
from herinnering.web.security import form_id


def _refused(exc: Exception) -> web.StreamResponse:
    return redirect("/herincasso?" + urlencode({"notice": "refused", "detail": str(exc)[:300]}))


@login_required(*TEAM_LEADS)
async def recollections_page(request: web.Request) -> web.Response:
    found = await recollection_screen.overview(request.app[RUNTIME])
    return page(request, "web/recollections.html.j2", o=found, tz=request.app[RUNTIME].settings.reminders.timezone,
                notice=request.query.get("notice", ""),
                detail=request.query.get("detail", "")[:300])


@login_required(*TEAM_LEADS)
async def make_file(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        collect_on = date.fromisoformat(str(form.get("collect_on", "")))
        made = await recollection_screen.make_file(request.app[RUNTIME], officer(request), collect_on)
    except (HerinneringError, ValueError) as exc:
        return _refused(exc)
    if made.batch_id is None:
        return redirect("/herincasso?" + urlencode({"notice": "nothing", "detail": str(len(made.left_out))}))
    return redirect("/herincasso?" + urlencode({"notice": "made", "detail": str(made.batch_id)})
                    + f"#batch-{made.batch_id}")


def _batch_id(request: web.Request) -> int:
    found = form_id(request.match_info["batch_id"])
    if found is None:
        raise web.HTTPNotFound()
    return found


@login_required(*TEAM_LEADS)
async def download(request: web.Request) -> web.Response:
    try:
        batch = await recollection_screen.download(request.app[RUNTIME], officer(request), _batch_id(request))
    except HerinneringError:
        raise web.HTTPNotFound(text="no such file") from None
    name = f"herincasso-{batch.collect_on.isoformat()}-{batch.id}.xml"
    return web.Response(body=batch.xml, content_type="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@login_required(*TEAM_LEADS)
async def handed(request: web.Request) -> web.StreamResponse:
    batch_id = _batch_id(request)
    try:
        await recollection_screen.mark_handed(request.app[RUNTIME], officer(request), batch_id)
    except HerinneringError as exc:
        return _refused(exc)
    return redirect("/herincasso?" + urlencode({"notice": "handed", "detail": str(batch_id)}) + f"#batch-{batch_id}")


def setup(app: web.Application) -> None:
    app.router.add_get("/herincasso", recollections_page)
    app.router.add_post("/herincasso/bestand", make_file)
    app.router.add_get("/herincasso/bestanden/{batch_id}.xml", download)
    app.router.add_post("/herincasso/bestanden/{batch_id}/bank", handed)
