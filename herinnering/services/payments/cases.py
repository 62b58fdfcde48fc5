"""Use cases of the arrears case: one case per tenant that holds every unpaid month.

The law, the tenant and the officer think in one tenant's total arrears, not in months. So a
payment change (published by payments, see `bootstrap.wire_subscribers`) goes to the
tenant's one open case: a month in arrears (a returned debit, or rent still unpaid after its
debit date) opens the case if there is none, and otherwise *joins* it — it starts no second
ladder; a payment lowers the month's open amount and so the case's total; when every month is
paid the case closes and its planned ladder messages and open ladder tasks are cancelled; an
arrangement moves the case to `in_arrangement` and the ladder stops. "In arrears since" is the
oldest unpaid due date of its months; the ladder's day 0 (`missed_on`) is the day the case
opened and does not move when a month is added or paid.

Read side for the officers' screens and commands: `list_open_cases`, `case_detail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, tenant_store
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import payment_round_store as round_store
from herinnering.adapters.db.case_store import cases_of  # noqa: F401  (read side for pages and commands)
from herinnering.adapters.db.engine import Database
from herinnering.clock import local_day
from herinnering.config import Settings
from herinnering.domain.payments.ladder import Action, CaseState
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.reminders.planning import Period, debit_date


def message_kinds(settings: Settings) -> frozenset[str]:
    return frozenset(s.kind for s in settings.ladder.ladder.steps if s.action is Action.MESSAGE)


def due_date(period: str, collection_day: int | None, fallback: date) -> date:
    """The month's debit date (the day its rent was due); `fallback` when the period is odd."""
    try:
        return debit_date(Period.parse(period), int(collection_day or 1))
    except ValueError:
        return fallback


# --- a payment changed ---------------------------------------------------------------------


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Open, join, lower, pause or close the tenant's case (see the module docstring)."""
    now = change.occurred_at
    today = local_day(now, settings)
    row = await tenant_store.by_id(connection, change.tenant_id)
    if row is None:
        return
    case = await store.open_case_of(connection, change.tenant_id)
    month = await store.month_of(connection, case.id, change.period) if case is not None else None
    if month is not None:
        await store.update_month(connection, month.id, amount_due_cents=change.amount_due_cents,
                                 amount_paid_cents=change.amount_paid_cents, reason_code=change.reason_code, now=now)
    settled = change.status is PaymentStatus.PAID or (change.amount_due_cents > 0 and change.outstanding_cents == 0)
    arrangement = change.status is PaymentStatus.IN_ARRANGEMENT
    if month is None:
        if settled or not (arrangement or _in_arrears(change, row.collection_day, today)):
            return  # a month paid in time, or not yet late: no case of its own
        due_on = due_date(change.period, row.collection_day, today)
        if case is None:
            state = CaseState.IN_ARRANGEMENT if arrangement else CaseState.OPEN
            case = await _open(connection, change, state, today, due_on)
        else:
            await _join(connection, case, change, due_on)
    if case is None:
        return
    case = await store.refresh_totals(connection, case.id, now)
    outstanding = max(0, case.amount_due_cents - case.amount_paid_cents)
    if month is not None and month.amount_paid_cents != change.amount_paid_cents:
        await event_log.append(connection, [event_log.event(
            change.tenant_id, "arrears_case_total_changed", now, case_id=case.id, period=change.period,
            outstanding_cents=outstanding, source=change.source)])
    if outstanding == 0:
        await close_case(connection, settings, case, now, reason=f"paid ({change.source})")
    elif arrangement:
        await stop_for_arrangement(connection, settings, case, now)


