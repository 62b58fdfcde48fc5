"""Use case: a bank line that names no contract finds its tenant by its signs (domain/payments/bank_matching.py).

`payments.record` asks `decide_line` for every line it could not match by contract id: a clear,
confident suggestion is booked by itself (and reported with its reasons); anything less becomes
an officer's task with the best suggestions. Officers register the accounts others pay from.
"""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.adapters.db import AsyncConnection, payer_store, tenant_store
from herinnering.config import Settings
from herinnering.domain.payments.bank_matching import (
    BankLine,
    Suggestion,
    decide,
    normal_iban,
    postcodes_in,
    suggest,
)
from herinnering.domain.payments.state import Transaction, TransactionKind, period_in
from herinnering.errors import BadInput, NotFound
from herinnering.runtime import Runtime


@dataclass(frozen=True)
class Decision:
    apply: Suggestion | None          # book it on this tenant and month now
    suggestions: list[Suggestion]     # otherwise: what the officer's task offers


async def decide_line(connection: AsyncConnection, settings: Settings, t: Transaction) -> Decision:
    if t.kind is not TransactionKind.PAYMENT:  # a returned debit always carries our mandate or reference
        return Decision(None, [])
    text = " ".join(t.references)
    line = BankLine(amount_cents=t.amount_cents, text=text, counterparty_name=t.counterparty_name,
                    period_named=t.period or period_in(text))
    found = await payer_store.candidates(connection, iban=normal_iban(t.counterparty_iban),
                                         postcodes=postcodes_in(text), amount_cents=t.amount_cents)
    suggestions = suggest(line, found)
    return Decision(decide(suggestions, settings.payments.match_threshold, settings.payments.match_margin),
                    suggestions)


async def add_payer(runtime: Runtime, contract_id: str, iban: str, label: str, by: str) -> bool:
    """Register an account that pays this tenant's rent; False when it was known already."""
    value = normal_iban(iban)
    if not value or not 15 <= len(value) <= 34 or not value[:2].isalpha():
        raise BadInput(f"--iban: {iban!r} is not an IBAN")
    label = " ".join(label.split())[:80]
    if not label:
        raise BadInput("--label: say who pays from this account (partner, budgetbeheer …)")
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_external_id(connection, contract_id)
        if tenant is None:
            raise NotFound(f"--tenant: no tenant with contract id {contract_id!r}")
        return await payer_store.add_payer(connection, tenant.id, value, label, by, runtime.clock.now())
