"""Use cases: what an officer does with a conversation.

Take over (the bot falls silent), reply (an outbox message of kind officer_reply), hand back
to the bot, assign to a colleague, add a note, pause or resume the tenant's reminders
(pauzeknop). Each action is one transaction that also writes the audit log (who, what, when,
which tenant) and, where it concerns the tenant, an event on their timeline.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import message_store, outbox, tenant_store, thread_store, user_store
from herinnering.adapters.templates import MessageTemplates
from herinnering.domain.conversations.threads import Action
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import NotFound, NotOwner, ThreadError
from herinnering.runtime import Runtime
from herinnering.services.conversations import objections
from herinnering.services.conversations.objections import TenantObjected
from herinnering.services.reminders import whatsapp

log = logging.getLogger(__name__)
MAX_REPLY = 1000


async def _refuse_if_not_holder(connection: Any, thread: Any, officer: Officer) -> None:
    if thread.owner == "officer" and thread.assigned_to is not None and thread.assigned_to != officer.id:
        holder = await user_store.by_id(connection, thread.assigned_to)
        raise NotOwner(holder.name if holder is not None else f"#{thread.assigned_to}", thread)


@dataclass(frozen=True)
class Officer:
    id: int
    email: str
    name: str
    role: str
    language: str = "nl"  # of the pages this officer reads (web/i18n.py)


async def _thread(connection: Any, thread_id: int) -> Any:
    thread = await thread_store.get(connection, thread_id)
    if thread is None:
        raise NotFound(f"conversation {thread_id} does not exist")
    return thread


async def _audit(connection: Any, officer: Officer, action: str, thread: Any, now: Any, **data: Any) -> None:
    await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action=action, now=now,
                           tenant_id=thread.tenant_id, thread_id=thread.id, **data)


async def take_over(runtime: Runtime, thread_id: int, officer: Officer) -> bool:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        moved = await thread_store.move_owner(connection, thread_id, Action.TAKE_OVER, now, user_id=officer.id)
        if moved:
            await _audit(connection, officer, "take_over", thread, now)
            if thread.tenant_id:
                await event_log.append(connection, [event_log.event(
                    thread.tenant_id, "thread_taken_over", now, thread_id=thread_id, officer=officer.email)])
    return moved


async def hand_back(runtime: Runtime, thread_id: int, officer: Officer) -> bool:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        moved = await thread_store.move_owner(connection, thread_id, Action.HAND_BACK, now)
        if moved:
            await _audit(connection, officer, "hand_back", thread, now)
            if thread.tenant_id:
                await event_log.append(connection, [event_log.event(
                    thread.tenant_id, "thread_handed_back", now, thread_id=thread_id, officer=officer.email)])
    return moved


async def assign(runtime: Runtime, thread_id: int, officer: Officer, colleague_id: int) -> bool:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        colleague = await user_store.by_id(connection, colleague_id)
        if colleague is None or not colleague.active:
            raise NotFound(f"colleague {colleague_id} does not exist")
        moved = await thread_store.move_owner(connection, thread_id, Action.ASSIGN, now, user_id=colleague_id)
        if moved:
            await _audit(connection, officer, "assign", thread, now, to=colleague.email)
    return moved


async def reply(runtime: Runtime, thread_id: int, officer: Officer, text: str, nonce: str) -> bool:
    """Send the officer's text; `nonce` (from the form) makes a double submit send once.

    On WhatsApp inside the 24-hour window as text, outside it as the approved officer_reply
    template (services/reminders/whatsapp.py); SMS when WhatsApp cannot be used."""
    text = " ".join(text.split())
    if not text:
        raise ThreadError("an empty reply cannot be sent")
    if len(text) > MAX_REPLY:
        raise ThreadError(f"a reply may have at most {MAX_REPLY} characters")
    now = runtime.clock.now()
    try:
        async with runtime.db.begin() as connection:
            thread = await _thread(connection, thread_id)
            await _refuse_if_not_holder(connection, thread, officer)
            if thread.owner != "officer":
                if not await thread_store.move_owner(connection, thread_id, Action.TAKE_OVER, now, user_id=officer.id):
                    raise ThreadError("take the conversation over before replying")
                await _audit(connection, officer, "take_over", thread, now)
            form = await whatsapp.reply_form(connection, runtime.settings, thread, now)  # template outside the window
            channel = form.channel
            language = thread.language or runtime.settings.reminders.default_language
            rows = await outbox.insert_planned(connection, [{
                "tenant_id": thread.tenant_id,
                "recipient": ("whatsapp:" if channel == "whatsapp" else "") + thread.phone,
                "kind": "officer_reply", "period": now.strftime("%Y-%m"),
                "idempotency_key": f"officer_reply:{thread_id}:{nonce[:64]}", "channel": channel,
                "template": MessageTemplates.name("officer_reply", channel, language), "variant": "default",
                "state": MessageState.PLANNED.value, "send_at": now, "not_after": None, "attempts": 0,
                "body": text, "context": {"text": text, "whatsapp_form": form.form.value}, "created_at": now,
                "updated_at": now,
            }])
            if not rows:
                return False
            await thread_store.store_outbound(connection, thread_id, author="officer", channel=channel, body=text,
                                              now=now, message_id=rows[0].id, user_id=officer.id)
            await thread_store.mark_answered(connection, thread_id, now)
            await _audit(connection, officer, "reply", thread, now, message_id=rows[0].id, channel=channel,
                         form=form.form.value)
            if thread.tenant_id:
                await event_log.append(connection, [event_log.event(
                    thread.tenant_id, "officer_reply", now, rows[0].id, officer=officer.email)])
    except NotOwner as refused:  # on record, in a transaction of its own
        async with runtime.db.begin() as connection:
            await _audit(connection, officer, "reply_refused", refused.thread, now, holder=refused.thread.assigned_to)
        log.info("reply on thread %s refused: officer %s is not its holder", thread_id, officer.id)
        raise
    return True


async def add_note(runtime: Runtime, thread_id: int, officer: Officer, text: str) -> None:
    text = text.strip()
    if not text:
        raise ThreadError("an empty note cannot be added")
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        await _audit(connection, officer, "note", thread, now)
        if thread.tenant_id:
            await event_log.append(connection, [event_log.event(
                thread.tenant_id, "officer_note", now, thread_id=thread_id, officer=officer.email, note=text[:2000])])


async def set_pause(runtime: Runtime, thread_id: int, officer: Officer, until: date | None) -> None:
    """Pauzeknop: no reminders for the tenant until `until` (None: resume now)."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        if thread.tenant_id is None:
            raise ThreadError("an unknown number has no reminders to pause")
        await tenant_store.set_pause(connection, thread.tenant_id, until, now)
        action = "pause" if until else "resume"
        data: dict[str, Any] = {"until": until.isoformat()} if until else {}
        await _audit(connection, officer, action, thread, now, **data)
        await event_log.append(connection, [event_log.event(
            thread.tenant_id, "paused" if until else "pause_lifted", now, officer=officer.email, **data)])


