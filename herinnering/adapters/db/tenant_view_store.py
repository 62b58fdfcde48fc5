"""SQL for the tenant beside every conversation: the months still open, the last messages and
letters sent, and finding a tenant by name, contract, phone, postcode or what they wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import search_store
from herinnering.adapters.db.conversation_tables import threads
from herinnering.adapters.db.legal_tables import letters
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import messages


async def open_months(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    gap = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
    statement = (select(payment_periods, gap.label("open_cents"))
                 .where(payment_periods.c.tenant_id == tenant_id, gap > 0).order_by(payment_periods.c.period))
    return list((await connection.execute(statement)).fetchall())


async def sent_messages(connection: AsyncConnection, tenant_id: int, limit: int = 6) -> list[Row[Any]]:
    """The last messages that went (or are going) to the tenant, newest first, with their text."""
    statement = (select(messages.c.id, messages.c.kind, messages.c.channel, messages.c.state, messages.c.body,
                        messages.c.sent_at, messages.c.send_at, messages.c.context)
                 .where(messages.c.tenant_id == tenant_id, messages.c.state != "cancelled")
                 .order_by(func.coalesce(messages.c.sent_at, messages.c.send_at).desc(), messages.c.id.desc())
                 .limit(limit))
    return list((await connection.execute(statement)).fetchall())


async def sent_letters(connection: AsyncConnection, tenant_id: int, limit: int = 3) -> list[Row[Any]]:
    statement = (select(letters.c.id, letters.c.kind, letters.c.channel, letters.c.state, letters.c.generated_on,
                        letters.c.posted_on, letters.c.body, letters.c.costs_cents)
                 .where(letters.c.tenant_id == tenant_id).order_by(letters.c.id.desc()).limit(limit))
    return list((await connection.execute(statement)).fetchall())


async def thread_of(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    return (await connection.execute(select(threads).where(threads.c.tenant_id == tenant_id)
                                     .order_by(threads.c.id).limit(1))).first()


async def search(connection: AsyncConnection, text: str, limit: int = 50) -> list[Row[Any]]:
    """Tenants by name, contract, phone (any format), postcode or the text of their conversations:
    the database's full-text search (adapters/db/search_store.py)."""
    return await search_store.search(connection, text, limit)


async def unknown_threads_for(connection: AsyncConnection, limit: int = 50) -> list[Row[Any]]:
    statement = select(threads).where(threads.c.unknown.is_(True)).order_by(threads.c.last_message_at.desc())
    return list((await connection.execute(statement.limit(limit))).fetchall())


async def delivered_messages(connection: AsyncConnection, tenant_id: int, limit: int = 200) -> list[Row[Any]]:
    """Messages that went out to the tenant, oldest first (to show what an answer answers)."""
    statement = (select(messages.c.id, messages.c.kind, messages.c.channel, messages.c.body, messages.c.sent_at,
                        messages.c.send_at)
                 .where(messages.c.tenant_id == tenant_id, messages.c.sent_at.is_not(None),
                        messages.c.state.in_(("sent", "delivered", "read")))
                 .order_by(messages.c.sent_at.desc(), messages.c.id.desc()).limit(limit))
    return list(reversed((await connection.execute(statement)).fetchall()))
