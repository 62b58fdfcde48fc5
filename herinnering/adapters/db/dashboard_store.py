"""SQL of the team lead's dashboard: arrears and collection per rent month, open cases over
time and per ladder step, overdue tasks, and the inbox's question/answer pairs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrears_cases, ladder_steps
from herinnering.adapters.db.conversation_tables import thread_messages
from herinnering.adapters.db.payment_tables import payment_periods
from herinnering.adapters.db.tables import tasks


async def months(connection: AsyncConnection, limit: int = 12) -> list[Row[Any]]:
    """Per rent month: rent due, paid, what is still open and by how many tenants."""
    gap = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
    statement = (
        select(payment_periods.c.period, func.sum(payment_periods.c.amount_due_cents).label("due"),
               func.sum(payment_periods.c.amount_paid_cents).label("paid"),
               func.coalesce(func.sum(gap).filter(gap > 0), 0).label("open"),
               func.count().filter(gap > 0).label("tenants_open"))
        .group_by(payment_periods.c.period).order_by(payment_periods.c.period.desc()).limit(limit))
    return list(reversed((await connection.execute(statement)).fetchall()))


async def cases(connection: AsyncConnection) -> list[Row[Any]]:
    statement = select(arrears_cases.c.id, arrears_cases.c.state, arrears_cases.c.opened_at, arrears_cases.c.closed_at,
                       arrears_cases.c.amount_due_cents, arrears_cases.c.amount_paid_cents)
    return list((await connection.execute(statement)).fetchall())


async def last_steps(connection: AsyncConnection) -> list[Row[Any]]:
    """The last ladder step of every case that is not closed."""
    last = (select(ladder_steps.c.case_id, func.max(ladder_steps.c.id).label("step_id"))
            .group_by(ladder_steps.c.case_id).subquery())
    statement = (select(arrears_cases.c.id, ladder_steps.c.step)
                 .select_from(arrears_cases)
                 .outerjoin(last, last.c.case_id == arrears_cases.c.id)
                 .outerjoin(ladder_steps, ladder_steps.c.id == last.c.step_id)
                 .where(arrears_cases.c.state != "closed"))
    return list((await connection.execute(statement)).fetchall())


async def overdue_tasks(connection: AsyncConnection, now: datetime) -> list[Row[Any]]:
    due = func.coalesce(tasks.c.due_at, tasks.c.created_at)
    statement = (select(tasks.c.kind, func.count().label("n")).where(tasks.c.state == "open", due < now)
                 .group_by(tasks.c.kind).order_by(func.count().desc()))
    return list((await connection.execute(statement)).fetchall())


async def conversation_messages(connection: AsyncConnection, since: datetime) -> list[Row[Any]]:
    statement = (select(thread_messages.c.thread_id, thread_messages.c.direction, thread_messages.c.author,
                        thread_messages.c.created_at)
                 .where(thread_messages.c.created_at >= since)
                 .order_by(thread_messages.c.thread_id, thread_messages.c.id))
    return list((await connection.execute(statement)).fetchall())
