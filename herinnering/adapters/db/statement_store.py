"""Queries of the account statement: the rows behind each of its lines (domain/payments/statement.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, case_months, instalments
from herinnering.adapters.db.legal_tables import letters
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tenant_tables import recollections


async def months(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    """Each rent month with what is due, and its due date where a case knows it."""
    due_on = (select(case_months.c.due_on).where(case_months.c.tenant_id == tenant_id,
                                                 case_months.c.period == payment_periods.c.period)
              .order_by(case_months.c.id.desc()).limit(1).scalar_subquery())
    statement = (select(payment_periods.c.period, payment_periods.c.amount_due_cents, due_on.label("due_on"))
                 .where(payment_periods.c.tenant_id == tenant_id).order_by(payment_periods.c.period))
    return list((await connection.execute(statement)).fetchall())


async def transactions(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    statement = (select(payment_transactions).where(payment_transactions.c.tenant_id == tenant_id,
                                                    payment_transactions.c.period.is_not(None))
                 .order_by(payment_transactions.c.id))
    return list((await connection.execute(statement)).fetchall())


async def costs(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    """Collection costs of posted letters (they become due from their own date, never before posting)."""
    statement = (select(letters.c.id, letters.c.costs_cents, letters.c.costs_due_from, letters.c.kind)
                 .where(letters.c.tenant_id == tenant_id, letters.c.state == "posted", letters.c.costs_cents > 0,
                        letters.c.costs_due_from.is_not(None))
                 .order_by(letters.c.id))
    return list((await connection.execute(statement)).fetchall())


async def recollections_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    statement = select(recollections).where(recollections.c.tenant_id == tenant_id).order_by(recollections.c.id)
    return list((await connection.execute(statement)).fetchall())


async def instalments_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    statement = (select(instalments).join(arrangements, arrangements.c.id == instalments.c.arrangement_id)
                 .where(arrangements.c.tenant_id == tenant_id).order_by(instalments.c.due_on, instalments.c.id))
    return list((await connection.execute(statement)).fetchall())
