"""Changing or cancelling a payment arrangement (betalingsregeling), from the CLI or the screen.

Both end the arrangement in one guarded statement (only an *active* one ends, so two officers
pressing at once change it once; the second is told it moved on), stop its unpaid instalments
and their planned reminders, record the officer's reason on the timeline, and tell the tenant
by a message in their language (`arrangement_changed` / `arrangement_cancelled`): nobody keeps
paying, or stops paying, an arrangement they were not told about.

A *change* re-plans what is still unpaid: a new arrangement over the same months, starting from
what was paid so far (its baseline), with its own instalments and reminders — the paid ones
stay on the old arrangement, which is kept as `changed`. A *cancel* hands the months back to the
ladder: the tenant's cases in the arrangement open again, and the follow-up resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, arrangement_store, outbox, tenant_store
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.clock import local_day
from herinnering.domain.payments import arrangements as plan
from herinnering.domain.payments.ladder import CaseState
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import BadInput, Conflict, NotFound
from herinnering.runtime import Runtime
from herinnering.services.payments.arrangements import MISSED_TASK, active_of, paid_towards, record
from herinnering.services.payments.messages import plan_message

CHANGED_MESSAGE = "arrangement_changed"
CANCELLED_MESSAGE = "arrangement_cancelled"


@dataclass(frozen=True)
class Ended:
    arrangement_id: int
    tenant_id: int
    remaining_cents: int                   # what was still unpaid when it ended
    new_arrangement_id: int | None         # a change: the arrangement that takes its place
    instalments: tuple[plan.Instalment, ...]
    message_id: int | None                 # the message that tells the tenant


async def _end(connection: AsyncConnection, arrangement_id: int, state: str, reason: str,
               now: datetime) -> tuple[Row[Any], int]:
    """End an active arrangement; returns it and what is still unpaid on it."""
    if not reason.strip():
        raise BadInput("give a reason: it goes on the tenant's timeline and in the audit log")
    found = await arrangement_store.arrangement(connection, arrangement_id)
    if found is None:
        raise NotFound(f"payment arrangement {arrangement_id} does not exist")
    if not await arrangement_store.end(connection, arrangement_id, state, now):
        raise Conflict(f"payment arrangement {arrangement_id} is no longer active ({found.state}); "
                               "someone else may have changed or ended it — reload to see what it is now")
    remaining = max(0, found.total_cents - await paid_towards(connection, found))
    log = []
    for part in await arrangement_store.stop_unpaid_instalments(connection, arrangement_id, now):
        if part.reminder_message_id is not None and await outbox.move(
                connection, part.reminder_message_id, MessageState.CANCELLED, now,
                error_message=f"arrangement {state}"):
            log.append(event_log.event(found.tenant_id, "message_cancelled", now, part.reminder_message_id,
                                       reason=f"arrangement {state}"))
    await store.cancel_open_tasks(connection, found.tenant_id, f"{MISSED_TASK}:{arrangement_id}:", now)
    await event_log.append(connection, log)
    return found, remaining


async def _tell(connection: AsyncConnection, runtime: Runtime, tenant_id: int, kind: str, arrangement_id: int,
                context: dict[str, Any], period: str, now: datetime) -> int | None:
    tenant = await tenant_store.by_id(connection, tenant_id)
    if tenant is None:  # pragma: no cover - an arrangement always has its tenant (foreign key)
        return None
    return await plan_message(connection, runtime, tenant, kind, period, f"{kind}:{arrangement_id}", context, now)


async def cancel(connection: AsyncConnection, runtime: Runtime, arrangement_id: int, *, reason: str,
                 by: str) -> Ended:
    """Stop an arrangement: the months go back to the ladder, the tenant is told what is open."""
    now = runtime.clock.now()
    found, remaining = await _end(connection, arrangement_id, "cancelled", reason, now)
    periods = [p for p in found.periods.split(",") if p]
    still_covered = {p for other in await active_of(connection, found.tenant_id) for p in other.periods.split(",")}
    log = [event_log.event(found.tenant_id, "arrangement_cancelled", now, arrangement_id=arrangement_id,
                           remaining_cents=remaining, reason=reason.strip(), by=by)]
    for case in await store.cases_of(connection, found.tenant_id, states=[CaseState.IN_ARRANGEMENT.value]):
        if case.period in periods and case.period not in still_covered and await store.move_case(
                connection, case.id, CaseState.OPEN, now):
            log.append(event_log.event(found.tenant_id, "ladder_resumed", now, case_id=case.id, period=case.period,
                                       reason="payment arrangement cancelled"))
    await event_log.append(connection, log)
    message_id = None
    if remaining > 0:
        message_id = await _tell(connection, runtime, found.tenant_id, CANCELLED_MESSAGE, arrangement_id,
                                 {"amount_due_cents": remaining}, periods[0] if periods else f"{now:%Y-%m}", now)
    return Ended(arrangement_id, found.tenant_id, remaining, None, (), message_id)


async def change(connection: AsyncConnection, runtime: Runtime, arrangement_id: int, *, count: int, first: date,
                 every: plan.Every | str, reason: str, by: str) -> Ended:
    """Re-plan what is still unpaid over `count` instalments from `first` (see the module docstring)."""
    now = runtime.clock.now()
    if first < local_day(now, runtime.settings):
        raise BadInput(f"the first instalment ({first.isoformat()}) is in the past")
    found, remaining = await _end(connection, arrangement_id, "changed", reason, now)
    if remaining <= 0:
        raise Conflict(f"payment arrangement {arrangement_id} is paid in full: nothing to re-plan")
    try:
        parts = plan.split(remaining, count, first, every)
    except ValueError as exc:
        raise BadInput(f"arrangement: {exc}") from None
    tenant = await tenant_store.by_id(connection, found.tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {found.tenant_id} does not exist")
    periods = tuple(p for p in found.periods.split(",") if p)
    paid = found.total_cents - remaining
    new_id, _ = await record(connection, runtime, tenant, total=remaining, periods=periods, parts=parts,
                             every=plan.Every(every), baseline_paid_cents=found.baseline_paid_cents + paid, by=by,
                             now=now, first=first)
    await event_log.append(connection, [event_log.event(
        found.tenant_id, "arrangement_changed", now, arrangement_id=arrangement_id, new_arrangement_id=new_id,
        total_cents=remaining, count=count, first=first.isoformat(), every=plan.Every(every).value,
        periods=list(periods), reason=reason.strip(), by=by)])
    message_id = await _tell(connection, runtime, found.tenant_id, CHANGED_MESSAGE, arrangement_id,
                             {"amount_due_cents": remaining, "instalments": count, "due_date": first.isoformat()},
                             periods[0] if periods else f"{first:%Y-%m}", now)
    return Ended(arrangement_id, found.tenant_id, remaining, new_id, tuple(parts), message_id)


@dataclass(frozen=True)
class ActiveArrangement:
    """One line of the team's list: whose, how much, paid so far, the next and any missed instalment."""
    id: int
    tenant_id: int
    contract_id: str
    name: str
    total_cents: int
    paid_cents: int
    every: str
    parts: tuple[Row[Any], ...]

    @property
    def next_open(self) -> Row[Any] | None:
        return next((p for p in self.parts if p.state == "open"), None)

    @property
    def missed(self) -> int:
        return sum(p.state == "missed" for p in self.parts)


async def team_list(runtime: Runtime) -> list[ActiveArrangement]:
    async with runtime.db.begin() as connection:
        rows = await arrangement_store.active_with_tenants(connection)
        parts = await arrangement_store.instalments_of(connection, [row.id for row in rows])
        paid = {row.id: await paid_towards(connection, row) for row in rows}
    by_arrangement: dict[int, list[Row[Any]]] = {}
    for part in parts:
        by_arrangement.setdefault(part.arrangement_id, []).append(part)
    return [ActiveArrangement(row.id, row.tenant_id, row.external_id, row.name, row.total_cents,
                              min(paid[row.id], row.total_cents), row.every, tuple(by_arrangement.get(row.id, [])))
            for row in rows]
