"""Use cases of the collection ladder: carry out the ladder's steps of each arrears case as
they fall due. One ladder per case: the case (`services/payments/cases.py`) holds every unpaid month
of the tenant, so a second missed month joins the running ladder instead of starting one.

`ladder_tick` (the scheduler runs it; `herinnering ladder-tick` too) asks
`domain.ladder.next_step` what each open case needs today and carries it out. A step is
claimed by inserting its unique `ladder_steps` row in the same transaction that plans its
message or creates its task, so a tick that runs twice, or in two processes, does it once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import jinja2

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    ladder_store,
    tenant_store,
)
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.clock import local_day
from herinnering.config import Settings
from herinnering.domain.payments.ladder import (
    Action,
    NextStep,
    Status,
    StepRule,
    next_step,
)
from herinnering.domain.payments.return_reasons import payable_part
from herinnering.errors import HerinneringError
from herinnering.runtime import Runtime
from herinnering.services.legal import mvi
from herinnering.services.payments import arrangements, returns
from herinnering.services.payments.links import payment_link_url
from herinnering.services.payments.messages import plan_message

log = logging.getLogger(__name__)


@dataclass
class LadderReport:
    cases: int = 0        # open cases looked at
    messages: int = 0     # ladder messages planned now
    tasks: int = 0        # officer tasks created now
    paused: int = 0       # cases waiting for a pause to end
    mvi_recorded: int = 0
    instalment_tasks: int = 0
    handovers: int = 0    # cases whose last automatic step is done, now a person's task
    held: int = 0         # message steps waiting while an MD06 objection or a BETAALD claim is open
    done: list[tuple[int, str]] = field(default_factory=list)  # (case id, step) carried out


# Open tasks during which no ladder message says "we have not received your rent": the tenant
# objected to the debit (MD06/MS02) or says BETAALD and a person checks it first.
HOLDING_TASKS = ("return_objection", "verify_payment")
HANDOVER = "case_handover"
HANDOVER_DAYS = 2


async def _held_tenants(runtime: Runtime) -> set[int]:
    async with runtime.db.begin() as connection:
        return await store.tenants_with_open_tasks(connection, HOLDING_TASKS)


async def _skip_message_step(connection: AsyncConnection, case: Row[Any], step: StepRule, now: datetime,
                             today: date) -> bool:
    """An MD06 objection or a BETAALD claim is open: the step's "we have not received your rent"
    message is left out (its step claimed without a message, with the reason as an event), so
    the ladder's tasks for people go on."""
    if await ladder_store.claim(connection, case.id, step.name, today, now) is None:
        return False
    await event_log.append(connection, [event_log.event(
        case.tenant_id, "ladder_step_skipped", now, case_id=case.id, step=step.name, kind=step.kind,
        reason="an MD06 objection or a BETAALD claim is being checked by a person")])
    return True


async def hand_over(connection: AsyncConnection, runtime: Runtime, case: Row[Any], now: datetime) -> int | None:
    """After the ladder's last automatic step the case goes to a person, with a due date; it is
    never simply "finished". Once per case (cancelled when the case closes)."""
    return await store.add_task(
        connection, tenant_id=case.tenant_id, kind=HANDOVER, dedupe_key=f"ladder:{case.id}:handover", now=now,
        title="Zaak overnemen: de automatische stappen zijn gedaan; kies het vervolg (bellen, huisbezoek, "
              "regeling, of verder)", due_at=now + timedelta(days=HANDOVER_DAYS),
        data={"case_id": case.id, "outstanding_cents": max(0, case.amount_due_cents - case.amount_paid_cents)},
    )


# --- the tick ------------------------------------------------------------------------------


