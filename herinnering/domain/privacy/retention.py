"""How long tenant data is kept after the contract ended (AVG/GDPR storage limitation).

Each kind of data has its own term (`[privacy]`): message bodies and logs go first; the proof of
the early-warning steps and the letters (a court case about the arrears can follow for years),
the WhatsApp consents they were sent under, and the administration — what was due, paid,
returned, re-collected and arranged, the tenant's account statement — stay until their own,
longer term. The administration's term is a legal duty: the fiscal retention duty (Algemene wet
inzake rijksbelastingen art. 52 lid 4; BW 2:10 lid 3) asks 7 years. `KINDS`
names the tables of each kind; every other table of a tenant is "messages".

Pure: `parse_age("24m")` reads the `--older-than` argument, `cutoff(today, months)` gives the
last contract-end date that is old enough to purge. A month is a calendar month; the 31st
minus one month is the last day of the shorter month.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

# The tables kept past the message term, per kind; every other table of the tenant is "messages".
KINDS: dict[str, frozenset[str]] = {
    "proof": frozenset({"arrears_cases", "case_months", "mvi_steps", "letters", "municipal_feedback"}),
    "consents": frozenset({"whatsapp_consents"}),
    "administration": frozenset({"payment_periods", "payment_transactions", "arrangements", "instalments",
                                 "recollections", "payment_links", "sandbox_payments"}),
}


@dataclass(frozen=True)
class Terms:
    """Months after the contract ended, per kind of data."""

    messages: int
    proof: int
    consents: int
    administration: int = 84

    def months(self, kind: str) -> int:
        return int(getattr(self, kind))

    def longest(self) -> int:
        return max(self.messages, self.proof, self.consents, self.administration)


def check_terms(terms: Terms) -> None:
    """The proof needs the case it belongs to, not the messages: but a case row must not go before
    the ladder steps that point at its messages, so proof and consents never go before messages."""
    for kind in KINDS:
        if terms.months(kind) < terms.messages:
            raise ValueError(f"{kind}_retention_months ({terms.months(kind)}) is shorter than "
                             f"retention_months ({terms.messages}): proof, consents and the administration "
                             "outlive the messages")


def parse_age(text: str) -> int:
    """'24m' → 24 months, '2y' → 24 months; a plain number means months."""
    match = re.fullmatch(r"\s*(\d{1,4})\s*([my]?)\s*", text.lower())
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not an age like 24m (months) or 2y (years)")
    months = int(match.group(1)) * (12 if match.group(2) == "y" else 1)
    if months > 1200:
        raise ValueError(f"{text!r} is more than 100 years")
    return months


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cutoff(today: date, months: int) -> date:
    """Contracts that ended before this date are past retention."""
    return months_before(today, months)
