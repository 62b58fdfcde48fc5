"""Use case: act on the reason of a returned debit, and write the re-collection batch.

`on_return` runs inside the transaction that stored a returned-debit transaction (it
subscribes to published payment changes, after the case opened or joined the month): it asks `domain.return_reasons.next_after_return` what this
reason needs and carries it out — a message that takes the place of the ladder's first rung
(claimed in `ladder_steps`, so the ladder does not send its own link as well), an officer
task, a scheduled re-collection with its SEPA pre-notification, or for MD07 the end of every
message to that tenant. The step and why it was chosen are an event on the timeline.

`export_recollections` writes the re-collections of one day as a SEPA pain.008 file with
`sepaxml` (validated against the XSD by sepaxml itself) and marks them exported (the month's open
payment links are cancelled then: the bank debits it), each with its
tenant's own mandate id and signature date; a month paid in the meantime, a tenant who no
longer pays by direct debit, or one without an IBAN or a mandate on record, is left out with
the reason. Re-collections happen only for direct-debit tenants, announced at least the SEPA
pre-notification before (`[returns] pre_notification_days`, 14, or the mandate's own days). A return of a
re-collection comes back through `on_return` and counts against the cap, so the loop closes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sepaxml import SepaDD

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    dialog_store,
    ladder_store,
    message_store,
    outbox,
    payment_link_store,
    recollection_store,
    tenant_store,
)
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import payment_round_store as round_store
from herinnering.adapters.db.engine import Database
from herinnering.adapters.templates import MessageTemplates
from herinnering.clock import Clock, local_day
from herinnering.config import Settings
from herinnering.domain.payments.ladder import Action
from herinnering.domain.payments.methods import PaymentMethod
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.payments.return_reasons import StepAfterReturn, next_after_return
from herinnering.domain.reminders.planning import next_window_opening, next_working_send_moment
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import BadInput
from herinnering.services.payments import balance
from herinnering.services.payments.links import create_payment_links, payment_link_url

log = logging.getLogger(__name__)

EVENT = "return_next_step"


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Subscriber (bootstrap): only a returned debit has a reason that steers the next step."""
    if change.returned_debit:
        await on_return(connection, settings, change)


