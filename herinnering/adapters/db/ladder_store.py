"""SQL for the collection ladder's steps: a step is claimed once per case (its unique
`(case_id, step)`), or taken back once by the attempt it had (a step a pause cancelled), and
then points at the message or task that carried it out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrears_cases, ladder_steps
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.ladder import CaseState


async def open_cases(connection: AsyncConnection) -> list[Row[Any]]:
    """Open cases with the tenant's `paused_until` and `active`, in id order."""
    return list((await connection.execute(
        select(arrears_cases, tenants.c.paused_until, tenants.c.active)
        .join(tenants, tenants.c.id == arrears_cases.c.tenant_id)
        .where(arrears_cases.c.state == CaseState.OPEN.value)
        .order_by(arrears_cases.c.id)
    )).fetchall())


async def claim(connection: AsyncConnection, case_id: int, step: str, today: date, now: datetime) -> Row[Any] | None:
    """Claim a step of a case for the first time: (id, attempt), or None when it was claimed before."""
    statement = dialect_insert(connection, ladder_steps).values(
        case_id=case_id, step=step, done_on=today, attempt=1, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["case_id", "step"]).returning(ladder_steps.c.id, ladder_steps.c.attempt)
    return (await connection.execute(statement)).first()


async def claim_again(connection: AsyncConnection, step: Row[Any], today: date, now: datetime) -> Row[Any] | None:
    """Take back a step row at the attempt it had: (id, attempt), or None when another tick took it."""
    statement = update(ladder_steps).where(
        ladder_steps.c.id == step.id, ladder_steps.c.attempt == step.attempt
    ).values(attempt=step.attempt + 1, done_on=today, message_id=None, updated_at=now).returning(
        ladder_steps.c.id, ladder_steps.c.attempt)
    return (await connection.execute(statement)).first()


async def set_carried_by(connection: AsyncConnection, step_id: int, *, message_id: int | None = None,
                         task_id: int | None = None) -> None:
    """The message or the task that carried the step out."""
    values = {"message_id": message_id} if message_id is not None else {"task_id": task_id}
    await connection.execute(update(ladder_steps).where(ladder_steps.c.id == step_id).values(**values))


async def add_done(connection: AsyncConnection, *, case_id: int, step: str, today: date, message_id: int,
                   now: datetime) -> None:
    """A step carried out elsewhere (a returned debit's own message in place of the first rung),
    so the ladder does not do it again; nothing when the step was claimed before."""
    await connection.execute(dialect_insert(connection, ladder_steps).values(
        case_id=case_id, step=step, done_on=today, attempt=1, message_id=message_id, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["case_id", "step"]))
