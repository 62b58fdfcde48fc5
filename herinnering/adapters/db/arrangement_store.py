"""Queries of the payment arrangements (betalingsregelingen) that change or end one: read one,
end it only while it is still active (one statement, so two officers cannot both end it), and
stop its unpaid instalments; and the team's list of active arrangements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, instalments
from herinnering.adapters.db.tables import tenants

UNPAID = ("open", "missed")


async def arrangement(connection: AsyncConnection, arrangement_id: int) -> Row[Any] | None:
    return (await connection.execute(select(arrangements).where(arrangements.c.id == arrangement_id))).first()


async def end(connection: AsyncConnection, arrangement_id: int, state: str, now: datetime) -> bool:
    """Move an active arrangement to `state` (cancelled, changed); False when it was not active
    any more — someone else changed, ended or completed it first."""
    result = await connection.execute(update(arrangements).where(
        arrangements.c.id == arrangement_id, arrangements.c.state == "active").values(state=state, updated_at=now))
    return result.rowcount == 1


async def stop_unpaid_instalments(connection: AsyncConnection, arrangement_id: int, now: datetime) -> list[Row[Any]]:
    """Mark the instalments not yet paid `cancelled`; returns them (with their reminder's id)."""
    return list((await connection.execute(update(instalments).where(
        instalments.c.arrangement_id == arrangement_id, instalments.c.state.in_(UNPAID)).values(
        state="cancelled", updated_at=now).returning(instalments.c.id, instalments.c.number,
                                                     instalments.c.reminder_message_id))).fetchall())


async def active_with_tenants(connection: AsyncConnection) -> list[Row[Any]]:
    """Every active arrangement with its tenant's contract id and name, oldest first."""
    return list((await connection.execute(
        select(arrangements, tenants.c.external_id, tenants.c.name)
        .join(tenants, tenants.c.id == arrangements.c.tenant_id)
        .where(arrangements.c.state == "active").order_by(arrangements.c.created_at, arrangements.c.id))).fetchall())


async def instalments_of(connection: AsyncConnection, arrangement_ids: list[int]) -> list[Row[Any]]:
    if not arrangement_ids:
        return []
    return list((await connection.execute(select(instalments).where(
        instalments.c.arrangement_id.in_(arrangement_ids)).order_by(instalments.c.arrangement_id,
                                                                    instalments.c.number))).fetchall())
