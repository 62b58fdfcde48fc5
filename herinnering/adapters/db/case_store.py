"""Queries the collection services share: arrears cases and their months, ladder steps, tasks,
and the cancelling of planned messages.

Kept apart from the use cases so the ladder, the pauzeknop, arrangements, letters and the Wgs
export read cases the same way. A tenant's one case that is not closed is found by its unique
`open_tenant_id`; a case's total is kept equal to the sum of its months by `refresh_totals`. Every cancellation goes through the guarded `outbox.move` and leaves
an event; every task is inserted with a unique dedupe key (a second insert is a no-op).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox
from herinnering.adapters.db.collection_tables import arrears_cases, case_months, ladder_steps
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.legal_tables import letters
from herinnering.adapters.db.tables import messages, tasks, tenants
from herinnering.domain.payments.ladder import CaseState, case_sources_of
from herinnering.domain.reminders.states import MessageState

PAUSE_REASON = "pauzeknop"  # the error text the dispatcher also uses when it cancels for a pause


async def get_case(connection: AsyncConnection, tenant_id: int, period: str) -> Row[Any] | None:
    """The case holding this month: the tenant's open case if it lists it, else the latest that did."""
    statement = (select(arrears_cases).join(case_months, case_months.c.case_id == arrears_cases.c.id)
                 .where(arrears_cases.c.tenant_id == tenant_id, case_months.c.period == period)
                 .order_by(arrears_cases.c.open_tenant_id.is_(None), arrears_cases.c.id.desc()).limit(1))
    return (await connection.execute(statement)).first()


async def case_by_id(connection: AsyncConnection, case_id: int) -> Row[Any] | None:
    return (await connection.execute(select(arrears_cases).where(arrears_cases.c.id == case_id))).first()


