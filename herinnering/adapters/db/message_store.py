"""SQL reading a tenant's messages for the conversations and STOP/START, apart from the outbox's
own claim and state moves (`outbox.py`); every state change still goes through `outbox.move`,
also when STOP, or a municipality's "deceased", cancels everything planned (`cancel_planned`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox
from herinnering.adapters.db.tables import messages
from herinnering.domain.reminders.states import MessageState


async def planned_ids(connection: AsyncConnection, tenant_id: int, *, except_kinds: Collection[str] = ()) -> list[int]:
    """The ids of the tenant's planned messages, leaving out these kinds."""
    statement = select(messages.c.id).where(messages.c.tenant_id == tenant_id, messages.c.state == MessageState.PLANNED)
    if except_kinds:
        statement = statement.where(messages.c.kind.not_in(list(except_kinds)))
    return list((await connection.execute(statement)).scalars().all())


async def cancel_planned(connection: AsyncConnection, tenant_id: int, now: datetime, reason: str) -> list[dict[str, Any]]:
    """Cancel every planned message of the tenant (guarded moves); returns their events."""
    rows = []
    for message_id in await planned_ids(connection, tenant_id, except_kinds=["stop_confirmation"]):
        if await outbox.move(connection, message_id, MessageState.CANCELLED, now, error_message=reason):
            rows.append(event_log.event(tenant_id, "message_cancelled", now, message_id, reason=reason))
    return rows


async def cancelled_for(connection: AsyncConnection, tenant_id: int, reason: str, *,
                        except_kinds: Collection[str] = ()) -> list[Row[Any]]:
    """The tenant's messages cancelled with this reason, leaving out these kinds, oldest first."""
    return list((await connection.execute(select(messages).where(
        messages.c.tenant_id == tenant_id, messages.c.state == MessageState.CANCELLED,
        messages.c.error_message == reason, messages.c.kind.not_in(list(except_kinds)),
    ).order_by(messages.c.id))).fetchall())


async def states_of(connection: AsyncConnection, message_ids: Sequence[int]) -> dict[int, str]:
    """Each message's state by id (none asked, none read)."""
    if not message_ids:
        return {}
    rows = await connection.execute(select(messages.c.id, messages.c.state).where(messages.c.id.in_(list(message_ids))))
    return {row.id: row.state for row in rows}


async def accepted_at_send_time(connection: AsyncConnection, message_ids: Sequence[int]) -> None:
    """For the simulation: these claimed messages went out at their planned moment, as if the
    provider accepted them (a real send goes through `outbox.mark_sent`)."""
    await connection.execute(
        update(messages).where(messages.c.id.in_(list(message_ids)))
        .values(state=MessageState.SENT, sent_at=messages.c.send_at, updated_at=messages.c.send_at,
                provider_status="sent"))


async def id_by_key(connection: AsyncConnection, idempotency_key: str) -> int | None:
    """The message planned under this key, if any."""
    return (await connection.execute(select(messages.c.id).where(messages.c.idempotency_key == idempotency_key))).scalar()


async def first_sent_of_kind(connection: AsyncConnection, kind: str) -> Row[Any] | None:
    """The first message of this kind the provider accepted: id, body, context, tenant id."""
    return (await connection.execute(
        select(messages.c.id, messages.c.body, messages.c.context, messages.c.tenant_id)
        .where(messages.c.kind == kind, messages.c.provider_sid.is_not(None))
        .order_by(messages.c.id).limit(1))).first()


async def awaiting_report_count(connection: AsyncConnection) -> int:
    """Messages sending or sent, whose delivery report has not come back yet."""
    return int((await connection.execute(select(func.count()).where(
        messages.c.state.in_([MessageState.SENT, MessageState.SENDING])))).scalar_one())
