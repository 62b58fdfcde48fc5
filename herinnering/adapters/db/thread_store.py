"""Queries on threads and their messages (the conversations area).

A thread is found or created by its unique key in one upsert, and an inbound message is
stored with an insert that skips a MessageSid already there, so a webhook that arrives twice,
or two at once, is stored once. Ownership moves are guarded updates whose WHERE clause is the
table in `domain/conversations/threads.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Row,
    and_,
    bindparam,
    false,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.conversation_tables import (
    audit_log,
    message_media,
    thread_messages,
    threads,
    users,
)
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tasks, tenants
from herinnering.domain.conversations.threads import Action, Owner, next_owner, owners_allowing

FILTERS = ("all", "unassigned", "mine", "needs_reply", "bot", "unknown")
STATUSES = ("open", "waiting", "snoozed", "done")  # the team's status of a thread (web status tabs)


def _status_condition(status: str, now: datetime | None) -> Any:
    """`open` also holds snoozed threads whose time has come."""
    woke = and_(threads.c.status == "snoozed", threads.c.snoozed_until <= now) if now is not None else false()
    if status == "open":
        return or_(threads.c.status == "open", woke)
    if status == "snoozed":
        return and_(threads.c.status == "snoozed", ~woke) if now is not None else threads.c.status == "snoozed"
    return threads.c.status == status


def thread_key(tenant_id: int | None, phone: str) -> str:
    return f"tenant:{tenant_id}" if tenant_id is not None else f"phone:{phone}"


async def tenant_by_phone(connection: AsyncConnection, phone: str) -> Row[Any] | None:
    """The tenant with this number (an active one first, then the oldest)."""
    statement = (
        select(tenants).where(tenants.c.phone == phone)
        .order_by(tenants.c.active.desc(), tenants.c.id).limit(1)
    )
    return (await connection.execute(statement)).first()


async def tenant_ids_by_phone(connection: AsyncConnection, phone: str) -> list[int]:
    """Every tenant with this number: a phone shared by two contracts belongs to both."""
    statement = select(tenants.c.id).where(tenants.c.phone == phone).order_by(tenants.c.id)
    return list((await connection.execute(statement)).scalars())


async def thread_for(
    connection: AsyncConnection, tenant_id: int | None, phone: str, channel: str, now: datetime
) -> Row[Any]:
    """The thread of this tenant (or unknown number), created when it is the first message."""
    key = thread_key(tenant_id, phone)
    statement = dialect_insert(connection, threads).values(
        key=key, tenant_id=tenant_id, phone=phone, unknown=tenant_id is None, channel=channel,
        owner=Owner.BOT.value, needs_reply=False, flagged=False, unread=0, last_message_at=now,
        created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["key"])
    await connection.execute(statement)
    row = (await connection.execute(select(threads).where(threads.c.key == key))).first()
    assert row is not None
    return row


async def store_inbound(connection: AsyncConnection, values: dict[str, Any]) -> int | None:
    """Insert an inbound message; None when its MessageSid was stored before."""
    statement = (
        dialect_insert(connection, thread_messages).values(direction="in", author="tenant", **values)
        .on_conflict_do_nothing(index_elements=["provider_sid"]).returning(thread_messages.c.id)
    )
    return (await connection.execute(statement)).scalar()


_PLAIN_INBOUND = text("""
WITH tenant AS (
    SELECT id FROM tenants WHERE phone = :phone ORDER BY active DESC, id LIMIT 1
), thread AS (
    SELECT threads.id, threads.tenant_id FROM threads
    WHERE threads.key = COALESCE('tenant:' || (SELECT id FROM tenant), 'phone:' || :phone)
      AND (threads.owner <> 'bot' OR (threads.acknowledged_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM dialogs WHERE dialogs.tenant_id = threads.tenant_id)))
    FOR UPDATE
), stored AS (
    INSERT INTO thread_messages (thread_id, direction, author, provider_sid, channel, body, intent, data, created_at)
    SELECT thread.id, 'in', 'tenant', :sid, :channel, :body, :intent, :data, :now FROM thread
    ON CONFLICT (provider_sid) DO NOTHING
    RETURNING thread_id
), touched AS (
    UPDATE threads SET unread = threads.unread + 1, channel = :channel, last_inbound_at = :now,
        last_message_at = :now, updated_at = :now, status = 'open', snoozed_until = NULL, needs_reply = true
    FROM stored WHERE threads.id = stored.thread_id
), noted AS (  -- WhatsApp's 24-hour window opens now
    UPDATE tenants SET whatsapp_last_inbound_at = :now
    FROM thread, stored WHERE tenants.id = thread.tenant_id AND CAST(:channel AS TEXT) = 'whatsapp'
), logged AS (
    INSERT INTO events (tenant_id, message_id, type, data, occurred_at)
    SELECT thread.tenant_id, NULL, 'inbound_message',
           json_build_object('thread_id', thread.id, 'intent', CAST(:intent AS TEXT),
                             'channel', CAST(:channel AS TEXT), 'sid', CAST(:sid AS TEXT)), :now
    FROM thread, stored WHERE thread.tenant_id IS NOT NULL
)
SELECT (SELECT id FROM thread), (SELECT thread_id FROM stored)
""").bindparams(bindparam("data", type_=JSON))


async def store_plain_inbound(connection: AsyncConnection, *, sid: str, phone: str, channel: str, body: str,
                              intent: str, data: dict[str, Any], now: datetime) -> tuple[int | None, bool]:
    """The common inbound message in one statement (PostgreSQL): a text for a person to read
    (no keyword), in an existing thread an officer holds or the bot has acknowledged with no
    dialog under way. It stores the message (once per MessageSid), marks the thread unread and
    waiting for a reply, opens WhatsApp's window and logs the event — all or nothing, one round
    trip. Returns (the thread, whether it was stored): no thread means the message is not a
    common one, and nothing was written (the caller takes the full way)."""
    row = (await connection.execute(_PLAIN_INBOUND, {
        "sid": sid, "phone": phone, "channel": channel, "body": body, "intent": intent, "data": data,
        "now": now})).one()
    return row[0], row[1] is not None


async def add_media(connection: AsyncConnection, thread_message_id: int, media: list[tuple[str, str]],
                    now: datetime) -> None:
    """The attachments (provider URL, content type) of a stored inbound message, in their order."""
    if media:
        await connection.execute(insert(message_media), [
            {"thread_message_id": thread_message_id, "position": n, "url": url, "content_type": content_type,
             "created_at": now} for n, (url, content_type) in enumerate(media)])


async def media_of(connection: AsyncConnection, thread_message_ids: list[int]) -> list[Row[Any]]:
    """The attachments of these messages (id, message, position, content type; not the URL)."""
    if not thread_message_ids:
        return []
    statement = (select(message_media.c.id, message_media.c.thread_message_id, message_media.c.position,
                        message_media.c.content_type)
                 .where(message_media.c.thread_message_id.in_(thread_message_ids))
                 .order_by(message_media.c.thread_message_id, message_media.c.position))
    return list((await connection.execute(statement)).fetchall())


async def medium(connection: AsyncConnection, media_id: int) -> Row[Any] | None:
    """One attachment with its provider URL and the thread (and tenant) it belongs to."""
    statement = (select(message_media, thread_messages.c.thread_id, threads.c.tenant_id)
                 .join(thread_messages, thread_messages.c.id == message_media.c.thread_message_id)
                 .join(threads, threads.c.id == thread_messages.c.thread_id)
                 .where(message_media.c.id == media_id))
    return (await connection.execute(statement)).first()


async def media_urls(connection: AsyncConnection, tenant_ids: list[int]) -> dict[int, str]:
    """The provider URLs of the attachments in these tenants' threads and in unknown numbers' threads."""
    statement = (select(message_media.c.id, message_media.c.url)
                 .join(thread_messages, thread_messages.c.id == message_media.c.thread_message_id)
                 .join(threads, threads.c.id == thread_messages.c.thread_id)
                 .where(threads.c.tenant_id.in_(tenant_ids) | threads.c.tenant_id.is_(None)))
    return {row.id: row.url for row in (await connection.execute(statement)).fetchall()}


async def media_kept(connection: AsyncConnection, media_ids: list[int]) -> set[int]:
    if not media_ids:
        return set()
    statement = select(message_media.c.id).where(message_media.c.id.in_(media_ids))
    return set((await connection.execute(statement)).scalars())


async def store_outbound(
    connection: AsyncConnection, thread_id: int, *, author: str, channel: str, body: str, now: datetime,
    message_id: int | None = None, user_id: int | None = None, data: dict[str, Any] | None = None,
) -> None:
    await connection.execute(insert(thread_messages).values(
        thread_id=thread_id, direction="out", author=author, user_id=user_id, message_id=message_id,
        channel=channel, body=body, data=data, created_at=now,
    ))
    await connection.execute(update(threads).where(threads.c.id == thread_id).values(last_message_at=now, updated_at=now))


async def touch_inbound(
    connection: AsyncConnection, thread_id: int, channel: str, now: datetime, *, needs_reply: bool, flagged: bool
) -> None:
    values: dict[str, Any] = {
        "unread": threads.c.unread + 1, "channel": channel, "last_inbound_at": now,
        "last_message_at": now, "updated_at": now,
        "status": "open", "snoozed_until": None,  # the tenant wrote: the team's turn again
    }
    if needs_reply:
        values["needs_reply"] = True
    if flagged:
        values["flagged"] = True
    await connection.execute(update(threads).where(threads.c.id == thread_id).values(**values))


async def claim_acknowledgement(connection: AsyncConnection, thread_id: int, now: datetime) -> bool:
    """True for exactly one caller per conversation (until the thread is handed back)."""
    result = await connection.execute(
        update(threads).where(threads.c.id == thread_id, threads.c.acknowledged_at.is_(None))
        .values(acknowledged_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def move_owner(
    connection: AsyncConnection, thread_id: int, action: Action, now: datetime, *, user_id: int | None = None
) -> bool:
    """Apply an ownership action if the table allows it from where the thread is now."""
    sources = owners_allowing(action)
    [target] = {next_owner(owner, action) for owner in sources}  # each action has one destination
    assert target is not None
    values: dict[str, Any] = {"owner": target.value, "updated_at": now}
    if action is Action.HAND_BACK:
        values.update(assigned_to=None, acknowledged_at=None, needs_reply=False, flagged=False)
    else:
        values["assigned_to"] = user_id
    result = await connection.execute(
        update(threads).where(threads.c.id == thread_id, threads.c.owner.in_([o.value for o in sources]))
        .values(**values)
    )
    return result.rowcount == 1


async def mark_answered(connection: AsyncConnection, thread_id: int, now: datetime) -> None:
    await connection.execute(update(threads).where(threads.c.id == thread_id).values(
        needs_reply=False, flagged=False, updated_at=now, status="waiting"))  # now the tenant's turn


async def mark_read(connection: AsyncConnection, thread_id: int) -> None:
    await connection.execute(update(threads).where(threads.c.id == thread_id, threads.c.unread != 0).values(unread=0))


async def get(connection: AsyncConnection, thread_id: int) -> Row[Any] | None:
    statement = (
        select(threads, tenants.c.name.label("tenant_name"), tenants.c.external_id, tenants.c.language,
               tenants.c.opted_out, tenants.c.paused_until, users.c.name.label("assignee_name"))
        .outerjoin(tenants, tenants.c.id == threads.c.tenant_id)
        .outerjoin(users, users.c.id == threads.c.assigned_to)
        .where(threads.c.id == thread_id)
    )
    return (await connection.execute(statement)).first()


async def messages_of(connection: AsyncConnection, thread_id: int) -> list[Row[Any]]:
    statement = (
        select(thread_messages, users.c.name.label("user_name"))
        .outerjoin(users, users.c.id == thread_messages.c.user_id)
        .where(thread_messages.c.thread_id == thread_id).order_by(thread_messages.c.id)
    )
    return list((await connection.execute(statement)).fetchall())


async def inbox(
    connection: AsyncConnection, *, view: str = "all", user_id: int | None = None, search: str = "", limit: int = 200,
    status: str = "", now: datetime | None = None,
) -> list[Row[Any]]:
    """Threads newest first, with the tenant's last message as a preview, filtered and searched."""
    last_id = (
        select(func.max(thread_messages.c.id))
        .where(thread_messages.c.thread_id == threads.c.id, thread_messages.c.direction == "in")
        .correlate(threads).scalar_subquery()
    )
    last = thread_messages.alias("last")
    statement = (
        select(threads, tenants.c.name.label("tenant_name"), tenants.c.external_id,
               users.c.name.label("assignee_name"), last.c.body.label("preview"), last.c.direction.label("preview_dir"))
        .outerjoin(tenants, tenants.c.id == threads.c.tenant_id)
        .outerjoin(users, users.c.id == threads.c.assigned_to)
        .outerjoin(last, last.c.id == last_id)
        .order_by(threads.c.last_message_at.desc(), threads.c.id.desc()).limit(limit)
    )
    conditions = {
        "all": true(),
        "unassigned": and_(threads.c.assigned_to.is_(None), threads.c.needs_reply.is_(True)),
        "mine": threads.c.assigned_to == user_id if user_id is not None else false(),
        "needs_reply": threads.c.needs_reply.is_(True),
        "bot": threads.c.owner == Owner.BOT.value,
        "unknown": threads.c.unknown.is_(True),
    }
    statement = statement.where(conditions.get(view, true()))
    if status in STATUSES:
        statement = statement.where(_status_condition(status, now))
        if status == "open":  # the longest waiting first
            statement = statement.order_by(None).order_by(
                func.coalesce(threads.c.last_inbound_at, threads.c.last_message_at), threads.c.id)
    text = search.strip()
    if text:
        pattern = f"%{text.lower()}%"
        digits = "".join(c for c in text if c.isdigit())
        options = [func.lower(tenants.c.name).like(pattern), func.lower(tenants.c.external_id).like(pattern)]
        if digits:
            options.append(threads.c.phone.like(f"%{digits[-9:] if len(digits) > 9 else digits}%"))
        statement = statement.where(or_(*options))
    return list((await connection.execute(statement)).fetchall())


