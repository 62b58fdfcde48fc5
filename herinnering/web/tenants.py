"""Web routes for finding and opening any tenant (`/huurders`): search by name, contract, phone,
postcode or message text; the tenant's page with or without a conversation; starting an
outbound conversation. Handlers only call services."""

from __future__ import annotations

from aiohttp import web

from herinnering.adapters.db import user_store
from herinnering.errors import HerinneringError
from herinnering.services import team_threads, tenant_view
from herinnering.web.auth import login_required, officer, page, redirect
from herinnering.web.keys import RUNTIME


@login_required()
async def search_page(request: web.Request) -> web.Response:
    q = request.query.get("q", "")[:100]
    found = await tenant_view.search(request.app[RUNTIME], q) if q.strip() else []
    return page(request, "web/tenants.html.j2", q=q, found=found)


def _tenant_id(request: web.Request) -> int:
    try:
        value = int(request.match_info["tenant_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 < value < 2**62:
        raise web.HTTPNotFound()
    return value


@login_required()
async def tenant_page(request: web.Request) -> web.Response:
    runtime, me = request.app[RUNTIME], officer(request)
    found = await tenant_view.panel(runtime, _tenant_id(request))
    if found is None:
        raise web.HTTPNotFound(text="tenant not found")
    async with runtime.db.begin() as connection:  # looking at a tenant is in the audit log, like a thread
        await user_store.audit(connection, user_id=me.id, user_email=me.email, action="view_tenant",
                               now=runtime.clock.now(), tenant_id=found.tenant.id)
    return page(request, "web/tenant.html.j2", p=found, tz=runtime.settings.reminders.timezone,
                notice=request.query.get("notice", ""), detail=request.query.get("detail", "")[:300])


@login_required()
async def start_conversation(request: web.Request) -> web.StreamResponse:
    try:
        thread_id = await team_threads.start(request.app[RUNTIME], _tenant_id(request), officer(request))
    except HerinneringError:
        raise web.HTTPNotFound(text="tenant not found") from None
    return redirect(f"/inbox/threads/{thread_id}?notice=take-over")


def setup(app: web.Application) -> None:
    app.router.add_get("/huurders", search_page)
    app.router.add_get("/huurders/{tenant_id}", tenant_page)
    app.router.add_post("/huurders/{tenant_id}/gesprek", start_conversation)
