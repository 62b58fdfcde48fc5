"""The append-only event log: one row for everything that happens to a tenant.

Officers read it as the tenant's timeline, and a judge may read it as proof, so rows are only
ever inserted. Values in `data` are plain JSON: codes, states, template names, never a full
phone number or message body (those live in the outbox row the event points to).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import change_store
from herinnering.adapters.db.tables import events


def event(
    tenant_id: int | None, type_: str, now: datetime, message_id: int | None = None, **data: Any
) -> dict[str, Any]:
    return {"tenant_id": tenant_id, "message_id": message_id, "type": type_, "data": data, "occurred_at": now}


async def append(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Append events; those the ERP must hear of also enter the change feed, in this transaction."""
    if rows:
        await connection.execute(insert(events), list(rows))
        await change_store.record(connection, rows)


async def for_tenant(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    statement = select(events).where(events.c.tenant_id == tenant_id).order_by(events.c.id)
    return list((await connection.execute(statement)).fetchall())


async def of_type(connection: AsyncConnection, tenant_id: int, type_: str) -> list[Row[Any]]:
    """The tenant's events of one type (their data and time), oldest first."""
    statement = select(events.c.data, events.c.occurred_at).where(
        events.c.tenant_id == tenant_id, events.c.type == type_).order_by(events.c.id)
    return list((await connection.execute(statement)).fetchall())
