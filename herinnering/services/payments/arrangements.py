"""Betalingsregelingen (Gereedschapskist 3.2): an agreed split of what a tenant owes into
instalments, a reminder before each one, and a task for an officer when one is missed.

Making an arrangement stops the ladder for the periods it covers (their cases move to
`in_arrangement`). An instalment counts as paid when the money paid on the covered periods
since the arrangement (published by intake or a payment link; `on_payment_change` subscribes)
covers it, in order. A missed instalment does not restart the ladder: it becomes a task
("Termijn betalingsregeling niet betaald") so a person calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, arrangement_store, outbox, tenant_store
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import payment_round_store as round_store
from herinnering.clock import local_day
from herinnering.config import Settings
from herinnering.domain.payments import arrangements as plan
from herinnering.domain.payments.ladder import CaseState
from herinnering.domain.payments.payments import PaymentChange
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import BadInput, Conflict, NotFound
from herinnering.runtime import Runtime
from herinnering.services.payments.cases import stop_for_arrangement
from herinnering.services.payments.messages import plan_message

KIND = "instalment_reminder"
MISSED_TASK = "instalment_missed"


@dataclass(frozen=True)
class Made:
    arrangement_id: int
    total_cents: int
    periods: tuple[str, ...]
    instalments: tuple[plan.Instalment, ...]
    reminders: int


async def add_arrangement(
    connection: AsyncConnection, runtime: Runtime, tenant_id: int, *, count: int, first: date,
    every: plan.Every | str, amount_cents: int | None = None, by: str = "officer",
) -> Made:
    """Agree an arrangement over the tenant's open arrears (or `amount_cents`, if given)."""
    settings = runtime.settings
    now = runtime.clock.now()
    tenant = await tenant_store.by_id(connection, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} does not exist")
    open_cases = await store.cases_of(connection, tenant_id, states=[CaseState.OPEN.value])
    outstanding = sum(max(0, c.amount_due_cents - c.amount_paid_cents) for c in open_cases)
    total = amount_cents if amount_cents is not None else outstanding
    if total <= 0:
        raise Conflict(f"tenant {tenant.external_id} has no open arrears; give --amount to agree one anyway")
    if first < local_day(now, settings):
        raise BadInput(f"--first {first.isoformat()} is in the past")
    try:
        parts = plan.split(total, count, first, every)
    except ValueError as exc:
        raise BadInput(f"arrangement: {exc}") from None
    periods = tuple(c.period for c in open_cases)
    arrangement_id, reminders = await record(
        connection, runtime, tenant, total=total, periods=periods, parts=parts, every=plan.Every(every),
        baseline_paid_cents=sum(c.amount_paid_cents for c in open_cases), by=by, now=now, first=first)
    for case in open_cases:
        await stop_for_arrangement(connection, settings, case, now)
    await event_log.append(connection, [event_log.event(
        tenant_id, "arrangement_made", now, arrangement_id=arrangement_id, total_cents=total, count=count,
        first=first.isoformat(), every=plan.Every(every).value, periods=list(periods), by=by)])
    return Made(arrangement_id, total, periods, tuple(parts), reminders)


async def record(
    connection: AsyncConnection, runtime: Runtime, tenant: Row[Any], *, total: int, periods: tuple[str, ...],
    parts: list[plan.Instalment], every: plan.Every, baseline_paid_cents: int, by: str, now: datetime, first: date,
) -> tuple[int, int]:
    """Store an arrangement and its instalments, each with its reminder planned; returns the
    arrangement's id and how many reminders were planned (none for a date already past)."""
    settings = runtime.settings
    arrangement_id = await arrangement_store.insert(
        connection, tenant_id=tenant.id, state="active", total_cents=total, periods=",".join(periods),
        baseline_paid_cents=baseline_paid_cents, every=every.value, created_by=by, created_at=now, updated_at=now)
    reminders = 0
    tz = settings.reminders.timezone
    period = periods[0] if periods else f"{first:%Y-%m}"
    for part in parts:
        remind_on = part.due_on.toordinal() - settings.ladder.instalment_reminder_days
        send_at = datetime.combine(date.fromordinal(remind_on), time(0), tzinfo=tz)
        message_id = None
        if part.due_on >= local_day(now, settings):
            message_id = await plan_message(
                connection, runtime, tenant, KIND, period, f"{KIND}:{arrangement_id}:{part.number}",
                {"amount_due_cents": part.amount_cents, "due_date": part.due_on.isoformat(),
                 "instalment_number": part.number, "instalments": len(parts)},
                now, send_at=send_at,
            )
            reminders += message_id is not None
        await arrangement_store.add_instalment(
            connection, arrangement_id=arrangement_id, number=part.number, due_on=part.due_on,
            amount_cents=part.amount_cents, state="open", reminder_message_id=message_id, updated_at=now)
    return arrangement_id, reminders


