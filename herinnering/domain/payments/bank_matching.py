"""Whose rent is a bank line that names no contract? Suggestions an officer can follow.

Tenants pay by transfer with "huur december" or nothing at all as the description; a partner, the
municipality's budget management or a debt counsellor pays from their own account. Such a line
names no contract id, yet the signs are usually plain: the account is one we know, the amount is
exactly an open month or the whole arrears, the description carries a name, a postcode or a
street. Each sign adds points, each with the reason in words, so an officer sees why ("IBAN
bekend, bedrag = huur december"). Only a clear winner with high confidence is applied by itself;
anything less becomes a task with the best suggestions.

Pure: the caller gathers the candidates (adapters/db/payer_store.py) and applies the decision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from herinnering.domain.reminders.planning import Period

MONTHS_NL = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
             "oktober", "november", "december")

POINTS = {
    "iban_tenant": 60,   # the tenant's own account
    "iban_payer": 55,    # an account registered for the tenant (partner, budget management, counsellor)
    "amount_month": 30,  # exactly what is open for one month
    "amount_total": 30,  # exactly the whole arrears
    "amount_rent": 15,   # exactly the monthly rent (not open: paid ahead, or due later)
    "name": 20,          # the tenant's surname in the description or as the account holder
    "postcode": 20,      # the tenant's postcode in the description
    "street": 15,        # the tenant's street and number in the description
    "period": 10,        # the description names a month that is open for this tenant
}


@dataclass(frozen=True)
class OpenMonth:
    period: str
    outstanding_cents: int


@dataclass(frozen=True)
class Candidate:
    tenant_id: int
    contract_id: str
    name: str
    monthly_rent_cents: int
    open_months: tuple[OpenMonth, ...] = ()
    postcode: str | None = None
    street: str | None = None
    house_number: str | None = None
    iban_label: str | None = None   # "huurder" for the tenant's own account, else the payer's label

    @property
    def total_cents(self) -> int:
        return sum(m.outstanding_cents for m in self.open_months)


@dataclass(frozen=True)
class BankLine:
    amount_cents: int
    text: str                       # the description (remittance information), as the bank gave it
    counterparty_name: str | None = None
    period_named: str | None = None  # a month the description names ("huur december 2026")

    @property
    def months_named(self) -> frozenset[int]:
        """Month numbers the description names without a year ("huur december", "dec")."""
        words = set(_plain(self.text).split())
        return frozenset(number for number, name in enumerate(MONTHS_NL, start=1)
                         if name in words or name[:3] in words)


@dataclass(frozen=True)
class Suggestion:
    tenant_id: int
    contract_id: str
    period: str | None              # the month to book it on (None: the oldest open month decides)
    confidence: int                 # 0-100
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"})


def _plain(text: str) -> str:
    """Lower case, accents off, letters a bank's character set lacks spelled out ("Aydın" → "aydin")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).split())


def month_name(period: str) -> str:
    return MONTHS_NL[Period.parse(period).month - 1]


def surname(name: str) -> str:
    """The part of a name that appears on bank lines: the last word ("Zoë van Dijk" → "dijk")."""
    words = _plain(name).split()
    return words[-1] if words else ""


def score(line: BankLine, candidate: Candidate) -> Suggestion:
    """The points and reasons of one candidate for one bank line."""
    reasons: list[str] = []
    points = 0
    text = f" {_plain(line.text)} "
    holder = f" {_plain(line.counterparty_name or '')} "
    if candidate.iban_label is not None:
        own = candidate.iban_label == "huurder"
        points += POINTS["iban_tenant" if own else "iban_payer"]
        reasons.append("IBAN bekend" + ("" if own else f" ({candidate.iban_label})"))
    period = None
    named = [m for m in candidate.open_months if m.period == line.period_named
             or (line.period_named is None and Period.parse(m.period).month in line.months_named)]
    if named:
        period = named[0].period
        points += POINTS["period"]
    same = [m for m in candidate.open_months if m.outstanding_cents == line.amount_cents]
    if same:
        chosen = next((m for m in same if m.period == period), same[0])
        period = chosen.period
        points += POINTS["amount_month"]
        reasons.append(f"bedrag = huur {month_name(chosen.period)}")
    elif len(candidate.open_months) > 1 and candidate.total_cents == line.amount_cents:
        points += POINTS["amount_total"]
        reasons.append("bedrag = totale achterstand")
    elif line.amount_cents == candidate.monthly_rent_cents:
        points += POINTS["amount_rent"]
        reasons.append("bedrag = maandhuur")
    if named and period == named[0].period:
        reasons.append(f"omschrijving noemt {month_name(period)}")
    last = surname(candidate.name)
    if len(last) >= 3 and (f" {last} " in text or f" {last} " in holder):
        points += POINTS["name"]
        reasons.append("naam in omschrijving" if f" {last} " in text else "naam rekeninghouder")
    if candidate.postcode and f" {_plain(candidate.postcode).replace(' ', '')} " in f" {text.replace(' ', '')} " or candidate.postcode and _plain(candidate.postcode) in text:
        points += POINTS["postcode"]
        reasons.append("postcode in omschrijving")
    if candidate.street and candidate.house_number:
        address = f" {_plain(candidate.street)} {_plain(candidate.house_number)} "
        if address in text:
            points += POINTS["street"]
            reasons.append("adres in omschrijving")
    if period is None and candidate.open_months:
        period = candidate.open_months[0].period
    return Suggestion(candidate.tenant_id, candidate.contract_id, period, min(points, 100), tuple(reasons))


def suggest(line: BankLine, candidates: Sequence[Candidate], limit: int = 3) -> list[Suggestion]:
    """The best candidates first; a candidate with no sign at all is no suggestion."""
    best: dict[int, Suggestion] = {}
    for candidate in candidates:
        found = score(line, candidate)
        if found.confidence > 0 and (found.tenant_id not in best or found.confidence > best[found.tenant_id].confidence):
            best[found.tenant_id] = found
    return sorted(best.values(), key=lambda s: (-s.confidence, s.contract_id))[:limit]


def decide(suggestions: Sequence[Suggestion], threshold: int, margin: int) -> Suggestion | None:
    """The suggestion to apply without a person: confident, and clearly ahead of the next one."""
    if not suggestions or suggestions[0].confidence < threshold:
        return None
    if len(suggestions) > 1 and suggestions[0].confidence - suggestions[1].confidence < margin:
        return None
    return suggestions[0]


def postcodes_in(text: str) -> set[str]:
    """Dutch postcodes a description mentions, as stored ("1234 AB")."""
    return {f"{m.group(1)} {m.group(2).upper()}" for m in re.finditer(r"\b([1-9][0-9]{3}) ?([A-Za-z]{2})\b", text)}


def normal_iban(iban: str | None) -> str | None:
    if not iban:
        return None
    value = re.sub(r"\s+", "", iban).upper()
    return value or None


def masked_iban(iban: str | None) -> str | None:
    """What an officer's task shows of an account: enough to recognise it, not to use it."""
    value = normal_iban(iban)
    return f"{value[:4]}…{value[-4:]}" if value and len(value) > 8 else value
