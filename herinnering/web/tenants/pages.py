"""Web routes for finding and opening any tenant (`/huurders`): search by name, contract, phone,
postcode or message text; the tenant's page with or without a conversation; starting an
outbound conversation; what an officer does from it (arrangement made, changed or cancelled,
pause, letter); and the team's list of active arrangements (`/regelingen`). Handlers only call
services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from aiohttp import web

from herinnering.errors import BadInput, HerinneringError
from herinnering.services.conversations import team_threads, tenant_view
from herinnering.services.payments import arrangement_changes
from herinnering.services.tenants import actions as tenant_actions
from herinnering.web.auth import Handler, login_required, officer, page, redirect
from herinnering.web.keys import RUNTIME


@login_required()
async def search_page(request: web.Request) -> web.Response:
    q = request.query.get("q", "")[:100]
    found = await tenant_view.search(request.app[RUNTIME], q) if q.strip() else []
    return page(request, "web/tenants.html.j2", q=q, found=found)


def tenant_id_in_path(request: web.Request) -> int:
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
    found = await tenant_view.panel(runtime, tenant_id_in_path(request))
    if found is None:
        raise web.HTTPNotFound(text="tenant not found")
    await tenant_view.record_view(runtime, me.id, me.email, found.tenant.id)
    return page(request, "web/tenant.html.j2", p=found, tz=runtime.settings.reminders.timezone,
                notice=request.query.get("notice", ""), detail=request.query.get("detail", "")[:300])


@login_required()
async def start_conversation(request: web.Request) -> web.StreamResponse:
    try:
        thread_id = await team_threads.start(request.app[RUNTIME], tenant_id_in_path(request), officer(request))
    except HerinneringError:
        raise web.HTTPNotFound(text="tenant not found") from None
    return redirect(f"/inbox/threads/{thread_id}?notice=take-over")


def _cents(text: str) -> int | None:
    text = text.replace("€", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text.replace(".", "").replace(",", ".") if "," in text else text)
    except InvalidOperation:
        raise BadInput(f"{text!r} is not an amount like 745,50") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise BadInput(f"{text!r} must be positive with at most two decimals")
    return int(amount * 100)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise BadInput(f"{text!r} is not a date") from None


def _tenant_action(name: str) -> Handler:
    @login_required()
    async def handler(request: web.Request) -> web.StreamResponse:
        runtime, me, tenant_id = request.app[RUNTIME], officer(request), tenant_id_in_path(request)
        form = await request.post()
        try:
            if name == "regeling":
                first = _day(str(form.get("first", "")))
                if first is None:
                    raise BadInput("give the date of the first instalment")
                await tenant_actions.arrange(runtime, tenant_id, me, count=int(str(form.get("count", "0")) or 0),
                                             first=first, every=str(form.get("every", "month")),
                                             amount_cents=_cents(str(form.get("amount", ""))))
                notice = "arrangement"
            elif name == "pauze":
                until = None if form.get("open_ended") else _day(str(form.get("until", "")))
                if until is None and not form.get("open_ended"):
                    raise BadInput("give a last paused day, or choose open-ended")
                await tenant_actions.set_pause(runtime, tenant_id, me, until, str(form.get("reason", "")))
                notice = "paused"
            elif name == "hervatten":
                await tenant_actions.resume(runtime, tenant_id, me)
                notice = "resumed"
            else:
                await tenant_actions.letter(runtime, tenant_id, me, str(form.get("kind", "written_reminder")))
                notice = "letter"
        except (HerinneringError, ValueError) as exc:
            return redirect(f"/huurders/{tenant_id}?" + urlencode({"notice": "refused", "detail": str(exc)[:300]}))
        return redirect(f"/huurders/{tenant_id}?notice={notice}")

    return handler


def _arrangement_action(name: str) -> Handler:
    """Change (`wijzigen`) or cancel (`stoppen`) one of the tenant's arrangements, with a reason."""
    @login_required()
    async def handler(request: web.Request) -> web.StreamResponse:
        runtime, me, tenant_id = request.app[RUNTIME], officer(request), tenant_id_in_path(request)
        try:
            arrangement_id = int(request.match_info["arrangement_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        form = await request.post()
        reason = str(form.get("reason", ""))[:500]
        try:
            if name == "wijzigen":
                first = _day(str(form.get("first", "")))
                if first is None:
                    raise BadInput("give the date of the first instalment")
                await tenant_actions.change_arrangement(
                    runtime, tenant_id, me, arrangement_id, count=int(str(form.get("count", "0")) or 0), first=first,
                    every=str(form.get("every", "month")), reason=reason)
                notice = "changed"
            else:
                await tenant_actions.cancel_arrangement(runtime, tenant_id, me, arrangement_id, reason)
                notice = "cancelled"
        except (HerinneringError, ValueError) as exc:
            return redirect(f"/huurders/{tenant_id}?" + urlencode({"notice": "refused", "detail": str(exc)[:300]}))
        return redirect(f"/huurders/{tenant_id}?notice={notice}")

    return handler


@login_required()
async def arrangements_page(request: web.Request) -> web.Response:
    """Every active payment arrangement of the team: paid so far, the next instalment, any missed."""
    return page(request, "web/arrangements.html.j2", plans=await arrangement_changes.team_list(request.app[RUNTIME]))


def setup(app: web.Application) -> None:
    app.router.add_get("/regelingen", arrangements_page)
    for name in ("wijzigen", "stoppen"):
        app.router.add_post(f"/huurders/{{tenant_id}}/regeling/{{arrangement_id}}/{name}", _arrangement_action(name))
    app.router.add_get("/huurders", search_page)
    app.router.add_get("/huurders/{tenant_id}", tenant_page)
    app.router.add_post("/huurders/{tenant_id}/gesprek", start_conversation)
    for name in ("regeling", "pauze", "hervatten", "brief"):
        app.router.add_post(f"/huurders/{{tenant_id}}/{name}", _tenant_action(name))
