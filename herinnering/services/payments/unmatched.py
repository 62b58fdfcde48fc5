"""Lines that name no known tenant: kept as an officer's task with the matcher's best
suggestions, matched by hand to a tenant and month, and a match made here (by hand or by its
signs) taken back. A line the bank itself named is corrected at the source, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from herinnering.adapters.db import AsyncConnection, payment_store
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.domain.payments.bank_matching import Suggestion, masked_iban
from herinnering.domain.payments.payments import PaymentChange
from herinnering.domain.payments.state import Transaction, TransactionKind, apply, stated
from herinnering.domain.reminders.planning import Period
from herinnering.errors import BadInput, Conflict, NotFound
from herinnering.services.payments import balance
from herinnering.services.payments.payment_changes import publish_payment


async def unmatched_task(connection: AsyncConnection, t: Transaction, now: datetime,
                         suggestions: Sequence[Suggestion] = ()) -> None:
    """Keep the line for an officer: a task (once per line) with the matcher's suggestions."""
    what = "terugboeking" if t.kind is TransactionKind.RETURN else "betaling"
    best = f"; {suggestions[0].contract_id}?" if suggestions else ""
    await payment_store.add_unmatched_task(connection, {
        "tenant_id": None, "kind": "verify_payment", "state": "open", "source": "payments",
        "title": f"Koppel {what} van € {t.amount_cents / 100:.2f} aan een huurder{best}"[:200],
        "dedupe_key": f"unmatched:{t.source_key}"[:128],
        "data": {"source_key": t.source_key, "references": list(t.references), "amount_cents": t.amount_cents,
                 "paid_from": masked_iban(t.counterparty_iban), "account_holder": t.counterparty_name,
                 "suggestions": [{"contract_id": s.contract_id, "period": s.period, "confidence": s.confidence,
                                  "reasons": list(s.reasons)} for s in suggestions]},
        "created_at": now, "updated_at": now,
    })


async def assign_unmatched(
    connection: AsyncConnection, settings: Settings, source_key: str, tenant_id: int, period: str, now: datetime,
    *, by: str,
) -> PaymentChange:
    """An officer matches a kept-unmatched transaction to a tenant and month by hand: the stored
    row gets the tenant, and the month moves as if the bank had named the tenant."""
    row = await payment_store.transaction_by_key(connection, source_key)
    if row is None:
        raise NotFound(f"payment {source_key!r} does not exist")
    if row.tenant_id is not None:
        raise Conflict(f"payment {source_key!r} is already matched to a tenant")
    try:
        period = str(Period.parse(period))
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    await payment_store.set_match(connection, row.id, tenant_id=tenant_id, period=period,
                                  reference=f"by hand: {by}"[:140])
    transaction = Transaction(source=row.source, source_key=row.source_key, kind=TransactionKind(row.kind),
                              amount_cents=row.amount_cents, period=period, reason_code=row.reason_code,
                              booked_on=row.booked_on)
    state, row_id = await balance.locked_state(connection, tenant_id, period, now)
    new = apply(state, transaction)
    await balance.move(connection, row_id, new, transaction.source, now)
    change = PaymentChange(tenant_id=tenant_id, period=period, status=new.status, amount_due_cents=new.amount_due_cents,
                           amount_paid_cents=new.amount_paid_cents, reason_code=new.reason_code,
                           source=transaction.source, occurred_at=now,
                           returned_debit=transaction.kind is TransactionKind.RETURN)
    await event_log.append(connection, [event_log.event(
        tenant_id, "payment_changed", now, period=period, source=transaction.source, kind=transaction.kind,
        amount_cents=transaction.amount_cents, status=new.status, previous_status=state.status,
        amount_due_cents=new.amount_due_cents, amount_paid_cents=new.amount_paid_cents,
        source_key=transaction.source_key, matched_by=by)])
    await publish_payment(connection, settings, change)  # the case, instalments, returns, experiments
    return change


async def undo_match(connection: AsyncConnection, settings: Settings, transaction_id: int, now: datetime, *,
                     by: str) -> PaymentChange:
    """Take back a match made by hand or by its signs: the month loses the amount again, the line
    is unmatched, and its task is open again. A line the bank itself named cannot be undone here."""
    row = await payment_store.transaction_by_id(connection, transaction_id)
    if row is None:
        raise NotFound(f"payment {transaction_id} does not exist")
    if row.tenant_id is None:
        raise Conflict(f"payment {transaction_id} is not matched to a tenant")
    made_here = (row.reference or "").startswith(("by hand:", "herkend ("))
    if not made_here or row.kind != TransactionKind.PAYMENT:
        raise Conflict(f"payment {transaction_id} was matched by the bank's own reference "
                               f"({row.reference or row.source}); correct it at the source")
    tenant_id, period = int(row.tenant_id), str(row.period)
    state, row_id = await balance.locked_state(connection, tenant_id, period, now)
    new = stated(state.amount_due_cents, max(0, state.amount_paid_cents - row.amount_cents), None, None)
    await balance.move(connection, row_id, new, "undo", now)
    await payment_store.set_match(connection, row.id, tenant_id=None, reference=None)
    if not await payment_store.reopen_task(connection, f"unmatched:{row.source_key}"[:128], now):
        await unmatched_task(connection, Transaction(source=row.source, source_key=row.source_key,
                                                      kind=TransactionKind.PAYMENT, amount_cents=row.amount_cents,
                                                      references=tuple((row.data or {}).get("references", ()))), now)
    change = PaymentChange(tenant_id=tenant_id, period=period, status=new.status,
                           amount_due_cents=new.amount_due_cents, amount_paid_cents=new.amount_paid_cents,
                           reason_code=new.reason_code, source="undo", occurred_at=now)
    await event_log.append(connection, [event_log.event(
        tenant_id, "payment_match_undone", now, transaction_id=row.id, period=period, amount_cents=row.amount_cents,
        status=new.status, previous_status=state.status, by=by)])
    await publish_payment(connection, settings, change)  # the case, instalments, returns, experiments
    return change


matched_here = payment_store.matched_here  # the lines `undo_match` can take back