async def paid_towards(connection: AsyncConnection, arrangement: Row[Any]) -> int:
    periods = [p for p in arrangement.periods.split(",") if p]
    if not periods:
        return 0
    paid = await arrangement_store.paid_on_cases(connection, arrangement.tenant_id, periods)
    baseline: int = arrangement.baseline_paid_cents
    return max(0, paid - baseline)


_parts = arrangement_store.parts_of


def _as_plan(rows: list[Row[Any]]) -> list[plan.Instalment]:
    return [plan.Instalment(row.number, row.due_on, row.amount_cents) for row in rows]


active_of = arrangement_store.active_of


async def arrangement_lines(connection: AsyncConnection, tenant_id: int) -> list[str]:
    """The tenant's active arrangements, one line each with its instalments (for the CLI)."""
    lines = []
    for arrangement in await active_of(connection, tenant_id):
        parts = ", ".join(f"#{row.number} {row.due_on:%d-%m-%Y} {row.amount_cents / 100:.2f} {row.state}"
                          for row in await _parts(connection, arrangement.id))
        lines.append(f"Betalingsregeling {arrangement.id} ({arrangement.periods}): {parts}")
    return lines


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Subscriber (bootstrap): money paid on the covered months pays instalments in order."""
    await apply_payments(connection, settings, change.tenant_id, change.occurred_at)


async def on_payment_changes(connection: AsyncConnection, settings: Settings, changes: Sequence[PaymentChange]) -> None:
    """`on_payment_change` for a round of distinct tenants: only those with an active arrangement have instalments to pay."""
    active = await round_store.with_active_arrangement(connection, (c.tenant_id for c in changes))
    for change in changes:
        if change.tenant_id in active:
            await on_payment_change(connection, settings, change)


async def apply_payments(connection: AsyncConnection, settings: Settings, tenant_id: int, now: datetime) -> int:
    """Mark the instalments the money paid so far covers; returns how many became paid."""
    newly_paid = 0
    for arrangement in await active_of(connection, tenant_id):
        rows = await _parts(connection, arrangement.id)
        covered = plan.covered(_as_plan(rows), await paid_towards(connection, arrangement))
        log = []
        for row in rows[:covered]:
            if row.state == "paid":
                continue
            await arrangement_store.set_instalment_paid(connection, row.id, now)
            if row.reminder_message_id is not None and await outbox.move(
                connection, row.reminder_message_id, MessageState.CANCELLED, now, error_message="instalment paid"
            ):
                log.append(event_log.event(tenant_id, "message_cancelled", now, row.reminder_message_id,
                                           reason="instalment paid"))
            log.append(event_log.event(tenant_id, "instalment_paid", now, arrangement_id=arrangement.id,
                                       number=row.number, amount_cents=row.amount_cents))
            newly_paid += 1
        if covered == len(rows) and rows:
            await arrangement_store.set_state(connection, arrangement.id, "completed", now)
            log.append(event_log.event(tenant_id, "arrangement_completed", now, arrangement_id=arrangement.id))
        await event_log.append(connection, log)
    return newly_paid


async def check_missed(runtime: Runtime) -> int:
    """Give an officer a task for each instalment not paid in time; returns the new tasks."""
    now = runtime.clock.now()
    today = local_day(now, runtime.settings)
    grace = runtime.settings.ladder.instalment_grace_days
    created = 0
    async with runtime.db.begin() as connection:
        for arrangement in await active_of(connection):
            rows = await _parts(connection, arrangement.id)
            late = plan.missed(_as_plan(rows), await paid_towards(connection, arrangement), today, grace)
            by_number = {row.number: row for row in rows}
            for part in late:
                row = by_number[part.number]
                if row.state == "open":
                    await arrangement_store.set_instalment_missed(connection, row.id, now)
                task_id = await store.add_task(
                    connection, tenant_id=arrangement.tenant_id, kind=MISSED_TASK,
                    title="Termijn betalingsregeling niet betaald: bel de huurder",
                    dedupe_key=f"{MISSED_TASK}:{arrangement.id}:{part.number}", now=now, source="arrangement",
                    data={"arrangement_id": arrangement.id, "number": part.number, "amount_cents": part.amount_cents,
                          "due_on": part.due_on.isoformat()},
                )
                if task_id is not None:
                    created += 1
                    await event_log.append(connection, [event_log.event(
                        arrangement.tenant_id, "instalment_missed", now, arrangement_id=arrangement.id,
                        number=part.number, task_id=task_id)])
    return created