async def counts(connection: AsyncConnection, user_id: int | None, now: datetime | None = None) -> dict[str, int]:
    """How many threads each filter shows, and the unread messages in all of them."""
    def n(condition: Any) -> Any:
        return func.count().filter(condition)

    row = (await connection.execute(select(
        func.count().label("all"),
        n(and_(threads.c.assigned_to.is_(None), threads.c.needs_reply.is_(True))).label("unassigned"),
        n(threads.c.assigned_to == (user_id if user_id is not None else -1)).label("mine"),
        n(threads.c.needs_reply.is_(True)).label("needs_reply"),
        n(threads.c.owner == Owner.BOT.value).label("bot"),
        n(threads.c.unknown.is_(True)).label("unknown"),
        func.coalesce(func.sum(threads.c.unread), 0).label("unread"),
        *[n(_status_condition(status, now)).label(f"status_{status}") for status in STATUSES],
    ))).one()
    return dict(row._mapping)


async def add_task(connection: AsyncConnection, values: dict[str, Any]) -> bool:
    """A task for a person; False when a task with this dedupe key exists already."""
    statement = dialect_insert(connection, tasks).values(**values).on_conflict_do_nothing(
        index_elements=["dedupe_key"]).returning(tasks.c.id)
    return (await connection.execute(statement)).scalar() is not None


