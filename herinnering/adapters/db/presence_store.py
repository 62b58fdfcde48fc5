"""Queries on who has a conversation open, shared by every web process (`thread_presence`).

One row per thread and officer, written with one upsert; rows past their expiry are ignored
by readers and deleted by writers, so the table stays the size of the team's open pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.conversation_tables import thread_presence, users
from herinnering.adapters.db.engine import dialect_insert


async def mine(connection: AsyncConnection, thread_id: int, user_id: int) -> Row[Any] | None:
    statement = select(thread_presence).where(thread_presence.c.thread_id == thread_id,
                                              thread_presence.c.user_id == user_id)
    return (await connection.execute(statement)).first()


async def mark(connection: AsyncConnection, thread_id: int, user_id: int, typing: bool, now: datetime,
               expires_at: datetime) -> None:
    values = {"typing": typing, "seen_at": now, "expires_at": expires_at}
    statement = dialect_insert(connection, thread_presence).values(thread_id=thread_id, user_id=user_id, **values)
    await connection.execute(statement.on_conflict_do_update(index_elements=["thread_id", "user_id"], set_=values))


async def forget_expired(connection: AsyncConnection, now: datetime) -> None:
    await connection.execute(delete(thread_presence).where(thread_presence.c.expires_at < now))


async def others(connection: AsyncConnection, thread_id: int, user_id: int, now: datetime) -> list[Row[Any]]:
    """The other officers with the thread open now (`name`, `typing`), by name."""
    statement = (select(users.c.name, thread_presence.c.typing)
                 .join(users, users.c.id == thread_presence.c.user_id)
                 .where(thread_presence.c.thread_id == thread_id, thread_presence.c.user_id != user_id,
                        thread_presence.c.expires_at > now)
                 .order_by(users.c.name, users.c.id))
    return list((await connection.execute(statement)).fetchall())
