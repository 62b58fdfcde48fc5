"""Small helpers for integration tests: read rows back, wait for callbacks."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.tables import events, messages


async def all_messages(db: Database) -> list[Any]:
    async with db.begin() as connection:
        return list((await connection.execute(select(messages).order_by(messages.c.id))).fetchall())


async def event_types(db: Database, tenant_id: int) -> list[str]:
    async with db.begin() as connection:
        rows = await connection.execute(
            select(events.c.type).where(events.c.tenant_id == tenant_id).order_by(events.c.id)
        )
        return [row.type for row in rows]


async def wait_for_states(db: Database, wanted: set[str], timeout: float = 5.0) -> list[Any]:
    """Wait until every message is in one of `wanted` (delivery callbacks arrive over HTTP)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        rows = await all_messages(db)
        if all(row.state in wanted for row in rows) or loop.time() > deadline:
            return rows
        await asyncio.sleep(0.02)