async def ladder_tick(runtime: Runtime) -> LadderReport:
    """Carry out every ladder step that is due today; safe to run twice or in two processes."""
    settings = runtime.settings
    now = runtime.clock.now()
    today = local_day(now, settings)
    report = LadderReport()
    report.mvi_recorded = await mvi.sync(runtime)
    async with runtime.db.begin() as connection:
        open_cases = await ladder_store.open_cases(connection)
        all_steps = await store.steps_of(connection, [case.id for case in open_cases])
    steps_by_case: dict[int, list[Row[Any]]] = defaultdict(list)
    for step in all_steps:
        steps_by_case[step.case_id].append(step)
    holding = await _held_tenants(runtime)
    for case in open_cases:
        if not case.active:
            continue
        report.cases += 1
        rows = steps_by_case[case.id]
        decision = decide(settings, case, rows, today)
        if decision.status is Status.PAUSED:
            report.paused += 1
        if decision.status is Status.FINISHED:  # people, not bots, at the end
            async with runtime.db.begin() as connection:
                report.handovers += await hand_over(connection, runtime, case, now) is not None
            continue
        if decision.status is not Status.DUE or decision.step is None:
            continue
        if decision.step.action is Action.MESSAGE and case.tenant_id in holding:
            async with runtime.db.begin() as connection:  # a person is on it: no "not received" message
                report.held += await _skip_message_step(connection, case, decision.step, now, today)
            continue
        redo = next((r for r in rows if r.step == decision.step.name), None)
        async with runtime.db.begin() as connection:
            carried = await _carry_out(connection, runtime, case, decision.step, redo, now, today)
        if carried:
            report.done.append((case.id, decision.step.name))
            if decision.step.action is Action.MESSAGE:
                report.messages += 1
            else:
                report.tasks += 1
    report.instalment_tasks = await arrangements.check_missed(runtime)
    return report


def decide(settings: Settings, case: Row[Any], steps: list[Row[Any]], today: date) -> NextStep:
    done = {row.step: row.done_on for row in steps if not store.cancelled_by_pause(row)}
    return next_step(settings.ladder.ladder, case.state, case.missed_on, done, case.paused_until, today)


async def _carry_out(
    connection: AsyncConnection, runtime: Runtime, case: Row[Any], step: StepRule, redo: Row[Any] | None,
    now: datetime, today: date,
) -> bool:
    """Claim the step (insert its row, or take back one a pause cancelled) and do it."""
    if redo is None:
        claimed = await ladder_store.claim(connection, case.id, step.name, today, now)
    else:
        claimed = await ladder_store.claim_again(connection, redo, today, now)
    if claimed is None:
        return False  # another tick took it
    tenant = await tenant_store.by_id(connection, case.tenant_id)
    assert tenant is not None
    outstanding = max(0, case.amount_due_cents - case.amount_paid_cents)
    data: dict[str, Any] = {"case_id": case.id, "period": case.period, "step": step.name, "attempt": claimed.attempt}
    if step.action is Action.MESSAGE:
        context: dict[str, Any] = {"amount_due_cents": outstanding, "link_url": "", "period": case.period}
        payable = await _payable(connection, case, outstanding, today) if step.link else None
        if payable is not None:
            url = await payment_link_url(connection, runtime.settings, case.tenant_id, *payable, now)
            context["link_url"] = url or ""
        message_id = await plan_message(
            connection, runtime, tenant, step.kind, case.period, f"ladder:{case.id}:{step.name}:{claimed.attempt}",
            context, now, rest_days=True,
        )
        await ladder_store.set_carried_by(connection, claimed.id, message_id=message_id)
        await event_log.append(connection, [event_log.event(
            case.tenant_id, "ladder_step", now, message_id, **data, action="message", kind=step.kind,
            link=bool(context["link_url"]))])
    else:
        text = letter_text(runtime, tenant, step.kind, {"amount_due_cents": outstanding, "period": case.period})
        task_id = await store.add_task(
            connection, tenant_id=case.tenant_id, kind=step.kind, title=step.title,
            dedupe_key=f"ladder:{case.id}:{step.name}", now=now,
            data={**data, "mvi": list(step.mvi), "outstanding_cents": outstanding, **({"text": text} if text else {})},
        )
        await ladder_store.set_carried_by(connection, claimed.id, task_id=task_id)
        await event_log.append(connection, [event_log.event(
            case.tenant_id, "ladder_step", now, **data, action="task", kind=step.kind, task_id=task_id)])
    return True


