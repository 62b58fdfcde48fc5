"""Web routes of the conversations area: the inbound webhook and the officers' inbox.

`POST /webhooks/twilio/inbound` checks the signature like the status webhook, stores the
message through `services.inbound` and answers with empty TwiML (replies leave through the
outbox). The inbox pages are server-rendered; a little JavaScript asks
`/inbox/live.json` (and `/inbox/threads/<id>/live.json`) for the freshly rendered list,
which answers as soon as something changes in this process, or after a few seconds (so what
another web process changed, and who has a thread open there, shows within that wait).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from herinnering.adapters.db import thread_store
from herinnering.errors import HerinneringError, NotFound
from herinnering.services.conversations import inbound, replies, team_threads, tenant_view
from herinnering.services.conversations import threads as thread_service
from herinnering.web import auth, security
from herinnering.web.auth import login_required, officer, page, redirect
from herinnering.web.errors import status_for
from herinnering.web.keys import PAGES, RUNTIME
from herinnering.web.reminders.webhooks import signed_form

log = logging.getLogger(__name__)
LIVE_WAIT_SECONDS = 5.0
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class InboxSignal:
    """A counter that moves whenever a conversation changes; the live view waits on it."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = asyncio.Event()

    def bump(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> None:
        if seen != self.version:
            return
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout)


SIGNAL = web.AppKey("inbox_signal", InboxSignal)


