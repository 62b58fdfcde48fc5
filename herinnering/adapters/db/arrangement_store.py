"""Queries of the payment arrangements (betalingsregelingen) and their instalments: make one,
read one, end it only while it is still active (one statement, so two officers cannot both end
it), stop or mark its instalments; and the team's list of active arrangements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, arrears_cases, instalments
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


async def parts_of(connection: AsyncConnection, arrangement_id: int) -> list[Row[Any]]:
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
