"""Recording payment changes: match a transaction to a tenant and period, store it once, move
the period's state, log the event and tell the collection ladder — all in the caller's
transaction.

`record` takes checked transactions from any source (bank file, ERP export, API, paid link).
Each is stored under its unique `source_key` first; a key already taken means "seen before"
and changes nothing, which is what makes every intake idempotent (also when two imports run at
once: the second waits on the unique index, then finds the key taken). A transaction that
names no known tenant is kept unmatched and becomes an officer task. Every stored change ends
with `payment_changes.publish_payment(connection, settings, change)`: the case, the
instalments, the step after a returned debit and the experiment outcome subscribe there.

A bank statement of a large corporation holds 60,000 entries, so `record` works set-based: a
batch of up to `BATCH` transactions is cut into rounds that hold each tenant at most once (a
tenant's second transaction goes to the next round, after its first is done), and a round is
stored, applied and published with a few statements (`adapters.db.payment_store`,
`payment_changes.publish_payments`). The result is the database `record_one_by_one` leaves — the
same rows, and each tenant's events in the same order — which the tests check on mixed statements.
A line without a known tenant is matched by its signs against every tenant's open months, so
the batch before it is finished first and the line is taken on its own, as before.

Other areas read a tenant's months through `balance.py`; lines that name no tenant wait for an
officer in `unmatched.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, payment_store
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.domain.payments.bank_matching import Suggestion
from herinnering.domain.payments.payments import PaymentChange, PaymentStatus
from herinnering.domain.payments.state import (
    PeriodState,
    Transaction,
    TransactionKind,
    apply,
    contract_candidates,
    match_contract,
    money_moved_at,
    period_in,
    reason,
)
from herinnering.domain.reminders.planning import Period
from herinnering.services.payments import balance, bank_matching
from herinnering.services.payments.payment_changes import publish_payment, publish_payments
from herinnering.services.payments.unmatched import unmatched_task


@dataclass
class IntakeReport:
    transactions: int = 0
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    changes: list[PaymentChange] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    matched_by_signs: list[tuple[str, str, int, str]] = field(default_factory=list)  # contract, month, %, why

    def summary(self) -> str:
        return (f"{self.transactions} transactions: {self.stored} new, {self.duplicates} seen before, "
                f"{self.unmatched} of the new not matched to a tenant"
                + (f", {len(self.matched_by_signs)} matched by their signs" if self.matched_by_signs else ""))


@dataclass(frozen=True)
class Matched:
    transaction: Transaction
    tenant_id: int | None
    contract_id: str | None
    reference: str | None


async def match(connection: AsyncConnection, transactions: Sequence[Transaction]) -> list[Matched]:
    candidates: set[str] = set()
    for t in transactions:
        if t.contract_id:
            candidates.add(t.contract_id)
        for reference in t.references:
            for candidate in contract_candidates(reference):
                candidates.update((candidate, candidate.upper()))
    known = await payment_store.known_contracts(connection, candidates)
    matched = []
    for t in transactions:
        if t.contract_id:
            row = known.get(t.contract_id)
            matched.append(Matched(t, row.id if row else None, t.contract_id, t.contract_id))
            continue
        hit = match_contract(t.references, known)
        if hit is None:
            matched.append(Matched(t, None, None, None))
        else:
            matched.append(Matched(t, known[hit[0]].id, hit[0], hit[1]))
    return matched


BATCH = 1000  # transactions per batch: its rounds' lists stay well inside one statement's parameters


async def record(
    connection: AsyncConnection, settings: Settings, transactions: Sequence[Transaction], now: datetime
) -> IntakeReport:
    """Store each transaction once and apply it, a batch of tenants at a time (see the module
    docstring); the caller's transaction makes it all-or-nothing."""
    report = IntakeReport(transactions=len(transactions))
    changes: dict[int, PaymentChange] = {}
    pending: list[tuple[int, Matched]] = []
    seen: set[str] = set()
    for index, item in enumerate(await match(connection, transactions)):
        key = item.transaction.source_key
        if key in seen:  # named twice in one input: the first is stored, so this one is seen before
            report.duplicates += 1
            continue
        seen.add(key)
        if item.tenant_id is not None:
            pending.append((index, item))
            if len(pending) >= BATCH:
                await _record_batch(connection, settings, pending, now, report, changes)
                pending = []
            continue
        await _record_batch(connection, settings, pending, now, report, changes)  # the matcher reads open months
        pending = []
        change = await _record_unmatched(connection, settings, item.transaction, now, report)
        if change is not None:
            changes[index] = change
    await _record_batch(connection, settings, pending, now, report, changes)
    report.changes = [changes[index] for index in sorted(changes)]
    return report


async def record_one_by_one(
    connection: AsyncConnection, settings: Settings, transactions: Sequence[Transaction], now: datetime
) -> IntakeReport:
    """`record` a transaction at a time, each published on its own: the reference the batch
    path is held equal to."""
    report = IntakeReport(transactions=len(transactions))
    for item in await match(connection, transactions):
        if item.tenant_id is None:
            change = await _record_unmatched(connection, settings, item.transaction, now, report)
            if change is not None:
                report.changes.append(change)
            continue
        change = await record_for_tenant(connection, settings, item.tenant_id, item.transaction, now,
                                         contract_id=item.contract_id, reference=item.reference)
        if change is None:
            report.duplicates += 1
        else:
            report.stored += 1
            report.changes.append(change)
    return report