async def on_payment_changes(connection: AsyncConnection, settings: Settings, changes: Sequence[PaymentChange]) -> None:
    """`on_payment_change` for a round of changes of distinct tenants, with the same rows and
    events. A tenant with a case not closed, or a month moved into an arrangement, goes through
    the one-change form; a tenant without a case is decided here, and the cases that open are
    written in bulk — already with the totals `refresh_totals` would give their one month."""
    found = await round_store.tenants_by_id(connection, (c.tenant_id for c in changes))
    with_case = await round_store.with_open_case(connection, found)
    opening: list[tuple[PaymentChange, date, date]] = []
    for change in changes:
        row = found.get(change.tenant_id)
        if row is None:
            continue
        if change.tenant_id in with_case or change.status is PaymentStatus.IN_ARRANGEMENT:
            await on_payment_change(connection, settings, change)
            continue
        today = local_day(change.occurred_at, settings)
        settled = change.status is PaymentStatus.PAID or (change.amount_due_cents > 0 and change.outstanding_cents == 0)
        if settled or not _in_arrears(change, row.collection_day, today):
            continue  # no case of its own
        opening.append((change, today, due_date(change.period, row.collection_day, today)))
    if opening:
        await _open_many(connection, settings, opening)


async def _open_many(connection: AsyncConnection, settings: Settings,
                     opening: Sequence[tuple[PaymentChange, date, date]]) -> None:
    """New cases of one month each (in arrears, so never settled: nothing closes or stops)."""
    case_ids = await round_store.insert_cases(connection, [{
        "tenant_id": change.tenant_id, "period": change.period, "state": CaseState.OPEN.value, "missed_on": today,
        "arrears_since": due_on, "reason_code": change.reason_code, "amount_due_cents": change.amount_due_cents,
        "amount_paid_cents": min(change.amount_paid_cents, change.amount_due_cents),
        "opened_at": change.occurred_at, "updated_at": change.occurred_at, "open_tenant_id": change.tenant_id,
    } for change, today, due_on in opening])
    await round_store.insert_months(connection, [{
        "case_id": case_ids[change.tenant_id], "tenant_id": change.tenant_id, "period": change.period,
        "due_on": due_on, "amount_due_cents": change.amount_due_cents, "amount_paid_cents": change.amount_paid_cents,
        "reason_code": change.reason_code, "joined_at": change.occurred_at, "updated_at": change.occurred_at,
        "settled_at": None,
    } for change, _, due_on in opening if change.tenant_id in case_ids])
    await event_log.append(connection, [event_log.event(
        change.tenant_id, "arrears_case_opened", change.occurred_at, case_id=case_ids[change.tenant_id],
        period=change.period, state=CaseState.OPEN.value, reason_code=change.reason_code,
        outstanding_cents=change.outstanding_cents, missed_on=today.isoformat(),
    ) for change, today, _ in opening if change.tenant_id in case_ids])
    for change, _, _ in opening:  # another intake opened this tenant's case a moment ago: join it
        if change.tenant_id not in case_ids:
            await on_payment_change(connection, settings, change)


def _in_arrears(change: PaymentChange, collection_day: int, today: date) -> bool:
    """A returned debit, or money still owed after the debit date of the month."""
    if change.outstanding_cents <= 0:
        return False
    if change.status is PaymentStatus.RETURNED:
        return True
    try:
        due = debit_date(Period.parse(change.period), collection_day)
    except ValueError:
        return False
    return today > due


async def _open(connection: AsyncConnection, change: PaymentChange, state: CaseState, today: date,
                due_on: date) -> Row[Any] | None:
    now = change.occurred_at
    case_id = await store.insert_case(connection, tenant_id=change.tenant_id, period=change.period, state=state,
                                      missed_on=today, reason_code=change.reason_code, now=now)
    if case_id is None:  # another intake opened the tenant's case a moment ago: join that one
        case = await store.open_case_of(connection, change.tenant_id)
        if case is not None:
            await _join(connection, case, change, due_on)
        return case
    await store.add_month(connection, case_id=case_id, tenant_id=change.tenant_id, period=change.period,
                          due_on=due_on, amount_due_cents=change.amount_due_cents,
                          amount_paid_cents=change.amount_paid_cents, reason_code=change.reason_code, now=now)
    await event_log.append(connection, [event_log.event(
        change.tenant_id, "arrears_case_opened", now, case_id=case_id, period=change.period, state=state.value,
        reason_code=change.reason_code, outstanding_cents=change.outstanding_cents, missed_on=today.isoformat(),
    )])
    return await store.case_by_id(connection, case_id)


