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

from herinnering.adapters.db import AsyncConnection, Row, mvi_store, task_store
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.domain.legal.mvi import CHANNELS, MviRecord, MviStep
from herinnering.domain.payments.ladder import StepRule
from herinnering.errors import BadInput, NotFound
from herinnering.runtime import Runtime

DEFAULT_CHANNEL = {MviStep.WRITTEN_REMINDER: "letter", MviStep.DATA_OFFER: "letter", MviStep.PERSONAL_CONTACT: "phone"}


async def record(
    connection: AsyncConnection, *, case_id: int, tenant_id: int, step: MviStep | str, channel: str, text: str,
    occurred_at: datetime, by: str, source_key: str, now: datetime,
) -> bool:
    """Store one MVI step; a second call with the same source key changes nothing."""
    step = MviStep(step)
    if channel not in CHANNELS:
        raise BadInput(f"MVI channel {channel!r} is not known; use one of {', '.join(sorted(CHANNELS))}")
    new = await mvi_store.insert(connection, case_id=case_id, step=step.value, channel=channel, text=text,
                                 occurred_at=occurred_at, by=by, source_key=source_key, now=now)
    if new:
        await event_log.append(connection, [event_log.event(
            tenant_id, "mvi_step_recorded", now, case_id=case_id, step=step.value, channel=channel, by=by)])
    return new


records_of = mvi_store.of_case


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
        for row in await mvi_store.done_ladder_tasks(connection):
            task = await mvi_store.task(connection, row.task_id)
            case = await mvi_store.case(connection, row.case_id)
            recorded += await record_task(connection, settings, task, row, case, now)
        for row in await mvi_store.delivered_ladder_messages(connection):
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
    task = await task_store.get(connection, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if channel is not None and channel not in CHANNELS:
        raise BadInput(f"--channel {channel!r} is not known; use one of {', '.join(sorted(CHANNELS))}")
    data = dict(task.data or {})
    if channel:
        data["channel"] = channel
    if note:
        data["note"] = note
    await mvi_store.finish_task(connection, task_id, data, task.assigned_to or by, now)
    await event_log.append(connection, [event_log.event(task.tenant_id, "task_done", now, task_id=task_id, by=by)])
    step_row = await mvi_store.ladder_step_of_task(connection, task_id)
    if step_row is None:
        return 0
    case = await mvi_store.case(connection, step_row.case_id)
    task = await mvi_store.task(connection, task_id)
    return await record_task(connection, settings, task, step_row, case, now)


def manual_key(case_id: int, step: str, channel: str, text: str, occurred_at: datetime) -> str:
    digest = hashlib.sha256(f"{channel}\n{text}".encode()).hexdigest()[:16]
    return f"manual:{case_id}:{step}:{occurred_at:%Y%m%dT%H%M%S}:{digest}"