async def _record_unmatched(connection: AsyncConnection, settings: Settings, t: Transaction, now: datetime,
                            report: IntakeReport) -> PaymentChange | None:
    """A line that names no known tenant: booked when the matcher is sure, else kept for an officer."""
    decision = await bank_matching.decide_line(connection, settings, t)
    if decision.apply is not None:
        return await _record_by_signs(connection, settings, t, decision.apply, now, report)
    if await _store(connection, t, None, t.period, None, now):
        report.stored += 1
        report.unmatched += 1
        await unmatched_task(connection, t, now, decision.suggestions)
    else:
        report.duplicates += 1
    return None


def _rounds(items: Sequence[tuple[int, Matched]]) -> list[list[tuple[int, Matched]]]:
    """Statement order cut so that a round holds each tenant once: its n-th transaction is in round n."""
    rounds: list[list[tuple[int, Matched]]] = []
    count: dict[int, int] = {}
    for index, item in items:
        assert item.tenant_id is not None
        n = count.get(item.tenant_id, 0)
        count[item.tenant_id] = n + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append((index, item))
    return rounds


async def _record_batch(connection: AsyncConnection, settings: Settings, items: Sequence[tuple[int, Matched]],
                        now: datetime, report: IntakeReport, changes: dict[int, PaymentChange]) -> None:
    for round_ in _rounds(items):
        await _record_round(connection, settings, round_, now, report, changes)


async def _record_round(connection: AsyncConnection, settings: Settings, items: Sequence[tuple[int, Matched]],
                        now: datetime, report: IntakeReport, changes: dict[int, PaymentChange]) -> None:
    """Transactions of distinct known tenants: stored, their months moved, events logged and
    the changes published, each step one statement for the round."""
    periods: dict[int, str | None] = {
        index: item.transaction.period or _period_from_references(item.transaction, item.contract_id)
        for index, item in items}
    unnamed = {int(item.tenant_id or 0) for index, item in items if periods[index] is None}
    if unnamed:  # the months as they were before this round: a payment goes to the oldest still open
        months_before: dict[int, list[Row[Any]]] = {}
        for row in await payment_store.periods_of(connection, unnamed):
            months_before.setdefault(row.tenant_id, []).append(row)
        for index, item in items:
            if periods[index] is None:
                periods[index] = _fallback_of(months_before.get(int(item.tenant_id or 0), []), item.transaction,
                                              now, settings)
    new_keys = await payment_store.store_transactions(connection, [
        _transaction_row(item.transaction, item.tenant_id, periods[index], item.reference, now)
        for index, item in items])
    fresh = [(index, item) for index, item in items if item.transaction.source_key in new_keys]
    report.duplicates += len(items) - len(fresh)
    report.stored += len(fresh)
    if not fresh:
        return
    tenant_ids = {int(item.tenant_id or 0) for _, item in fresh}
    rent = await payment_store.rents(connection, tenant_ids)
    await payment_store.ensure_periods(connection, [(int(item.tenant_id or 0), str(periods[index]))
                                                    for index, item in fresh], rent, now)
    months = {(row.tenant_id, row.period): row
              for row in await payment_store.periods_of(connection, tenant_ids, lock=True)}
    moves: list[dict[str, Any]] = []
    log: list[dict[str, Any]] = []
    round_changes: list[PaymentChange] = []
    for index, item in fresh:
        tenant_id, period, t = int(item.tenant_id or 0), str(periods[index]), item.transaction
        row = months[(tenant_id, period)]
        state = PeriodState(row.amount_due_cents, row.amount_paid_cents, PaymentStatus(row.status), row.reason_code)
        new = apply(state, t)
        moves.append({"row_id": row.id, "due": new.amount_due_cents, "paid": new.amount_paid_cents,
                      "new_status": new.status, "code": new.reason_code, "new_source": t.source, "at": now})
        change, event = _changed(settings, tenant_id, period, t, state, new, now)
        log.append(event)
        round_changes.append(change)
        changes[index] = change
    await payment_store.move_periods(connection, moves)
    await event_log.append(connection, log)
    await publish_payments(connection, settings, round_changes)  # the case, instalments, returns, experiments


def _transaction_row(t: Transaction, tenant_id: int | None, period: str | None, reference: str | None,
                     now: datetime) -> dict[str, Any]:
    return {
        "source_key": t.source_key, "source": t.source, "kind": t.kind, "tenant_id": tenant_id, "period": period,
        "amount_cents": t.amount_cents, "reason_code": t.reason_code, "reference": (reference or "")[:140] or None,
        "booked_on": t.booked_on, "value_on": t.value_on, "data": {k: v for k, v in t.data.items() if v is not None},
        "created_at": now,
    }