async def _payable(connection: AsyncConnection, case: Row[Any], outstanding: int,
                   today: date) -> tuple[str, int] | None:
    """The (period, cents) the step's link asks: the case's open amount, less every month whose
    announced re-collection is still to come (the bank debits it again; a link would invite the
    tenant to pay it twice); None when nothing else is open."""
    coming = await returns.coming(connection, case.tenant_id, today)
    if not coming:
        return (case.period, outstanding) if outstanding > 0 else None
    months = [(m.period, max(0, m.amount_due_cents - m.amount_paid_cents)) for m in await store.months_of(
        connection, case.id)]
    return payable_part(months, coming)


def letter_text(runtime: Runtime, tenant: Row[Any], kind: str, variables: dict[str, Any]) -> str | None:
    """The text of a letter a task asks an officer to send (`<kind>.letter.j2`), with its
    line breaks; None when this kind has no letter."""
    language = tenant.language
    context: dict[str, Any] = {
        "org_name": runtime.settings.organisation.name, "org_phone": runtime.settings.organisation.phone,
        "name": tenant.name, "contract_id": tenant.external_id,
        "amount": money(variables.get("amount_due_cents", 0), language), "period": variables.get("period", ""),
        "today_date": long_date(local_day(runtime.clock.now(), runtime.settings), language),
    }
    for candidate in (language, "nl"):
        try:
            template = runtime.templates.env.get_template(MessageTemplates.name(kind, "letter", candidate))
        except jinja2.TemplateNotFound:
            continue
        return template.render(**context).strip()
    return None


# --- where a tenant stands -----------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    name: str
    day: int
    action: str
    done_on: date | None
    status: str  # done, planned/sent/…, due, waiting, paused, stopped, redo


@dataclass(frozen=True)
class CaseView:
    case_id: int
    period: str
    state: str
    missed_on: date
    outstanding_cents: int
    steps: tuple[StepView, ...]
    next: NextStep


async def ladder_view(connection: AsyncConnection, settings: Settings, tenant: Row[Any], today: date) -> list[CaseView]:
    """Every case of the tenant with its steps and what comes next (`herinnering ladder`)."""
    rows = await store.cases_of(connection, tenant.id)
    steps = await store.steps_of(connection, [case.id for case in rows])
    views = []
    for case in rows:
        mine = [s for s in steps if s.case_id == case.id]
        decision = next_step(settings.ladder.ladder, case.state, case.missed_on,
                             {s.step: s.done_on for s in mine if not store.cancelled_by_pause(s)},
                             tenant.paused_until, today)
        by_name = {s.step: s for s in mine}
        step_views = []
        for rule in settings.ladder.ladder.steps:
            row = by_name.get(rule.name)
            if row is not None and not store.cancelled_by_pause(row):
                # a task step is done only when its task is (an open call is "task open", not "done")
                status = row.message_state or {"open": "task open", "cancelled": "task cancelled"}.get(
                    row.task_state or "", "done")
            elif decision.step is not None and decision.step.name == rule.name:
                status = decision.status.value
            else:
                status = "redo" if row is not None else "later"
            step_views.append(StepView(rule.name, rule.day, rule.action.value,
                                       row.done_on if row is not None else None, status))
        views.append(CaseView(case.id, case.period, case.state, case.missed_on,
                              max(0, case.amount_due_cents - case.amount_paid_cents), tuple(step_views), decision))
    return views


async def ladder_job(runtime: Runtime) -> None:
    """The scheduler's trigger (every half hour in `serve`): the tick is idempotent, so a late
    or doubled run does no harm."""
    try:
        report = await ladder_tick(runtime)
    except HerinneringError as exc:
        log.error("ladder tick stopped: %s", exc)
        return
    if report.messages or report.tasks or report.mvi_recorded or report.instalment_tasks:
        log.info("ladder: %d messages planned, %d tasks, %d MVI steps recorded, %d missed instalments",
                 report.messages, report.tasks, report.mvi_recorded, report.instalment_tasks)
