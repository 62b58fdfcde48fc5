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