def _changed(settings: Settings, tenant_id: int, period: str, transaction: Transaction, state: PeriodState,
             new: PeriodState, now: datetime) -> tuple[PaymentChange, dict[str, Any]]:
    """The published change and the `payment_changed` event of one applied transaction."""
    change = PaymentChange(
        tenant_id=tenant_id, period=period, status=new.status, amount_due_cents=new.amount_due_cents,
        amount_paid_cents=new.amount_paid_cents, reason_code=new.reason_code, source=transaction.source,
        occurred_at=money_moved_at(transaction, now, settings.reminders.timezone),
        returned_debit=transaction.kind is TransactionKind.RETURN,
    )
    details: dict[str, Any] = {
        "period": period, "source": transaction.source, "kind": transaction.kind, "amount_cents": transaction.amount_cents,
        "status": new.status, "previous_status": state.status, "amount_due_cents": new.amount_due_cents,
        "amount_paid_cents": new.amount_paid_cents, "source_key": transaction.source_key,
        **({"booked_on": transaction.booked_on.isoformat()} if transaction.booked_on else {}),
    }
    if transaction.kind is TransactionKind.RETURN and transaction.reason_code:
        details.update(reason_code=transaction.reason_code, reason=reason(transaction.reason_code).nl)
    return change, event_log.event(tenant_id, "payment_changed", now, **details)


async def _record_by_signs(connection: AsyncConnection, settings: Settings, t: Transaction, chosen: Suggestion,
                           now: datetime, report: IntakeReport) -> PaymentChange | None:
    """Book a line the matcher is sure of, say why on the tenant's timeline and in the report."""
    period = t.period or chosen.period
    change = await record_for_tenant(connection, settings, chosen.tenant_id, replace(t, period=period), now,
                                     contract_id=chosen.contract_id,
                                     reference=f"herkend ({chosen.confidence}%): {chosen.explanation}")
    if change is None:
        report.duplicates += 1
        return None
    report.stored += 1
    report.matched_by_signs.append((chosen.contract_id, change.period, chosen.confidence, chosen.explanation))
    await event_log.append(connection, [event_log.event(
        chosen.tenant_id, "payment_matched_by_signs", now, source_key=t.source_key, period=change.period,
        amount_cents=t.amount_cents, confidence=chosen.confidence, reasons=list(chosen.reasons))])
    return change


async def preview(connection: AsyncConnection, transactions: Sequence[Transaction]) -> IntakeReport:
    """What `record` would do, storing nothing (a dry run)."""
    report = IntakeReport(transactions=len(transactions))
    taken = await payment_store.taken_keys(connection, (t.source_key for t in transactions))
    for item in await match(connection, transactions):
        if item.transaction.source_key in taken:
            report.duplicates += 1
        else:
            report.stored += 1
            report.unmatched += item.tenant_id is None
    return report


async def record_for_tenant(
    connection: AsyncConnection, settings: Settings, tenant_id: int, transaction: Transaction, now: datetime,
    *, contract_id: str | None = None, reference: str | None = None,
) -> PaymentChange | None:
    """Store and apply one transaction of a known tenant; None when it was taken in before."""
    period = transaction.period or _period_from_references(transaction, contract_id)
    if period is None:
        period = await _fallback_period(connection, tenant_id, transaction, now, settings)
    if not await _store(connection, transaction, tenant_id, period, reference, now):
        return None
    state, row_id = await balance.locked_state(connection, tenant_id, period, now)
    new = apply(state, transaction)
    await balance.move(connection, row_id, new, transaction.source, now)
    change, event = _changed(settings, tenant_id, period, transaction, state, new, now)
    await event_log.append(connection, [event])
    await publish_payment(connection, settings, change)  # the case, instalments, returns, experiments
    return change


def _period_from_references(transaction: Transaction, contract_id: str | None) -> str | None:
    for text in transaction.references:
        found = period_in(text, contract_id)
        if found:
            return found
    return None


async def _fallback_period(
    connection: AsyncConnection, tenant_id: int, transaction: Transaction, now: datetime, settings: Settings
) -> str:
    """No month named: a payment goes to the oldest month still open, else the month it was booked."""
    if transaction.kind is TransactionKind.PAYMENT:
        oldest = await payment_store.oldest_open_period(connection, tenant_id)
        if oldest:
            return oldest
    day = transaction.booked_on or now.astimezone(settings.reminders.timezone).date()
    return str(Period.of(day))


def _fallback_of(months: Sequence[Row[Any]], transaction: Transaction, now: datetime, settings: Settings) -> str:
    """`_fallback_period` from the tenant's months read beforehand (sorted by period)."""
    if transaction.kind is TransactionKind.PAYMENT:
        oldest = next((m.period for m in months if m.amount_paid_cents < m.amount_due_cents), None)
        if oldest:
            return str(oldest)
    day = transaction.booked_on or now.astimezone(settings.reminders.timezone).date()
    return str(Period.of(day))


async def _store(
    connection: AsyncConnection, t: Transaction, tenant_id: int | None, period: str | None,
    reference: str | None, now: datetime,
) -> bool:
    return await payment_store.store_transaction(connection, _transaction_row(t, tenant_id, period, reference, now))
