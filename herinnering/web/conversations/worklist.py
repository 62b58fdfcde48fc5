"""Web routes of the team's work list (`/werk`): every open task, the action that completes it on
the same screen, and the counts the navigation shows (`/nav.json`). Handlers only read the form
and call services/conversations/worklist.py."""

from __future__ import annotations

import logging
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from herinnering.domain.conversations.calls import OUTCOMES
from herinnering.errors import HerinneringError
from herinnering.services.conversations import worklist
from herinnering.web.auth import Handler, login_required, officer, page, redirect
from herinnering.web.keys import RUNTIME

log = logging.getLogger(__name__)


def _back(request: web.Request, notice: str, **extra: str) -> web.Response:
    query = {k: v for k, v in (("view", request.query.get("view", "")), ("kind", request.query.get("kind", "")))
             if v}
    return redirect("/werk?" + urlencode({**query, "notice": notice, **extra}))


@login_required()
async def work_page(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    found = await worklist.work_list(runtime, officer(request), request.query.get("view", "all"),
                                     request.query.get("kind", "all"))
    batches = await worklist.open_batches(runtime)
    return page(request, "web/werk.html.j2", work=found, outcomes=OUTCOMES, batches=batches,
                today=runtime.clock.now().astimezone(runtime.settings.reminders.timezone).date(), tz=runtime.settings.reminders.timezone,
                notice=request.query.get("notice", ""), detail=request.query.get("detail", ""),
                posted=request.query.get("posted", "0"), made=request.query.get("made", "0"),
                now=runtime.clock.now())


def _task_id(request: web.Request) -> int:
    try:
        return int(request.match_info["task_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


def _action(name: str) -> Handler:
    @login_required()
    async def handler(request: web.Request) -> web.StreamResponse:
        runtime, me, task_id = request.app[RUNTIME], officer(request), _task_id(request)
        form = await request.post()
        try:
            if name == "call":
                outcome = await worklist.record_call(runtime, task_id, me, str(form.get("outcome", "")),
                                                     str(form.get("note", "")))
                return _back(request, "call", detail=outcome.key)
            if name == "match":
                change = await worklist.match_payment(runtime, task_id, me, str(form.get("contract", "")),
                                                      str(form.get("period", "")))
                return _back(request, "match", detail=change.period)
            if name == "check":
                await worklist.check_claim(runtime, task_id, me, form.get("found") == "yes", str(form.get("note", "")))
            elif name == "done":
                await worklist.complete(runtime, task_id, me, str(form.get("note", "")))
            elif name == "take":
                await worklist.take(runtime, task_id, me)
        except HerinneringError as exc:
            log.info("work list action %s on task %s refused: %s", name, task_id, exc)
            return _back(request, "refused", detail=str(exc)[:300])
        return _back(request, name)

    return handler


@login_required()
async def batch_letters(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        ids = [int(str(v)) for v in form.getall("task_id", [])]
    except ValueError:
        raise web.HTTPBadRequest(text="task_id must be numbers") from None
    if not ids:
        return _back(request, "refused", detail="no letters chosen")
    try:
        batch = await worklist.batch_letters(request.app[RUNTIME], ids, officer(request))
    except HerinneringError as exc:
        return _back(request, "refused", detail=str(exc)[:300])
    refused = "; ".join(f"#{i}: {why}" for i, why in batch.refused)[:300]
    if batch.batch_id is None:
        return _back(request, "refused", detail=refused)
    return _back(request, "batch", detail=refused, made=str(len(batch.made)), batch=str(batch.batch_id))


def _batch_id(request: web.Request) -> int:
    try:
        return int(request.match_info["batch_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


@login_required()
async def batch_posted(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    try:
        day = date.fromisoformat(str(form.get("posted_on", ""))) if form.get("posted_on") else None
        posted = await worklist.mark_posted(request.app[RUNTIME], _batch_id(request), officer(request), day)
    except (HerinneringError, ValueError) as exc:
        return _back(request, "refused", detail=str(exc)[:300])
    return _back(request, "posted", posted=str(posted))


@login_required()
async def batch_pdf(request: web.Request) -> web.Response:
    document = await worklist.batch_pdf(request.app[RUNTIME], _batch_id(request))
    if document is None:
        raise web.HTTPNotFound(text="post batch not found")
    return web.Response(body=document, content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="printstapel-{_batch_id(request)}.pdf"'})


@login_required()
async def nav_counts(request: web.Request) -> web.Response:
    """What the navigation shows on every page: open tasks, unread messages."""
    return web.json_response(await worklist.nav_counts(request.app[RUNTIME], officer(request)))


def setup(app: web.Application) -> None:
    app.router.add_get("/werk", work_page)
    for name in ("call", "match", "check", "done", "take"):
        app.router.add_post(f"/werk/tasks/{{task_id}}/{name}", _action(name))
    app.router.add_post("/werk/letters", batch_letters)
    app.router.add_post("/werk/batches/{batch_id}/posted", batch_posted)
    app.router.add_get("/werk/batches/{batch_id}.pdf", batch_pdf)
    app.router.add_get("/nav.json", nav_counts)
