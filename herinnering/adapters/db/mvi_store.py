"""SQL for the MVI steps of arrears cases (the proof of a "maatschappelijk verantwoorde incasso"):
each step stored once by its `source_key`, and the ladder tasks and messages that yield steps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrears_cases, ladder_steps, mvi_steps
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import messages, tasks
from herinnering.domain.reminders.states import MessageState


async def insert(connection: AsyncConnection, *, case_id: int, step: str, channel: str, text: str,
                 occurred_at: datetime, by: str, source_key: str, now: datetime) -> bool:
    """Store one step; False when a step with this source key is stored already."""
    statement = dialect_insert(connection, mvi_steps).values(
        case_id=case_id, step=step, channel=channel, text=text, occurred_at=occurred_at, recorded_by=by,
        source_key=source_key[:128], created_at=now,
    ).on_conflict_do_nothing(index_elements=["source_key"]).returning(mvi_steps.c.id)
    return (await connection.execute(statement)).scalar() is not None


async def of_case(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    statement = select(mvi_steps).where(mvi_steps.c.case_id == case_id).order_by(mvi_steps.c.occurred_at, mvi_steps.c.id)
    return list((await connection.execute(statement)).fetchall())


async def steps_on_other_cases(connection: AsyncConnection, tenant_id: int, case_id: int, step: str) -> list[Row[Any]]:
    """This step as recorded on the tenant's other cases (an objection counts for all of them)."""
    return list((await connection.execute(
        select(mvi_steps).join(arrears_cases, arrears_cases.c.id == mvi_steps.c.case_id)
        .where(arrears_cases.c.tenant_id == tenant_id, arrears_cases.c.id != case_id,
               mvi_steps.c.step == step))).fetchall())


async def done_ladder_tasks(connection: AsyncConnection) -> list[Row[Any]]:
    """Ladder steps whose task is done, on cases not closed: (step, case_id, task_id)."""
    return list((await connection.execute(
        select(ladder_steps.c.step, ladder_steps.c.case_id, tasks.c.id.label("task_id"))
        .join(tasks, tasks.c.id == ladder_steps.c.task_id)
        .join(arrears_cases, arrears_cases.c.id == ladder_steps.c.case_id)
        .where(tasks.c.state == "done", arrears_cases.c.state != "closed")
    )).fetchall())


async def delivered_ladder_messages(connection: AsyncConnection) -> list[Row[Any]]:
    """Ladder messages delivered to the tenant, on cases not closed (debt help counts once it arrived)."""
    return list((await connection.execute(
        select(ladder_steps.c.step, arrears_cases.c.id.label("case_id"), arrears_cases.c.tenant_id,
               messages.c.id.label("message_id"), messages.c.channel, messages.c.body, messages.c.sent_at,
               messages.c.delivered_at)
        .join(messages, messages.c.id == ladder_steps.c.message_id)
        .join(arrears_cases, arrears_cases.c.id == ladder_steps.c.case_id)
        .where(messages.c.state == MessageState.DELIVERED, arrears_cases.c.state != "closed")
    )).fetchall())


async def task(connection: AsyncConnection, task_id: int) -> Row[Any]:
    return (await connection.execute(select(tasks).where(tasks.c.id == task_id))).one()


async def case(connection: AsyncConnection, case_id: int) -> Row[Any]:
    return (await connection.execute(select(arrears_cases).where(arrears_cases.c.id == case_id))).one()


async def ladder_step_of_task(connection: AsyncConnection, task_id: int) -> Row[Any] | None:
    return (await connection.execute(select(ladder_steps).where(ladder_steps.c.task_id == task_id))).first()


async def finish_task(connection: AsyncConnection, task_id: int, data: dict[str, Any], assigned_to: str,
                      now: datetime) -> None:
    await connection.execute(update(tasks).where(and_(tasks.c.id == task_id, tasks.c.state == "open")).values(
        state="done", done_at=now, updated_at=now, data=data, assigned_to=assigned_to))