async def on_return(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> StepAfterReturn | None:
    """Carry out the reason-aware step for one new returned debit (see the module docstring)."""
    if change.status is not PaymentStatus.RETURNED:  # e.g. a return inside a payment arrangement
        return None
    now, today = change.occurred_at, local_day(change.occurred_at, settings)
    earlier = await recollection_store.of_month(connection, change.tenant_id, change.period)
    if earlier and earlier[-1].state in ("scheduled", "exported"):  # this return is the re-collection's own
        await recollection_store.mark_returned(connection, earlier[-1].id, now)
    tenant = await tenant_store.by_id(connection, change.tenant_id)
    step = _step(settings, tenant, change, len(earlier))
    data = _step_data(step, change, len(earlier))
    if step.stop_all:
        await _stop_everything(connection, change.tenant_id, now)
    task_id = None
    if step.task_kind and step.task_title:
        task_id = await store.add_task(connection, **_task_of(step, change, len(earlier)))
    message_id = None
    case = await store.get_case(connection, change.tenant_id, change.period)
    if step.message_kind and case is not None and case.state == "open" and tenant is not None and tenant.active:
        message_id = await _first_rung(connection, settings, tenant, case, step, change, now, today, len(earlier))
    if step.recollect_on is not None and message_id is not None and tenant is not None:  # never a re-collection without its notice
        await recollection_store.add(connection, _recollection_of(step, tenant, change, len(earlier), message_id))
        data["recollect_on"] = step.recollect_on.isoformat()
    await event_log.append(connection, [event_log.event(change.tenant_id, EVENT, now, message_id, **data,
                                                        **({"task_id": task_id} if task_id else {}))])
    return step


async def _first_rung(connection: AsyncConnection, settings: Settings, tenant: Row[Any], case: Row[Any],
                      step: StepAfterReturn, change: PaymentChange, now: datetime, today: date,
                      recollections_before: int) -> int | None:
    """The reason's own message, in place of the ladder's first message rung."""

    link = await _link(connection, settings, step, change)
    rows = await outbox.insert_planned(connection, [_rung_of(settings, tenant, case, step, change, recollections_before,
                                                             link)])
    if not rows:
        return None
    message_id = int(rows[0].id)
    first = _first_message_step(settings)
    if first is not None:
        await ladder_store.add_done(connection, case_id=case.id, step=first, today=today, message_id=message_id,
                                    now=now)
    await event_log.append(connection, [event_log.event(tenant.id, "message_planned", now, message_id,
                                                        kind=step.message_kind, period=change.period)])
    return message_id


async def _link(connection: AsyncConnection, settings: Settings, step: StepAfterReturn, change: PaymentChange) -> str:
    if not step.link:
        return ""
    return await payment_link_url(connection, settings, change.tenant_id, change.period, change.outstanding_cents,
                                  change.occurred_at) or ""


async def _links(connection: AsyncConnection, settings: Settings,
                 wanted: Sequence[tuple[StepAfterReturn, PaymentChange]]) -> list[str]:
    """`_link` for many changes of distinct tenants, the links made in bulk."""
    asked = [(index, change) for index, (step, change) in enumerate(wanted) if step.link]
    urls = await create_payment_links(connection, settings, [
        (change.tenant_id, change.period, change.outstanding_cents, change.occurred_at) for _, change in asked])
    found = [""] * len(wanted)
    for (index, _), url in zip(asked, urls, strict=True):
        found[index] = url
    return found


def _step(settings: Settings, tenant: Row[Any] | None, change: PaymentChange, recollections_before: int) -> StepAfterReturn:
    now = change.occurred_at
    notice_on = local_day(next_window_opening(now, settings.reminders.planning_rules()), settings)
    return next_after_return(
        change.reason_code, settings.returns.policy, local_day(now, settings), recollections_before,
        direct_debit=tenant is None or PaymentMethod(tenant.payment_method).is_direct_debit,
        notice_on=notice_on, pre_notification_days=tenant.pre_notification_days if tenant is not None else None)


def _step_data(step: StepAfterReturn, change: PaymentChange, recollections_before: int) -> dict[str, Any]:
    return {"period": change.period, "reason_code": step.code, "action": step.action.value,
            "reason": step.describe(), "why": step.why, "recollections_before": recollections_before}


def _task_of(step: StepAfterReturn, change: PaymentChange, recollections_before: int) -> dict[str, Any]:
    """`case_store.add_task`'s arguments for the step's officer task."""
    assert step.task_kind and step.task_title
    return {"tenant_id": change.tenant_id, "kind": step.task_kind, "title": step.task_title, "source": "returns",
            "dedupe_key": f"return:{change.tenant_id}:{change.period}:{step.code}:{recollections_before}",
            "now": change.occurred_at,
            "data": {"period": change.period, "reason_code": step.code, "why": step.why,
                     "outstanding_cents": change.outstanding_cents}}


def _rung_of(settings: Settings, tenant: Row[Any], case: Row[Any], step: StepAfterReturn, change: PaymentChange,
             recollections_before: int, link: str) -> dict[str, Any]:
    """The planned message row of the reason's own first rung."""
    now = change.occurred_at
    context: dict[str, Any] = {"amount_due_cents": change.outstanding_cents, "link_url": link, "period": change.period}
    if step.recollect_on is not None:
        context["recollect_on"] = f"{step.recollect_on:%d-%m-%Y}"
    assert step.message_kind is not None
    return {
        "tenant_id": tenant.id, "kind": step.message_kind, "period": change.period,
        "idempotency_key": f"return:{case.id}:{step.code}:{step.message_kind}:{recollections_before}",
        "channel": tenant.channel, "template": MessageTemplates.name(step.message_kind, tenant.channel, tenant.language),
        "variant": "default", "state": MessageState.PLANNED.value,
        "send_at": next_working_send_moment(now, settings.reminders.planning_rules()), "not_after": None, "attempts": 0,
        "context": context, "created_at": now, "updated_at": now,
    }


def _first_message_step(settings: Settings) -> str | None:
    return next((s.name for s in settings.ladder.ladder.steps if s.action is Action.MESSAGE), None)


def _recollection_of(step: StepAfterReturn, tenant: Row[Any], change: PaymentChange, recollections_before: int,
                     message_id: int) -> dict[str, Any]:
    attempt = recollections_before + 1
    return {"tenant_id": change.tenant_id, "period": change.period, "attempt": attempt, "reason_code": step.code,
            "amount_cents": change.outstanding_cents, "collect_on": step.recollect_on, "state": "scheduled",
            "end_to_end_id": f"{tenant.external_id}-{change.period}-R{attempt}"[:35],
            "notice_message_id": message_id, "created_at": change.occurred_at, "updated_at": change.occurred_at}


async def on_payment_changes(connection: AsyncConnection, settings: Settings, changes: Sequence[PaymentChange]) -> None:
    """`on_payment_change` for a round of distinct tenants, with the same rows and events. A
    month re-collected before, or MD07 (everything stops), goes through `on_return`; the first
    return of a month — the common one — writes its tasks, messages, ladder steps and
    re-collections in bulk. Each tenant's events keep their order: task, link, message, step."""
    returned = [c for c in changes if c.returned_debit and c.status is PaymentStatus.RETURNED]
    if not returned:
        return
    months = [(c.tenant_id, c.period) for c in returned]
    recollected = await round_store.recollected_months(connection, months)
    found = await round_store.tenants_by_id(connection, (c.tenant_id for c in returned))
    first: list[tuple[PaymentChange, StepAfterReturn]] = []
    for change in returned:
        step = _step(settings, found.get(change.tenant_id), change, 0)
        if (change.tenant_id, change.period) in recollected or step.stop_all:
            await on_return(connection, settings, change)
        else:
            first.append((change, step))
    if not first:
        return
    wanted = [_task_of(step, change, 0) for change, step in first if step.task_kind and step.task_title]
    task_ids = await round_store.insert_tasks(connection, [{
        "tenant_id": t["tenant_id"], "kind": t["kind"], "title": t["title"], "state": "open", "due_at": t["now"],
        "source": t["source"], "dedupe_key": t["dedupe_key"], "data": t["data"], "created_at": t["now"],
        "updated_at": t["now"]} for t in wanted])
    await event_log.append(connection, [event_log.event(
        t["tenant_id"], "task_created", t["now"], task_id=task_ids[t["dedupe_key"]], kind=t["kind"],
        dedupe_key=t["dedupe_key"]) for t in wanted if t["dedupe_key"] in task_ids])
    cases = await round_store.cases_holding(connection, months)
    messaging: list[tuple[PaymentChange, StepAfterReturn, Row[Any], Row[Any]]] = []
    for change, step in first:
        tenant, case = found.get(change.tenant_id), cases.get((change.tenant_id, change.period))
        if step.message_kind and case is not None and case.state == "open" and tenant is not None and tenant.active:
            messaging.append((change, step, tenant, case))
    links = await _links(connection, settings, [(step, change) for change, step, _, _ in messaging])
    rungs = [(change, step, tenant, case, _rung_of(settings, tenant, case, step, change, 0, link))
             for (change, step, tenant, case), link in zip(messaging, links, strict=True)]
    message_ids = await round_store.insert_messages(connection, [row for *_, row in rungs])
    planned = [(change, step, tenant, case, message_ids[row["idempotency_key"]])
               for change, step, tenant, case, row in rungs if row["idempotency_key"] in message_ids]
    ladder_step = _first_message_step(settings)
    if ladder_step is not None:
        await round_store.insert_ladder_steps(connection, [{
            "case_id": case.id, "step": ladder_step, "done_on": local_day(change.occurred_at, settings), "attempt": 1,
            "message_id": message_id, "created_at": change.occurred_at, "updated_at": change.occurred_at,
        } for change, _, _, case, message_id in planned])
    await event_log.append(connection, [event_log.event(
        change.tenant_id, "message_planned", change.occurred_at, message_id, kind=step.message_kind,
        period=change.period) for change, step, _, _, message_id in planned])
    messaged = {change.tenant_id: (tenant, message_id) for change, _, tenant, _, message_id in planned}
    await round_store.insert_recollections(connection, [
        _recollection_of(step, messaged[change.tenant_id][0], change, 0, messaged[change.tenant_id][1])
        for change, step in first if step.recollect_on is not None and change.tenant_id in messaged])
    log = []
    for change, step in first:
        message_id = messaged[change.tenant_id][1] if change.tenant_id in messaged else None
        data = _step_data(step, change, 0)
        if step.recollect_on is not None and message_id is not None:
            data["recollect_on"] = step.recollect_on.isoformat()
        task_id = task_ids.get(_task_of(step, change, 0)["dedupe_key"]) if step.task_kind and step.task_title else None
        log.append(event_log.event(change.tenant_id, EVENT, change.occurred_at, message_id, **data,
                                   **({"task_id": task_id} if task_id else {})))
    await event_log.append(connection, log)


async def _stop_everything(connection: AsyncConnection, tenant_id: int, now: datetime) -> None:
    """MD07: the tenant is made inactive (the dispatcher and planner skip inactive tenants), every
    planned message is cancelled, planned re-collections and an open dialog end."""
    await tenant_store.set_inactive(connection, tenant_id, now)
    planned = await message_store.planned_ids(connection, tenant_id)
    log_rows = [event_log.event(tenant_id, "messages_stopped", now, reason="rekeninghouder overleden (MD07)")]
    for message_id in planned:
        if await outbox.move(connection, message_id, MessageState.CANCELLED, now, error_message="debtor deceased"):
            log_rows.append(event_log.event(tenant_id, "message_cancelled", now, message_id, reason="debtor deceased"))
    await recollection_store.cancel_scheduled(connection, tenant_id, now)
    await dialog_store.replace(connection, tenant_id, None, now)
    await event_log.append(connection, log_rows)


async def return_lines(connection: AsyncConnection, tenant_id: int) -> dict[str, list[str]]:
    """Per month, each return's reason in plain Dutch and why that step was chosen (ladder view)."""
    rows = await event_log.of_type(connection, tenant_id, EVENT)
    lines: dict[str, list[str]] = {}
    for row in rows:
        text = row.data.get("reason", "")
        if row.data.get("recollect_on"):
            text += f" Nieuwe incasso op {date.fromisoformat(row.data['recollect_on']):%d-%m-%Y}."
        lines.setdefault(row.data.get("period", ""), []).append(text)
    return lines


# --- the pain.008 file --------------------------------------------------------------------------


@dataclass
class RecollectionExport:
    collect_on: date
    included: list[str] = field(default_factory=list)     # end-to-end ids in the file
    left_out: list[str] = field(default_factory=list)     # "<end-to-end id>: why"
    total_cents: int = 0
    xml: bytes = b""
    batch_id: int | None = None                           # the file as stored (recollection_batches)


def left_out_because(row: Row[Any], status: PaymentChange | None) -> str | None:
    """Why a scheduled re-collection cannot go into the file (None: it goes in). `row` is one of
    `recollection_store.scheduled`; the same reasons show on the screen before the file is made."""
    outstanding = status.outstanding_cents if status is not None else row.amount_cents
    if not row.active:
        return "tenant inactive"
    if status is not None and status.status is PaymentStatus.IN_ARRANGEMENT:
        return "month is in a payment arrangement"
    if outstanding <= 0:
        return "month paid in the meantime"
    if not PaymentMethod(row.payment_method).is_direct_debit:
        return f"the tenant pays by {row.payment_method}, not by direct debit"
    if not row.iban:
        return "no IBAN known"
    if not row.mandate_id or row.mandate_signed_on is None:
        return "no SEPA mandate on record (import machtigingskenmerk and datum machtiging)"
    return None


async def coming(connection: AsyncConnection, tenant_id: int, today: date) -> dict[str, Row[Any]]:
    """Per month, the re-collection the bank will still be asked for: in a file already, or
    scheduled and not to be left out of it for what is known now (no IBAN, no mandate, not paying
    by direct debit). The tenant's page, the payment page and the ladder offer no payment for
    these months; a month that will not be debited again stays payable."""
    found: dict[str, Row[Any]] = {}
    for row in await recollection_store.coming_of_tenant(connection, tenant_id, today):
        if row.state == "exported" or left_out_because(row, None) is None:
            found.setdefault(row.period, row)
    return found


async def export_recollections(db: Database, settings: Settings, clock: Clock, collect_on: date,
                               by: str = "cli") -> RecollectionExport:
    """The re-collections scheduled for `collect_on` as one pain.008 (see the module docstring)."""
    async with db.begin() as connection:
        return await export_in(connection, settings, clock.now(), collect_on, by)


async def export_in(connection: AsyncConnection, settings: Settings, now: datetime, collect_on: date,
                    by: str) -> RecollectionExport:
    """`export_recollections` inside the caller's transaction; the file is kept as a batch. A
    re-collection another export took a moment ago is skipped (never in two files)."""
    creditor = settings.returns.creditor
    report = RecollectionExport(collect_on=collect_on)
    sepa = SepaDD({"name": creditor.name, "IBAN": creditor.iban, "BIC": creditor.bic, "batch": True,
                   "creditor_id": creditor.creditor_id, "currency": "EUR"}, schema="pain.008.001.02", clean=True)
    for row in await recollection_store.scheduled(connection, collect_on):
        status = await balance.period_status(connection, row.tenant_id, row.period)
        why = left_out_because(row, status)
        if why is not None:
            if await recollection_store.mark_cancelled(connection, row.id, now):
                report.left_out.append(f"{row.end_to_end_id}: {why}")
                await event_log.append(connection, [event_log.event(
                    row.tenant_id, "recollection_cancelled", now, period=row.period, reason=why)])
            continue
        outstanding = status.outstanding_cents if status is not None else row.amount_cents
        amount = min(outstanding, row.amount_cents)
        if not await recollection_store.mark_exported(connection, row.id, amount, now):
            continue  # another export holds it
        # the month's open payment links stop working: the bank debits it now, paying too would pay twice
        if cancelled := await payment_link_store.cancel_open(connection, row.tenant_id, row.period, now):
            await event_log.append(connection, [event_log.event(
                row.tenant_id, "payment_links_cancelled", now, period=row.period, link_ids=cancelled,
                reason="the month is in a re-collection file")])
        sepa.add_payment({
            "name": row.name, "IBAN": row.iban.replace(" ", ""), "amount": amount, "type": "RCUR",
            "collection_date": collect_on, "mandate_id": row.mandate_id,  # the mandate as signed
            "mandate_date": row.mandate_signed_on,
            "description": f"Huur {row.period} {row.external_id}", "endtoend_id": row.end_to_end_id,
        })
        report.included.append(row.end_to_end_id)
        report.total_cents += amount
        await event_log.append(connection, [event_log.event(
            row.tenant_id, "recollection_exported", now, period=row.period, attempt=row.attempt,
            amount_cents=amount, collect_on=collect_on.isoformat(), end_to_end_id=row.end_to_end_id)])
    if report.included:
        try:
            report.xml = sepa.export(validate=True)
        except Exception as exc:  # sepaxml raises a bare Exception on a schema error
            raise BadInput(f"the pain.008 file did not validate: {exc}") from None
        report.batch_id = await recollection_store.add_batch(
            connection, collect_on=collect_on, end_to_end_ids=report.included, total_cents=report.total_cents,
            xml=report.xml, by=by, now=now)
    return report