async def set_opted_in(connection: AsyncConnection, tenant_id: int, now: datetime) -> bool:
    result = await connection.execute(
        update(tenants).where(tenants.c.id == tenant_id, tenants.c.opted_out.is_(True))
        .values(opted_out=False, opted_out_at=None, updated_at=now)
    )
    return result.rowcount == 1


async def take_from(
    connection: AsyncConnection, thread_id: int, seen_holder: int | None, user_id: int, now: datetime
) -> bool:
    """Take the thread only if its holder is still the one the officer saw (None: the bot)."""
    holder = threads.c.assigned_to.is_(None) if seen_holder is None else threads.c.assigned_to == seen_holder
    result = await connection.execute(
        update(threads).where(threads.c.id == thread_id, holder)
        .values(owner=Owner.OFFICER.value, assigned_to=user_id, updated_at=now))
    return result.rowcount == 1


async def set_status(connection: AsyncConnection, thread_id: int, status: str, snoozed_until: datetime | None,
                     now: datetime) -> bool:
    result = await connection.execute(update(threads).where(threads.c.id == thread_id).values(
        status=status, snoozed_until=snoozed_until, updated_at=now))
    return result.rowcount == 1


async def link_to_tenant(connection: AsyncConnection, thread_id: int, tenant_id: int, now: datetime) -> int:
    """An unknown number's thread belongs to this tenant: it becomes (or joins) the tenant's
    thread, every message kept; returns the tenant's thread id."""
    key = thread_key(tenant_id, "")
    existing = (await connection.execute(select(threads.c.id).where(threads.c.key == key))).scalar()
    if existing is None:
        await connection.execute(update(threads).where(threads.c.id == thread_id).values(
            key=key, tenant_id=tenant_id, unknown=False, updated_at=now))
        return thread_id

    old = (await connection.execute(select(threads).where(threads.c.id == thread_id))).one()
    kept = (await connection.execute(select(threads).where(threads.c.id == existing))).one()
    await connection.execute(update(thread_messages).where(thread_messages.c.thread_id == thread_id)
                             .values(thread_id=existing))
    await connection.execute(update(audit_log).where(audit_log.c.thread_id == thread_id).values(thread_id=existing))
    await connection.execute(update(threads).where(threads.c.id == existing).values(
        unread=kept.unread + old.unread, needs_reply=kept.needs_reply or old.needs_reply,
        last_message_at=max(kept.last_message_at, old.last_message_at), status="open", updated_at=now))
    await connection.execute(threads.delete().where(threads.c.id == thread_id))
    return int(existing)


async def id_by_phone(connection: AsyncConnection, phone: str) -> int | None:
    """The first thread with this number (one an unknown number started, for instance)."""
    return (await connection.execute(select(threads.c.id).where(threads.c.phone == phone)
                                     .order_by(threads.c.id).limit(1))).scalar()