async def open_case_of(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """The tenant's one case that is not closed (open or in an arrangement), if any."""
    statement = select(arrears_cases).where(arrears_cases.c.open_tenant_id == tenant_id)
    return (await connection.execute(statement)).first()


async def cases_of(connection: AsyncConnection, tenant_id: int, states: Collection[str] = ()) -> list[Row[Any]]:
    statement = select(arrears_cases).where(arrears_cases.c.tenant_id == tenant_id).order_by(
        arrears_cases.c.opened_at, arrears_cases.c.id)
    if states:
        statement = statement.where(arrears_cases.c.state.in_(list(states)))
    return list((await connection.execute(statement)).fetchall())


async def open_cases(connection: AsyncConnection) -> list[Row[Any]]:
    """Every case not closed, with the tenant's name and contract id, oldest arrears first."""
    statement = (select(arrears_cases, tenants.c.external_id, tenants.c.name)
                 .join(tenants, tenants.c.id == arrears_cases.c.tenant_id)
                 .where(arrears_cases.c.open_tenant_id.is_not(None))
                 .order_by(arrears_cases.c.arrears_since, arrears_cases.c.id))
    return list((await connection.execute(statement)).fetchall())


async def insert_case(connection: AsyncConnection, *, tenant_id: int, period: str, state: CaseState,
                      missed_on: date, reason_code: str | None, now: datetime) -> int | None:
    """A new case for the tenant; None when the tenant has one open already (unique open_tenant_id)."""
    statement = dialect_insert(connection, arrears_cases).values(
        tenant_id=tenant_id, period=period, state=state.value, missed_on=missed_on, arrears_since=missed_on,
        reason_code=reason_code, amount_due_cents=0, amount_paid_cents=0, opened_at=now, updated_at=now,
        open_tenant_id=tenant_id,
    ).on_conflict_do_nothing(index_elements=["open_tenant_id"]).returning(arrears_cases.c.id)
    return (await connection.execute(statement)).scalar()


async def months_of(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    statement = select(case_months).where(case_months.c.case_id == case_id).order_by(case_months.c.period)
    return list((await connection.execute(statement)).fetchall())


async def month_of(connection: AsyncConnection, case_id: int, period: str) -> Row[Any] | None:
    statement = select(case_months).where(case_months.c.case_id == case_id, case_months.c.period == period)
    return (await connection.execute(statement)).first()


async def add_month(connection: AsyncConnection, *, case_id: int, tenant_id: int, period: str, due_on: date,
                    amount_due_cents: int, amount_paid_cents: int, reason_code: str | None, now: datetime) -> bool:
    """Join a month to a case (once: unique per case and period); returns whether it is new."""
    statement = dialect_insert(connection, case_months).values(
        case_id=case_id, tenant_id=tenant_id, period=period, due_on=due_on, amount_due_cents=amount_due_cents,
        amount_paid_cents=amount_paid_cents, reason_code=reason_code, joined_at=now, updated_at=now,
        settled_at=now if amount_paid_cents >= amount_due_cents else None,
    ).on_conflict_do_nothing(index_elements=["case_id", "period"]).returning(case_months.c.id)
    return (await connection.execute(statement)).scalar() is not None


async def update_month(connection: AsyncConnection, month_id: int, *, amount_due_cents: int, amount_paid_cents: int,
                       reason_code: str | None, now: datetime) -> None:
    settled = amount_due_cents > 0 and amount_paid_cents >= amount_due_cents
    await connection.execute(update(case_months).where(case_months.c.id == month_id).values(
        amount_due_cents=amount_due_cents, amount_paid_cents=amount_paid_cents, reason_code=reason_code,
        settled_at=func.coalesce(case_months.c.settled_at, now) if settled else None, updated_at=now))


async def refresh_totals(connection: AsyncConnection, case_id: int, now: datetime) -> Row[Any]:
    """Make the case's total the sum of its months and `arrears_since` the oldest unpaid due
    date; returns the case as it is now."""
    months = await months_of(connection, case_id)
    unpaid = [m.due_on for m in months if m.amount_paid_cents < m.amount_due_cents]
    values: dict[str, Any] = {
        "amount_due_cents": sum(m.amount_due_cents for m in months),
        "amount_paid_cents": sum(min(m.amount_paid_cents, m.amount_due_cents) for m in months),
        "updated_at": now,
    }
    if unpaid or months:
        values["arrears_since"] = min(unpaid or [m.due_on for m in months])
    if months:
        values["reason_code"] = max(months, key=lambda m: (m.updated_at, m.id)).reason_code
    await connection.execute(update(arrears_cases).where(arrears_cases.c.id == case_id).values(**values))
    case = await case_by_id(connection, case_id)
    assert case is not None
    return case


async def move_case(connection: AsyncConnection, case_id: int, target: CaseState, now: datetime, **fields: Any) -> bool:
    """Move a case along the state table; returns whether it moved. A closed case frees the
    tenant's one open place."""
    values: dict[str, Any] = {"state": target.value, "updated_at": now, **fields}
    if target is CaseState.CLOSED:
        values["closed_at"] = now
        values["open_tenant_id"] = None
    elif target is CaseState.OPEN:
        values["closed_at"] = None
    statement = update(arrears_cases).where(
        arrears_cases.c.id == case_id, arrears_cases.c.state.in_([s.value for s in case_sources_of(target)])
    ).values(**values)
    return (await connection.execute(statement)).rowcount == 1



async def steps_of(connection: AsyncConnection, case_ids: Sequence[int]) -> list[Row[Any]]:
    """The ladder steps of these cases, with the state of each step's message (if any)."""
    if not case_ids:
        return []
    statement = (
        select(ladder_steps, messages.c.state.label("message_state"),
               messages.c.error_message.label("message_error"), tasks.c.state.label("task_state"))
        .outerjoin(messages, messages.c.id == ladder_steps.c.message_id)
        .outerjoin(tasks, tasks.c.id == ladder_steps.c.task_id)
        .where(ladder_steps.c.case_id.in_(list(case_ids)))
        .order_by(ladder_steps.c.case_id, ladder_steps.c.done_on, ladder_steps.c.id)
    )
    return list((await connection.execute(statement)).fetchall())


def cancelled_by_pause(step: Row[Any]) -> bool:
    """A message step whose message a pause cancelled before it went out: to be done again."""
    return step.message_state == MessageState.CANCELLED and step.message_error == PAUSE_REASON


async def cancel_planned(
    connection: AsyncConnection, tenant_id: int, now: datetime, reason: str, *,
    kinds: Collection[str], period: str | None = None,
) -> int:
    """Cancel the tenant's planned messages of these kinds (of one period, if given)."""
    conditions = [messages.c.tenant_id == tenant_id, messages.c.state == MessageState.PLANNED,
                  messages.c.kind.in_(sorted(kinds))]
    if period is not None:
        conditions.append(messages.c.period == period)
    rows = (await connection.execute(select(messages.c.id).where(*conditions))).fetchall()
    cancelled = 0
    log = []
    for row in rows:
        if await outbox.move(connection, row.id, MessageState.CANCELLED, now, error_message=reason):
            cancelled += 1
            log.append(event_log.event(tenant_id, "message_cancelled", now, row.id, reason=reason))
    await event_log.append(connection, log)
    return cancelled


async def add_task(
    connection: AsyncConnection, *, tenant_id: int, kind: str, title: str, dedupe_key: str,
    now: datetime, due_at: datetime | None = None, data: dict[str, Any] | None = None, source: str = "ladder",
) -> int | None:
    """Create an officer task once per dedupe key; returns its id when it is new."""
    statement = dialect_insert(connection, tasks).values(
        tenant_id=tenant_id, kind=kind, title=title, state="open", due_at=due_at or now, source=source,
        dedupe_key=dedupe_key, data=data or {}, created_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(tasks.c.id)
    task_id = (await connection.execute(statement)).scalar()
    if task_id is not None:
        await event_log.append(connection, [event_log.event(tenant_id, "task_created", now, task_id=task_id,
                                                            kind=kind, dedupe_key=dedupe_key)])
    return task_id


async def cancel_open_tasks(connection: AsyncConnection, tenant_id: int, key_prefix: str, now: datetime) -> int:
    """Cancel the open tasks whose dedupe key starts with `key_prefix` (e.g. a paid case's ladder tasks)."""
    statement = update(tasks).where(
        and_(tasks.c.tenant_id == tenant_id, tasks.c.state == "open", tasks.c.dedupe_key.startswith(key_prefix, autoescape=True))
    ).values(state="cancelled", updated_at=now).returning(tasks.c.id)
    ids = [row.id for row in (await connection.execute(statement)).fetchall()]
    await event_log.append(connection, [
        event_log.event(tenant_id, "task_cancelled", now, task_id=task_id, reason="case closed") for task_id in ids
    ])
    return len(ids)


async def tenants_with_open_tasks(connection: AsyncConnection, kinds: Collection[str]) -> set[int]:
    statement = select(tasks.c.tenant_id).where(tasks.c.state == "open", tasks.c.kind.in_(list(kinds))).distinct()
    return {int(t) for t in (await connection.execute(statement)).scalars() if t is not None}


async def letter_posted(connection: AsyncConnection, tenant_id: int, kinds: Collection[str]) -> bool:
    """Whether a letter of one of `kinds` (the 14-day letter) has been posted to the tenant."""
    statement = select(letters.c.id).where(letters.c.tenant_id == tenant_id, letters.c.kind.in_(list(kinds)),
                                           letters.c.state == "posted").limit(1)
    return (await connection.execute(statement)).first() is not None