async def inbound_webhook(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    form = await signed_form(request, runtime)
    message = inbound.Inbound.from_form(form)
    if not message.sid or not message.phone:
        raise web.HTTPBadRequest(text="MessageSid and From are required")
    if len(message.sid) > 64 or len(message.phone) > 20:  # the columns' sizes; Twilio's are far shorter
        raise web.HTTPBadRequest(text="MessageSid (at most 64 characters) or From (a phone number) is malformed")
    result = await inbound.receive(runtime, message)
    if result.stored:
        request.app[SIGNAL].bump()
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


def _view(request: web.Request) -> tuple[str, str]:
    view = request.query.get("filter", "all")
    return (view if view in thread_store.FILTERS else "all"), request.query.get("q", "")[:100]


def _status(request: web.Request) -> str:
    status = request.query.get("status", "")
    return status if status in thread_store.STATUSES else ""


async def _list(request: web.Request) -> dict[str, Any]:
    view, search = _view(request)
    status = _status(request)
    rows, counts = await thread_service.inbox(request.app[RUNTIME], officer(request), view=view, search=search,
                                              status=status)
    return {"threads": rows, "counts": counts, "view": view, "q": search, "status_filter": status,
            "statuses": thread_store.STATUSES}


def _zone(request: web.Request) -> Any:
    return request.app[RUNTIME].settings.reminders.timezone


@login_required()
async def inbox_page(request: web.Request) -> web.Response:
    return page(request, "web/inbox.html.j2", tz=_zone(request), version=request.app[SIGNAL].version,
                filters=thread_store.FILTERS, **await _list(request))


async def _wait_for_change(request: web.Request) -> Any:
    """Long-poll: answer when something changed since version `v`, or after a few seconds."""
    signal = request.app[SIGNAL]
    try:
        seen = int(request.query.get("v", "-1"))
    except ValueError:
        seen = -1
    await signal.wait(seen, LIVE_WAIT_SECONDS)
    return signal


@login_required()
async def inbox_live(request: web.Request) -> web.Response:
    signal = await _wait_for_change(request)
    data = await _list(request)
    html = request.app[PAGES].get_template("web/_thread_list.html.j2").render(tz=_zone(request), **data)
    return web.json_response({"version": signal.version, "html": html, "counts": data["counts"],
                              "rows": _rows(html)})


def _thread_id(request: web.Request) -> int:
    try:
        return int(request.match_info["thread_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _conversation_html(request: web.Request, thread_id: int) -> tuple[Any, str, list[Any]]:
    try:
        thread, conversation, timeline = await thread_service.open_thread(request.app[RUNTIME], thread_id)
    except NotFound:
        raise web.HTTPNotFound(text="conversation not found") from None
    conversation = await tenant_view.with_answering(request.app[RUNTIME], thread.tenant_id, conversation)
    html = request.app[PAGES].get_template("web/_conversation.html.j2").render(
        thread=thread, conversation=conversation, tz=_zone(request))
    return thread, html, timeline


@login_required()
async def thread_page(request: web.Request) -> web.Response:
    thread_id = _thread_id(request)
    thread, conversation_html, timeline = await _conversation_html(request, thread_id)
    runtime = request.app[RUNTIME]
    me = officer(request)
    shown = await thread_service.page_of(runtime, thread, me)
    colleagues, form, order = shown.colleagues, shown.form, shown.order
    at = order.index(thread.id) if thread.id in order else -1
    holder = thread.assignee_name if thread.owner == "officer" and thread.assigned_to != me.id else None
    today = runtime.clock.now().astimezone(_zone(request)).date()
    return page(request, "web/thread.html.j2", thread=thread, conversation_html=conversation_html, reply_form=form.form.value,
                timeline=list(reversed(timeline)), colleagues=colleagues, tz=_zone(request),
                version=request.app[SIGNAL].version, nonce=secrets.token_urlsafe(16), today=today,
                notice=request.query.get("notice", ""), detail=request.query.get("detail", "")[:200],
                confirm=holder if request.query.get("confirm") == "1" else None,
                tenant_panel=await tenant_view.panel(runtime, thread.tenant_id) if thread.tenant_id else None,
                canned=replies.canned_for(thread.language or "nl") if thread.tenant_id else [],
                prev_id=order[at - 1] if at > 0 else None,
                next_id=order[at + 1] if 0 <= at < len(order) - 1 else None)


@login_required()
async def thread_live(request: web.Request) -> web.Response:
    """The conversation as it is now, its holder and who else has it open (and is typing)."""
    thread_id, me = _thread_id(request), officer(request)
    runtime = request.app[RUNTIME]
    try:
        news = await team_threads.mark_presence(runtime, thread_id, me, request.query.get("typing") == "1")
    except NotFound:
        raise web.HTTPNotFound(text="conversation not found") from None
    if news:
        request.app[SIGNAL].bump()  # colleagues on this thread in this process see the newcomer now
    signal = await _wait_for_change(request)
    thread, html, _ = await _conversation_html(request, thread_id)
    others = await team_threads.others_present(runtime, thread_id, me)
    return web.json_response({
        "version": signal.version, "html": html, "owner": thread.owner,
        "holder": thread.assigned_to if thread.owner == "officer" else None,
        "holder_name": thread.assignee_name if thread.owner == "officer" else None,
        "mine": thread.owner == "officer" and thread.assigned_to == me.id,
        "others": [{"name": name, "typing": typing} for name, typing in others],
    })


def _action(name: str) -> auth.Handler:
    @login_required()
    async def handler(request: web.Request) -> web.StreamResponse:
        thread_id = _thread_id(request)
        form = await request.post()
        runtime, me = request.app[RUNTIME], officer(request)
        notice = name
        try:
            if name == "take-over":
                seen = str(form.get("seen_holder", ""))
                await team_threads.take_over(runtime, thread_id, me, security.form_id(seen),
                                             form.get("confirmed") == "1")
            elif name == "hand-back":
                await thread_service.hand_back(runtime, thread_id, me)
            elif name == "reply":
                sent = await replies.send(runtime, thread_id, me, str(form.get("text", "")),
                                          str(form.get("nonce", "")) or secrets.token_urlsafe(16))
                notice = "reply" if sent else "duplicate"
            elif name == "assign":
                await thread_service.assign(runtime, thread_id, me, security.form_id(form.get("user_id")) or 0)
            elif name == "note":
                await thread_service.add_note(runtime, thread_id, me, str(form.get("note", "")))
            elif name == "pause":
                until = date.fromisoformat(str(form.get("until", "")))
                await thread_service.set_pause(runtime, thread_id, me, until)
            elif name == "resume":
                await thread_service.set_pause(runtime, thread_id, me, None)
            elif name == "objection":
                await thread_service.record_objection(runtime, thread_id, me, str(form.get("text", "")),
                                                      str(form.get("channel", "phone")))
            elif name == "status":
                await team_threads.set_status(runtime, thread_id, me, str(form.get("status", "")),
                                              _moment(request, str(form.get("until", ""))))
            elif name == "link":
                thread_id = await team_threads.link(runtime, thread_id, me, str(form.get("contract", "")))
        except team_threads.NeedsConfirmation:
            return redirect(f"/inbox/threads/{thread_id}?confirm=1")
        except team_threads.OwnerChanged as exc:
            request.app[SIGNAL].bump()
            return redirect(f"/inbox/threads/{thread_id}?" + urlencode({"notice": "changed", "detail": str(exc)}))
        except thread_service.NotOwner as exc:
            return redirect(f"/inbox/threads/{thread_id}?" + urlencode({"notice": "not_owner", "detail": exc.holder}))
        except replies.ThreatRefused as exc:
            return redirect(f"/inbox/threads/{thread_id}?" + urlencode({"notice": "threat",
                                                                        "detail": ", ".join(exc.words)}))
        except HerinneringError as exc:  # any other refusal: shown on the page, never lost
            log.info("officer action %s on thread %s refused: %s", name, thread_id, exc)
            notice = "refused"
        except ValueError:
            notice = "refused"
        request.app[SIGNAL].bump()
        return redirect(f"/inbox/threads/{thread_id}?notice={notice}")

    return handler


def _moment(request: web.Request, text: str) -> datetime | None:
    """A local date-time from a form (2026-12-05T09:00) as an aware moment; None when empty."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=_zone(request))
    except ValueError:
        raise thread_service.ThreadError(f"{text!r} is not a date and time") from None


def _rows(html: str) -> dict[str, str]:
    """The list's rows by thread id, so the page can change rows in place (and keep focus)."""
    found = {}
    for part in html.split('<tr class="thread"')[1:]:
        row = '<tr class="thread"' + part.split("</tr>")[0] + "</tr>"
        key = row.split('data-thread="', 1)[1].split('"', 1)[0]
        found[key] = row
    return found


@login_required()
async def canned(request: web.Request) -> web.Response:
    """A canned reply with its variables filled in, for the reply box."""
    form = await request.post()
    try:
        text = await replies.fill(request.app[RUNTIME], _thread_id(request), officer(request),
                                  str(form.get("name", "")))
    except HerinneringError as exc:
        return web.json_response({"error": str(exc)}, status=status_for(exc))
    return web.json_response({"text": text, "size": _size(text)})


def _size(text: str) -> dict[str, Any]:
    found = replies.size(text)
    return {"encoding": found.encoding, "units": found.units, "segments": found.segments}


@login_required()
async def sms_size(request: web.Request) -> web.Response:
    """Encoding and SMS segments of the reply being written (domain/reminders/sms.py, as the sender counts)."""
    form = await request.post()
    return web.json_response(_size(str(form.get("text", ""))[:2000]))


async def _wake_waiters(app: web.Application) -> None:
    """Shutting down: answer the live views now instead of at the end of their wait."""
    app[SIGNAL].bump()


def setup(app: web.Application) -> None:
    """Add this area's routes to the app (the runtime is `app[RUNTIME]`, pages `app[PAGES]`, from web.keys)."""
    app[SIGNAL] = InboxSignal()
    app.on_shutdown.append(_wake_waiters)
    auth.setup(app)
    app.router.add_post("/webhooks/twilio/inbound", inbound_webhook)
    app.router.add_get("/inbox", inbox_page)
    app.router.add_get("/inbox/live.json", inbox_live)
    app.router.add_get("/inbox/threads/{thread_id}", thread_page)
    app.router.add_get("/inbox/threads/{thread_id}/live.json", thread_live)
    for name in ("take-over", "hand-back", "reply", "assign", "note", "pause", "resume", "objection", "status", "link"):
        app.router.add_post(f"/inbox/threads/{{thread_id}}/{name}", _action(name))
    app.router.add_post("/inbox/threads/{thread_id}/canned", canned)
    app.router.add_post("/inbox/sms-size.json", sms_size)
