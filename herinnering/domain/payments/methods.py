"""How a tenant pays the rent, and what follows from it.

Three stored values: `incasso` (SEPA direct debit: the corporation collects on the tenant's
collection day under a signed mandate), `overboeking` (the tenant transfers the rent
themselves before the due day) and `other` (anything else: cash at the office, a third party
such as a guardian or the municipality pays). Only `incasso` tenants may read "we collect",
have returns acted upon, get re-collections or appear in a pain.008 file; everyone else gets
a reminder that says how to pay.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum


class PaymentMethod(StrEnum):
    INCASSO = "incasso"
    OVERBOEKING = "overboeking"
    OTHER = "other"

    @property
    def is_direct_debit(self) -> bool:
        return self is PaymentMethod.INCASSO


DEFAULT = PaymentMethod.INCASSO  # what every tenant was before the record knew

# What ERP exports and people write, normalised (lower case, no spaces, dashes or dots).
_ALIASES: dict[str, PaymentMethod] = {
    **{name: PaymentMethod.INCASSO for name in (
        "incasso", "automatischeincasso", "sepaincasso", "machtiging", "ai", "directdebit", "debit",
        "sepadirectdebit", "sdd")},
    **{name: PaymentMethod.OVERBOEKING for name in (
        "overboeking", "overmaken", "zelfovermaken", "periodiekeoverboeking", "transfer", "banktransfer",
        "credittransfer", "standingorder")},
    **{name: PaymentMethod.OTHER for name in (
        "other", "anders", "overig", "overige", "contant", "cash", "derden", "bewindvoerder")},
}


def parse_payment_method(raw: str) -> PaymentMethod | None:
    """The method a written value names, or None when it names none we know."""
    return _ALIASES.get(re.sub(r"[\s\-_.]", "", raw.casefold()))


def accepted_spellings() -> str:
    return "incasso, overboeking or anders (also: automatische incasso, direct debit, transfer, other)"


# --- the reminder before the rent is due ------------------------------------------------------

PRE_DEBIT_KIND = "pre_debit"  # "op … schrijven wij de huur af": direct-debit tenants only
PRE_DUE_KIND = "pre_due"      # "betaal vóór …, naar IBAN … met kenmerk …": everyone else
BEFORE_DUE_KINDS = frozenset({PRE_DEBIT_KIND, PRE_DUE_KIND})


def reminder_kind(method: str) -> str:
    """The kind of reminder before the due day that fits how the tenant pays."""
    return PRE_DEBIT_KIND if method == PaymentMethod.INCASSO else PRE_DUE_KIND


def lease_covers(debit_date: date, lease_end: date | None) -> bool:
    """A reminder is planned for a debit (or due) date on or before the lease's last day."""
    return lease_end is None or debit_date <= lease_end


def stale_reminder(kind: str, debit_date: date | None, method: str, lease_end: date | None) -> str | None:
    """Why a planned reminder before the due day no longer fits the tenant (the payment method
    or the lease changed after it was planned), or None when it still does."""
    if kind not in BEFORE_DUE_KINDS:
        return None
    if kind != reminder_kind(method):
        return f"the tenant now pays by {method}"
    if debit_date is not None and not lease_covers(debit_date, lease_end):
        return "the lease ends before this due date"
    return None
