"""Recording the MVI steps of arrears cases, as proof: what happened, its text, channel and time.

Three ways a step is recorded, each once (the unique `source_key`):
- a ladder task marked done (by an officer, here or in another screen) records the MVI steps
  its rung names — the call as personal contact, the written reminder (its letter text, which
  also holds the offer to pass data to the municipality);
- a ladder message that was sent records its steps with the text the tenant got;
- an officer records a step by hand (`herinnering mvi record`), e.g. the tenant's objection.
`sync` picks up the first two; the ladder tick runs it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.collection_tables import arrears_cases, ladder_steps, mvi_steps
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.tables import messages, tasks
from herinnering.bootstrap import Runtime
from herinnering.config import Settings
from herinnering.domain.legal.mvi import CHANNELS, MviRecord, MviStep
from herinnering.domain.payments.ladder import StepRule
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import BadInput, NotFound

DEFAULT_CHANNEL = {MviStep.WRITTEN_REMINDER: "letter", MviStep.DATA_OFFER: "letter", MviStep.PERSONAL_CONTACT: "phone"}


async def record(
    connection: AsyncConnection, *, case_id: int, tenant_id: int, step: MviStep | str, channel: str, text: str,
    occurred_at: datetime, by: str, source_key: str, now: datetime,
) -> bool:
    """Store one MVI step; a second call with the same source key changes nothing."""
    step = MviStep(step)
    if channel not in CHANNELS:
        raise BadInput(f"MVI channel {channel!r} is not known; use one of {', '.join(sorted(CHANNELS))}")
    statement = dialect_insert(connection, mvi_steps).values(
        case_id=case_id, step=step.value, channel=channel, text=text, occurred_at=occurred_at, recorded_by=by,
        source_key=source_key[:128], created_at=now,
    ).on_conflict_do_nothing(index_elements=["source_key"]).returning(mvi_steps.c.id)
    new = (await connection.execute(statement)).scalar()
    if new is not None:
        await event_log.append(connection, [event_log.event(
            tenant_id, "mvi_step_recorded", now, case_id=case_id, step=step.value, channel=channel, by=by)])
    return new is not None


async def records_of(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    statement = select(mvi_steps).where(mvi_steps.c.case_id == case_id).order_by(mvi_steps.c.occurred_at, mvi_steps.c.id)
    return list((await connection.execute(statement)).fetchall())


def as_records(rows: list[Row[Any]]) -> list[MviRecord]:
    return [MviRecord(MviStep(row.step), row.channel, row.occurred_at) for row in rows]


def _rule(settings: Settings, name: str) -> StepRule | None:
    try:
        return settings.ladder.ladder.step(name)
    except KeyError:
        return None


async def record_task(connection: AsyncConnection, settings: Settings, task: Row[Any], step_row: Row[Any],
                      case: Row[Any], now: datetime) -> int:
    """Record the MVI steps of a ladder task that is done."""
    rule = _rule(settings, step_row.step)
    if rule is None or not rule.mvi:
        return 0
    data = task.data or {}
    if data.get("letter_id"):
        return 0  # done by sending a letter, which recorded these steps with its own text
    recorded = 0
    for name in rule.mvi:
        step = MviStep(name)
        channel = data.get("channel") or DEFAULT_CHANNEL.get(step, "other")
        text = data.get("note") or data.get("text") or task.title
        recorded += await record(
            connection, case_id=case.id, tenant_id=case.tenant_id, step=step, channel=channel, text=text,
            occurred_at=task.done_at or task.updated_at, by=task.assigned_to or "officer",
            source_key=f"task:{task.id}:{step.value}", now=now,
        )
    return recorded


async def sync(runtime: Runtime) -> int:
    """Record the MVI steps of ladder tasks marked done and ladder messages that were delivered."""
    now = runtime.clock.now()
    settings = runtime.settings
    recorded = 0
    async with runtime.db.begin() as connection:
        done_tasks = (await connection.execute(
            select(ladder_steps.c.step, ladder_steps.c.case_id, tasks.c.id.label("task_id"))
            .join(tasks, tasks.c.id == ladder_steps.c.task_id)
            .join(arrears_cases, arrears_cases.c.id == ladder_steps.c.case_id)
            .where(tasks.c.state == "done", arrears_cases.c.state != "closed")
        )).fetchall()
        for row in done_tasks:
            task = (await connection.execute(select(tasks).where(tasks.c.id == row.task_id))).one()
            case = (await connection.execute(select(arrears_cases).where(arrears_cases.c.id == row.case_id))).one()
            recorded += await record_task(connection, settings, task, row, case, now)
        sent = (await connection.execute(
            select(ladder_steps.c.step, arrears_cases.c.id.label("case_id"), arrears_cases.c.tenant_id,
                   messages.c.id.label("message_id"), messages.c.channel, messages.c.body, messages.c.sent_at,
                   messages.c.delivered_at)
            .join(messages, messages.c.id == ladder_steps.c.message_id)
            .join(arrears_cases, arrears_cases.c.id == ladder_steps.c.case_id)
            .where(messages.c.state == MessageState.DELIVERED,  # debt help counts once it reached the tenant
                   arrears_cases.c.state != "closed")
        )).fetchall()
        for row in sent:
            rule = _rule(settings, row.step)
            for name in rule.mvi if rule is not None else ():
                recorded += await record(
                    connection, case_id=row.case_id, tenant_id=row.tenant_id, step=name, channel=row.channel,
                    text=row.body or "", occurred_at=row.delivered_at or row.sent_at or now, by="ladder",
                    source_key=f"message:{row.message_id}:{name}", now=now,
                )
    return recorded


async def complete_task(
    connection: AsyncConnection, settings: Settings, task_id: int, now: datetime, *, by: str,
    channel: str | None = None, note: str | None = None,
) -> int:
    """Mark a ladder task done (with how and what was said) and record its MVI steps."""
    task = (await connection.execute(select(tasks).where(tasks.c.id == task_id))).first()
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if channel is not None and channel not in CHANNELS:
        raise BadInput(f"--channel {channel!r} is not known; use one of {', '.join(sorted(CHANNELS))}")
    data = dict(task.data or {})
    if channel:
        data["channel"] = channel
    if note:
        data["note"] = note
    await connection.execute(update(tasks).where(and_(tasks.c.id == task_id, tasks.c.state == "open")).values(
        state="done", done_at=now, updated_at=now, data=data, assigned_to=task.assigned_to or by))
    await event_log.append(connection, [event_log.event(task.tenant_id, "task_done", now, task_id=task_id, by=by)])
    step_row = (await connection.execute(select(ladder_steps).where(ladder_steps.c.task_id == task_id))).first()
    if step_row is None:
        return 0
    case = (await connection.execute(select(arrears_cases).where(arrears_cases.c.id == step_row.case_id))).one()
    task = (await connection.execute(select(tasks).where(tasks.c.id == task_id))).one()
    return await record_task(connection, settings, task, step_row, case, now)


def manual_key(case_id: int, step: str, channel: str, text: str, occurred_at: datetime) -> str:
    digest = hashlib.sha256(f"{channel}\n{text}".encode()).hexdigest()[:16]
    return f"manual:{case_id}:{step}:{occurred_at:%Y%m%dT%H%M%S}:{digest}"
