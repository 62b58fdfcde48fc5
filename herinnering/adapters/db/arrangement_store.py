"""SQL for payment arrangements (betalingsregelingen) and their instalments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import instalments


async def instalments_of(connection: AsyncConnection, arrangement_id: int) -> list[Row[Any]]:
    """An arrangement's instalments in their order."""
    return list((await connection.execute(select(instalments).where(instalments.c.arrangement_id == arrangement_id)
                                          .order_by(instalments.c.number))).fetchall())