async def record_objection(runtime: Runtime, thread_id: int, officer: Officer, text: str, channel: str) -> int:
    """The tenant objects (on the phone, at the desk, in this thread) to passing their data to the
    municipality: it blocks the early-warning signal of every open case. Returns the cases."""
    text = text.strip()
    if not text:
        raise ThreadError("write down what the tenant said")
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        if thread.tenant_id is None:
            raise ThreadError("an unknown number has no arrears case")
        found = await objections.publish(connection, TenantObjected(
            thread.tenant_id, channel=channel, text=text[:MAX_REPLY], by=officer.email,
            key=f"inbox:{thread_id}:{now:%Y%m%dT%H%M%S}", occurred_at=now))
        cases = sum(int(row["data"]["cases"]) for row in found if row["type"] == "objection_recorded")
        if not cases:
            raise ThreadError("the tenant has no open arrears case to object for")
        await event_log.append(connection, found)
        await _audit(connection, officer, "objection", thread, now, cases=cases)
    return cases


async def open_thread(runtime: Runtime, thread_id: int) -> tuple[Any, list[Any], list[Any]]:
    """The thread, its messages and the tenant's timeline; reading it clears its unread count."""
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        await thread_store.mark_read(connection, thread_id)
        conversation = await thread_store.messages_of(connection, thread_id)
        timeline = await event_log.for_tenant(connection, thread.tenant_id) if thread.tenant_id else []
        ids = [m.message_id for m in conversation if m.message_id]
        states = await message_store.states_of(connection, ids)
        attached: dict[int, list[Any]] = {}
        for media in await thread_store.media_of(connection, [m.id for m in conversation if m.direction == "in"]):
            attached.setdefault(media.thread_message_id, []).append(media)
    shown = [{**m._mapping, "state": states.get(m.message_id), "media": attached.get(m.id, [])}
             for m in conversation]
    return thread, shown, timeline


async def inbox(runtime: Runtime, officer: Officer, *, view: str, search: str, status: str) -> tuple[list[Any], Any]:
    """The officer's inbox as filtered, and the counts beside it."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        rows = await thread_store.inbox(connection, view=view, user_id=officer.id, search=search, status=status, now=now)
        counts = await thread_store.counts(connection, officer.id, now)
    return rows, counts


@dataclass(frozen=True)
class ThreadPage:
    colleagues: list[Any]
    form: Any            # whatsapp.reply_form's answer: the form a reply goes out in
    order: list[int]     # the inbox's thread ids, for previous/next


async def page_of(runtime: Runtime, thread: Any, officer: Officer) -> ThreadPage:
    """What the thread page shows beside the conversation; reading a tenant's conversation is in
    the audit log too."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="view_thread",
                               now=now, tenant_id=thread.tenant_id, thread_id=thread.id)
        colleagues = await user_store.colleagues(connection)
        form = await whatsapp.reply_form(connection, runtime.settings, thread, now)
        order = [row.id for row in await thread_store.inbox(connection, view="all", user_id=officer.id)]
    return ThreadPage(list(colleagues), form, order)
