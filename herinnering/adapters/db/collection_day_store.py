"""SQL for the tenant's own collection day (incassodatum afstemmen, Gereedschapskist 1.6): the
history of changes (scheduled, superseded, reversed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tenant_tables import collection_day_changes


async def changes_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return list((await connection.execute(select(collection_day_changes).where(
        collection_day_changes.c.tenant_id == tenant_id).order_by(collection_day_changes.c.id))).fetchall())


async def supersede(connection: AsyncConnection, change_ids: Sequence[int]) -> None:
    """These changes not yet in force are replaced by a later choice."""
    await connection.execute(update(collection_day_changes).where(
        collection_day_changes.c.id.in_(list(change_ids))).values(state="superseded"))


async def insert(connection: AsyncConnection, **values: Any) -> int | None:
    """A new scheduled change; None when the same change was stored at the same moment."""
    return (await connection.execute(dialect_insert(connection, collection_day_changes).values(**values)
                                     .on_conflict_do_nothing().returning(collection_day_changes.c.id))).scalar()


async def get(connection: AsyncConnection, change_id: int) -> Row[Any] | None:
    return (await connection.execute(select(collection_day_changes).where(
        collection_day_changes.c.id == change_id))).first()


async def reverse(connection: AsyncConnection, change_id: int, officer: str, now: datetime) -> None:
    await connection.execute(update(collection_day_changes).where(collection_day_changes.c.id == change_id).values(
        state="reversed", reversed_at=now, reversed_by=officer))
