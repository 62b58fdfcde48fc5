"""A conversation shared by a team: taking a colleague's thread only after being asked and only
if it is still theirs, the team's status (open, waiting for the tenant, snoozed until, done),
linking an unknown number to a tenant, starting a conversation, and who else has it open.

Presence (viewing, typing) is a hint kept for a few seconds, in the database so that every web
process sees every officer (`thread_presence`, refreshed by each officer's live view)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herinnering.adapters import twilio_media
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import (
    presence_store,
    task_store,
    tenant_store,
    thread_store,
    user_store,
)
from herinnering.adapters.twilio_media import MediaFile
from herinnering.errors import Conflict, NeedsConfirmation, NotFound, OwnerChanged, ThreadError
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer

PRESENCE_SECONDS = 15


async def _thread(connection: Any, thread_id: int) -> Any:
    thread = await thread_store.get(connection, thread_id)
    if thread is None:
        raise NotFound(f"conversation {thread_id} does not exist")
    return thread


async def take_over(runtime: Runtime, thread_id: int, officer: Officer, seen_holder: int | None,
                    confirmed: bool) -> bool:
    """Take the thread; a colleague's only when `confirmed`, and only if `seen_holder` (the holder
    the page showed) still holds it. Returns False when it was yours already."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        holder = thread.assigned_to if thread.owner == "officer" else None
        if holder == officer.id:
            return False
        if holder != seen_holder:
            raise OwnerChanged(f"{thread.assignee_name or 'the bot'} holds this conversation now")
        if holder is not None and not confirmed:
            raise NeedsConfirmation(thread.assignee_name or "a colleague")
        if not await thread_store.take_from(connection, thread_id, seen_holder, officer.id, now):
            raise OwnerChanged("someone else took this conversation a moment ago")
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="take_over", now=now,
                               tenant_id=thread.tenant_id, thread_id=thread_id,
                               **({"from": thread.assignee_name} if holder is not None else {}))
        if thread.tenant_id:
            await event_log.append(connection, [event_log.event(
                thread.tenant_id, "thread_taken_over", now, thread_id=thread_id, officer=officer.email)])
    return True


async def set_status(runtime: Runtime, thread_id: int, officer: Officer, status: str,
                     until: datetime | None = None) -> None:
    if status not in thread_store.STATUSES:
        raise ThreadError(f"status {status!r} is not one of {', '.join(thread_store.STATUSES)}")
    now = runtime.clock.now()
    if status == "snoozed" and (until is None or until <= now):
        raise ThreadError("snooze until a moment in the future")
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        await thread_store.set_status(connection, thread_id, status, until if status == "snoozed" else None, now)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action=f"status_{status}",
                               now=now, tenant_id=thread.tenant_id, thread_id=thread_id,
                               **({"until": until.isoformat()} if until and status == "snoozed" else {}))


async def link(runtime: Runtime, thread_id: int, officer: Officer, contract: str) -> int:
    """The unknown number is this tenant's: the thread joins theirs; returns the thread to show."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        thread = await _thread(connection, thread_id)
        if thread.tenant_id is not None:
            raise Conflict("this conversation already belongs to a tenant")
        tenant = await task_store.tenant_by_contract(connection, contract)
        if tenant is None:
            raise NotFound(f"no tenant has contract {contract.strip()!r}")
        target = await thread_store.link_to_tenant(connection, thread_id, tenant.id, now)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="link_thread",
                               now=now, tenant_id=tenant.id, thread_id=target, phone_thread=thread_id)
        await event_log.append(connection, [event_log.event(tenant.id, "officer_note", now, officer=officer.email,
                                                            note=f"nummer {thread.phone} gekoppeld")])
    return target


async def start(runtime: Runtime, tenant_id: int, officer: Officer) -> int:
    """An officer starts a conversation with a tenant: their thread (made if new), held by the officer."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant_id)
        if tenant is None:
            raise NotFound(f"tenant {tenant_id} does not exist")
        thread = await thread_store.thread_for(connection, tenant.id, tenant.phone, tenant.channel, now)
        if thread.owner != "officer":
            await thread_store.take_from(connection, thread.id, None, officer.id, now)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="start_conversation",
                               now=now, tenant_id=tenant.id, thread_id=thread.id)
    return int(thread.id)


async def mark_presence(runtime: Runtime, thread_id: int, officer: Officer, typing: bool) -> bool:
    """Note that the officer has the thread open (typing or not), for every web process to see;
    True when that is news to colleagues (they came, or started or stopped typing). Written only
    when it is news or a third of the time has passed, not on every poll."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        if await thread_store.get(connection, thread_id) is None:
            raise NotFound(f"conversation {thread_id} does not exist")
        before = await presence_store.mine(connection, thread_id, officer.id)
        news = before is None or before.expires_at <= now or before.typing != typing  # came, or typing changed
        if news or before is None or now - before.seen_at >= timedelta(seconds=PRESENCE_SECONDS / 3):
            await presence_store.forget_expired(connection, now)
            await presence_store.mark(connection, thread_id, officer.id, typing, now,
                                      now + timedelta(seconds=PRESENCE_SECONDS))
    return news


async def others_present(runtime: Runtime, thread_id: int, officer: Officer) -> list[tuple[str, bool]]:
    """The colleagues who have the thread open, in any web process, and whether they are typing."""
    async with runtime.db.begin() as connection:
        rows = await presence_store.others(connection, thread_id, officer.id, runtime.clock.now())
    return [(row.name, bool(row.typing)) for row in rows]


async def attachment(runtime: Runtime, media_id: int, officer: Officer) -> tuple[Any, MediaFile]:
    """A tenant's attachment, fetched from the provider for an officer (audited like reading the
    thread); NotFound when there is no such attachment, MediaUnavailable when the provider
    does not give it."""
    async with runtime.db.begin() as connection:
        found = await thread_store.medium(connection, media_id)
        if found is None:
            raise NotFound(f"attachment {media_id} does not exist")
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email, action="view_attachment",
                               now=runtime.clock.now(), tenant_id=found.tenant_id, thread_id=found.thread_id,
                               media_id=media_id)
    return found, await twilio_media.fetch(runtime.settings.twilio, found.url)
