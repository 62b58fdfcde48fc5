"""SQL for payment arrangements (betalingsregelingen) and their instalments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, arrears_cases, instalments


async def instalments_of(connection: AsyncConnection, arrangement_id: int) -> list[Row[Any]]:
    """An arrangement's instalments in their order."""
    return list((await connection.execute(select(instalments).where(instalments.c.arrangement_id == arrangement_id)
                                          .order_by(instalments.c.number))).fetchall())


async def latest_active_id(connection: AsyncConnection, tenant_id: int) -> int | None:
    """The id of the tenant's newest active arrangement."""
    return (await connection.execute(select(arrangements.c.id).where(
        arrangements.c.tenant_id == tenant_id, arrangements.c.state == "active").order_by(arrangements.c.id.desc())
    )).scalar()


async def insert(connection: AsyncConnection, **values: Any) -> int:
    return int((await connection.execute(
        arrangements.insert().values(**values).returning(arrangements.c.id))).scalar_one())


async def add_instalment(connection: AsyncConnection, **values: Any) -> None:
    await connection.execute(instalments.insert().values(**values))


async def paid_on_cases(connection: AsyncConnection, tenant_id: int, periods: Sequence[str]) -> int:
    """What was paid on the tenant's cases of these months, summed."""
    rows = (await connection.execute(select(arrears_cases.c.amount_paid_cents).where(
        arrears_cases.c.tenant_id == tenant_id, arrears_cases.c.period.in_(list(periods))))).fetchall()
    return sum(row.amount_paid_cents for row in rows)


async def active_of(connection: AsyncConnection, tenant_id: int | None = None) -> list[Row[Any]]:
    """Active arrangements (of one tenant, or all), oldest first."""
    statement = select(arrangements).where(arrangements.c.state == "active").order_by(arrangements.c.id)
    if tenant_id is not None:
        statement = statement.where(arrangements.c.tenant_id == tenant_id)
    return list((await connection.execute(statement)).fetchall())


async def set_instalment_paid(connection: AsyncConnection, instalment_id: int, now: datetime) -> None:
    await connection.execute(update(instalments).where(instalments.c.id == instalment_id).values(
        state="paid", paid_at=now, updated_at=now))


async def set_instalment_missed(connection: AsyncConnection, instalment_id: int, now: datetime) -> None:
    """An open instalment becomes missed (one paid meanwhile stays paid)."""
    await connection.execute(update(instalments).where(
        instalments.c.id == instalment_id, instalments.c.state == "open").values(state="missed", updated_at=now))


async def set_state(connection: AsyncConnection, arrangement_id: int, state: str, now: datetime) -> None:
    await connection.execute(update(arrangements).where(arrangements.c.id == arrangement_id).values(
        state=state, updated_at=now))