async def _join(connection: AsyncConnection, case: Row[Any], change: PaymentChange, due_on: date) -> None:
    """A new missed month joins the open case: its ladder goes on, no second one starts."""
    now = change.occurred_at
    if await store.add_month(connection, case_id=case.id, tenant_id=change.tenant_id, period=change.period,
                             due_on=due_on, amount_due_cents=change.amount_due_cents,
                             amount_paid_cents=change.amount_paid_cents, reason_code=change.reason_code, now=now):
        await event_log.append(connection, [event_log.event(
            change.tenant_id, "arrears_month_joined", now, case_id=case.id, period=change.period,
            reason_code=change.reason_code, outstanding_cents=change.outstanding_cents)])


async def close_case(connection: AsyncConnection, settings: Settings, case: Row[Any], now: datetime, reason: str) -> None:
    """Paid: the case closes and its planned ladder messages and open ladder tasks are cancelled."""
    if not await store.move_case(connection, case.id, CaseState.CLOSED, now):
        return
    cancelled = await store.cancel_planned(connection, case.tenant_id, now, "arrears paid",
                                           kinds=message_kinds(settings), period=case.period)
    tasks = await store.cancel_open_tasks(connection, case.tenant_id, f"ladder:{case.id}:", now)
    await event_log.append(connection, [event_log.event(
        case.tenant_id, "arrears_case_closed", now, case_id=case.id, period=case.period, reason=reason,
        messages_cancelled=cancelled, tasks_cancelled=tasks)])


async def stop_for_arrangement(connection: AsyncConnection, settings: Settings, case: Row[Any], now: datetime) -> bool:
    if not await store.move_case(connection, case.id, CaseState.IN_ARRANGEMENT, now):
        return False
    cancelled = await store.cancel_planned(connection, case.tenant_id, now, "payment arrangement",
                                           kinds=message_kinds(settings), period=case.period)
    await event_log.append(connection, [event_log.event(
        case.tenant_id, "ladder_stopped", now, case_id=case.id, period=case.period, reason="payment arrangement",
        messages_cancelled=cancelled)])
    return True


# --- read side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseMonth:
    period: str
    due_on: date
    amount_due_cents: int
    amount_paid_cents: int
    reason_code: str | None

    @property
    def open_cents(self) -> int:
        return max(0, self.amount_due_cents - self.amount_paid_cents)


@dataclass(frozen=True)
class CaseSummary:
    case_id: int
    tenant_id: int
    contract_id: str
    name: str
    state: str
    arrears_since: date
    opened_on: date
    total_cents: int           # what is open now over all its months
    months: tuple[CaseMonth, ...]

    @property
    def open_months(self) -> tuple[CaseMonth, ...]:
        return tuple(m for m in self.months if m.open_cents > 0)


def _month(row: Row[Any]) -> CaseMonth:
    return CaseMonth(row.period, row.due_on, row.amount_due_cents, row.amount_paid_cents, row.reason_code)


async def summary(connection: AsyncConnection, case: Row[Any], contract_id: str, name: str) -> CaseSummary:
    months = tuple(_month(m) for m in await store.months_of(connection, case.id))
    return CaseSummary(case.id, case.tenant_id, contract_id, name, case.state, case.arrears_since, case.missed_on,
                       max(0, case.amount_due_cents - case.amount_paid_cents), months)


async def list_open_cases(db: Database) -> list[CaseSummary]:
    """Every case not closed, oldest arrears first, with its months and total."""
    async with db.begin() as connection:
        return [await summary(connection, row, row.external_id, row.name) for row in await store.open_cases(connection)]


async def case_detail(db: Database, case_id: int) -> CaseSummary | None:
    async with db.begin() as connection:
        case = await store.case_by_id(connection, case_id)
        if case is None:
            return None
        who = await tenant_store.by_id(connection, case.tenant_id)
        assert who is not None
        return await summary(connection, case, who.external_id, who.name)
