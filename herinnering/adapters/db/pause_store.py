"""SQL for the pauzeknop (Gereedschapskist 3.5): a tenant's pauses, at most one open at a time,
and the tenant's `paused_until` the planner and the ladder read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import pauses
from herinnering.adapters.db.tables import tenants


async def current(connection: AsyncConnection, tenant_id: int, today: date) -> Row[Any] | None:
    """The tenant's pause that holds today (not ended, open-ended or until today or later)."""
    statement = (
        select(pauses)
        .where(pauses.c.tenant_id == tenant_id, pauses.c.ended_at.is_(None),
               (pauses.c.until.is_(None)) | (pauses.c.until >= today))
        .order_by(pauses.c.id.desc())
        .limit(1)
    )
    return (await connection.execute(statement)).first()


async def insert(connection: AsyncConnection, **values: Any) -> int:
    return int((await connection.execute(pauses.insert().values(**values).returning(pauses.c.id))).scalar_one())


async def end_open(connection: AsyncConnection, tenant_id: int, now: datetime, by: str) -> int:
    """End the tenant's open pauses; how many were open."""
    result = await connection.execute(update(pauses).where(
        pauses.c.tenant_id == tenant_id, pauses.c.ended_at.is_(None)).values(ended_at=now, ended_by=by))
    return int(result.rowcount)


async def paused_until(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """The tenant's (paused_until); None when the tenant does not exist."""
    return (await connection.execute(select(tenants.c.paused_until).where(tenants.c.id == tenant_id))).first()
