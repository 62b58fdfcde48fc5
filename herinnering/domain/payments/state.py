"""Payment rules: what a transaction does to a rent period, and whose rent it is.

Pure functions on values. A period starts `expected` with the monthly rent due; a payment adds
to what was paid (`paid` once it covers what is due, `partly_paid` before that); a returned
direct debit (an R-transaction) takes its amount back off and marks the period `returned`
with the bank's ISO reason; a statement from the ERP or the API states the period outright.
An arrangement (`in_arrangement`) survives payments until the period is paid in full.

Matching: a bank transaction names its tenant only indirectly — the mandate id (our contract
id), the end-to-end id we put in the debit ("HC-100101-2026-12") or the tenant's own
remittance text ("huur dec 2026 HC-100101"). `match_contract` tries each reference in order
and returns the first known contract id; `period_in` reads the rent month after it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from herinnering.domain.payments.payments import PaymentStatus
from herinnering.domain.reminders.planning import Period

S = PaymentStatus


class TransactionKind(StrEnum):
    PAYMENT = "payment"      # money came in: credit transfer, collected debit, paid link, API
    RETURN = "return"        # a direct debit came back, with an ISO reason code
    STATEMENT = "statement"  # the ERP (or the API) states due, paid and status of the period


@dataclass(frozen=True)
class ReturnReason:
    code: str
    nl: str
    en: str
    collect_again: bool = False  # a second collection attempt makes sense (AM04, MS03 only)
    tenant_objects: bool = False  # the tenant stopped it: talk, never re-debit (MD06, MS02)


REASONS: dict[str, ReturnReason] = {r.code: r for r in (
    ReturnReason("AM04", "onvoldoende saldo", "insufficient funds", collect_again=True),
    ReturnReason("MS03", "reden niet opgegeven door de bank", "reason not specified by the bank", collect_again=True),
    ReturnReason("MD06", "terugboeking op verzoek van de huurder", "refund requested by the tenant", tenant_objects=True),
    ReturnReason("MS02", "geweigerd door de huurder", "refused by the tenant", tenant_objects=True),
    ReturnReason("MD01", "geen geldige machtiging", "no valid mandate"),
    ReturnReason("MD07", "rekeninghouder overleden", "debtor deceased"),
    ReturnReason("AC01", "rekeningnummer onjuist", "incorrect account number"),
    ReturnReason("AC04", "rekening opgeheven", "account closed"),
    ReturnReason("AC06", "rekening geblokkeerd", "account blocked"),
    ReturnReason("AG01", "incasso niet toegestaan op deze rekening", "transaction forbidden on this account"),
    ReturnReason("AM05", "dubbele incasso", "duplicate collection"),
    ReturnReason("SL01", "incassoblokkade van de huurder", "debit blocked by the tenant's bank service"),
)}

REASON_CODE = re.compile(r"[A-Z0-9]{4}")


def reason(code: str) -> ReturnReason:
    """What a return reason means; unknown (but well-formed) codes get a plain description."""
    return REASONS.get(code, ReturnReason(code, f"teruggeboekt ({code})", f"returned ({code})"))


@dataclass(frozen=True)
class PeriodState:
    amount_due_cents: int
    amount_paid_cents: int
    status: PaymentStatus
    reason_code: str | None = None

    @classmethod
    def expected(cls, amount_due_cents: int) -> PeriodState:
        return cls(amount_due_cents, 0, S.EXPECTED)

    @property
    def outstanding_cents(self) -> int:
        return max(0, self.amount_due_cents - self.amount_paid_cents)


def after_payment(state: PeriodState, amount_cents: int) -> PeriodState:
    paid = state.amount_paid_cents + amount_cents
    if paid >= state.amount_due_cents:
        return PeriodState(state.amount_due_cents, paid, S.PAID, None)
    if state.status is S.IN_ARRANGEMENT:
        status = S.IN_ARRANGEMENT
    else:
        status = S.PARTLY_PAID if paid > 0 else state.status
    return PeriodState(state.amount_due_cents, paid, status, state.reason_code)


def after_return(state: PeriodState, amount_cents: int, reason_code: str | None) -> PeriodState:
    """The debit did not stick: its amount is no longer paid. An arrangement stays one."""
    paid = max(0, state.amount_paid_cents - amount_cents)
    status = S.IN_ARRANGEMENT if state.status is S.IN_ARRANGEMENT else S.RETURNED
    return PeriodState(state.amount_due_cents, paid, status, reason_code)


def derived_status(due: int, paid: int) -> PaymentStatus:
    if paid >= due:
        return S.PAID
    return S.PARTLY_PAID if paid > 0 else S.EXPECTED


def statement_problem(due: int, paid: int, status: PaymentStatus) -> str | None:
    """Why a stated status cannot be true with these amounts (None: it can)."""
    if status is S.PAID and paid < due:
        return f"status paid, but amount_paid {paid / 100:.2f} is less than amount_due {due / 100:.2f}"
    if status is S.EXPECTED and paid > 0:
        return "status expected, but something was paid (use partly_paid)"
    if status is S.PARTLY_PAID and not 0 < paid < due:
        return "status partly_paid needs an amount_paid between 0 and amount_due"
    if status is S.RETURNED and paid >= due:
        return "status returned, but amount_paid covers amount_due"
    return None


def stated(due: int, paid: int, status: PaymentStatus | None, reason_code: str | None) -> PeriodState:
    status = status or derived_status(due, paid)
    return PeriodState(due, paid, status, reason_code if status in (S.RETURNED, S.PARTLY_PAID,
                                                                      S.IN_ARRANGEMENT) else None)


@dataclass(frozen=True)
class Transaction:
    """One source transaction, read and checked, not yet matched or stored."""

    source: str                      # camt, erp, api, link
    source_key: str                  # unique over all sources: importing it twice changes nothing
    kind: TransactionKind
    amount_cents: int                # payment/return: the amount; statement: amount paid
    references: tuple[str, ...] = ()  # where the tenant may be named, in order of trust
    contract_id: str | None = None   # when the source names the contract outright (ERP, API)
    period: str | None = None
    reason_code: str | None = None
    booked_on: date | None = None             # the bank's booking date (or the ERP's payment date)
    value_on: date | None = None              # the value date, when the source gives it
    counterparty_iban: str | None = None      # who paid (a transfer): used to match, never stored whole
    counterparty_name: str | None = None      # the account holder's name as the bank gave it: idem
    amount_due_cents: int | None = None       # statement only
    status: PaymentStatus | None = None       # statement only
    data: dict[str, Any] = field(default_factory=dict)


def apply(state: PeriodState, transaction: Transaction) -> PeriodState:
    if transaction.kind is TransactionKind.PAYMENT:
        return after_payment(state, transaction.amount_cents)
    if transaction.kind is TransactionKind.RETURN:
        return after_return(state, transaction.amount_cents, transaction.reason_code)
    due = transaction.amount_due_cents if transaction.amount_due_cents is not None else state.amount_due_cents
    return stated(due, transaction.amount_cents, transaction.status, transaction.reason_code)


# --- matching ----------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s/,;:|()]+")


def contract_candidates(text: str) -> Iterator[str]:
    """Every token, and each of its prefixes that ends before a '-', longest first:
    "HC-100101-2026-12" gives itself, "HC-100101-2026", "HC-100101", "HC"."""
    for token in _SPLIT.split(text.strip()):
        token = token.strip(".")
        parts = token.split("-")
        for end in range(len(parts), 0, -1):
            candidate = "-".join(parts[:end])
            if candidate:
                yield candidate


def match_contract(references: Sequence[str], known: Collection[str]) -> tuple[str, str] | None:
    """(contract id, the reference that named it) for the first reference naming a known contract."""
    for reference in references:
        for candidate in contract_candidates(reference):
            if candidate in known:
                return candidate, reference
            upper = candidate.upper()
            if upper != candidate and upper in known:
                return upper, reference
    return None


_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "mrt": 3, "maart": 3,
    "mar": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7, "aug": 8, "augustus": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_NUMERIC_PERIOD = re.compile(r"(?<![0-9])(20[0-9]{2})[-/.]?(0[1-9]|1[0-2])(?![0-9])")
_NAMED_PERIOD = re.compile(r"\b([a-z]{3,9})\.?\s+(20[0-9]{2})\b")


def period_in(text: str, contract_id: str | None = None) -> str | None:
    """The rent month a reference names ("2026-12", "202612", "december 2026"), if any.
    The contract id is taken out first so its digits are never read as a month."""
    if contract_id:
        text = re.sub(re.escape(contract_id), " ", text, flags=re.IGNORECASE)
    match = _NUMERIC_PERIOD.search(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    for word, year in _NAMED_PERIOD.findall(text.casefold()):
        month = _MONTHS.get(word)
        if month:
            return f"{year}-{month:02d}"
    return None


def check_period(text: str) -> str:
    """A rent month as written in files and the API ("2026-12"); ValueError says what is wrong."""
    return str(Period.parse(text))


# --- amounts -----------------------------------------------------------------------------

_AMOUNT_FORMS = (
    re.compile(r"([0-9]+)(?:[.,]([0-9]{1,2}))?"),                 # 656 656,36 656.36
    re.compile(r"([0-9]{1,3}(?:\.[0-9]{3})+)(?:,([0-9]{1,2}))?"),  # 1.234,56
    re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,2}))?"),  # 1,234.56
)


MAX_AMOUNT_CENTS = 1_000_000_000 * 100  # exclusive: no line of a rent account is a billion euros


def check_amount_range(cents: int, shown: str) -> int:
    """`cents` if it is a believable amount; ValueError naming the amount as written otherwise."""
    if cents >= MAX_AMOUNT_CENTS:
        raise ValueError(f"{shown!r} is out of range: amounts must be below {MAX_AMOUNT_CENTS // 100:,} euros")
    return cents


def parse_amount_cents(text: str) -> int:
    """Euros to cents, never negative: "656,36", "656.36", "1.234,56", "€ 845,-". ValueError otherwise."""
    value = unicodedata.normalize("NFKC", text).strip()
    compact = re.sub(r"€|\beuros?\b|\beur\b|\s", "", value, flags=re.IGNORECASE)
    compact = re.sub(r"[,.]-{1,2}$", "", compact)
    if not compact:
        raise ValueError("the amount is missing")
    for number, form in enumerate(_AMOUNT_FORMS):
        match = form.fullmatch(compact)
        if match:
            if number and match.group(2) is None and match.group(1).count(",") + match.group(1).count(".") == 1:
                raise ValueError(f"{value!r} is ambiguous (a thousands separator or 3 decimals?); "
                                 "write it like 1234,00")
            whole = re.sub(r"[.,]", "", match.group(1))
            try:
                return check_amount_range(int(Decimal(f"{whole}.{match.group(2) or '0'}") * 100), value)
            except InvalidOperation:  # pragma: no cover - the pattern allows digits only
                break
    raise ValueError(f"{value!r} is not an amount in euros (write it like 656,36)")


def iso_amount_cents(text: str | None) -> int:
    """An ISO 20022 amount ("656.36"): digits, a point and at most 2 decimals (euro)."""
    if text is None or not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,2})?", text.strip()):
        raise ValueError(f"{text!r} is not an amount like 656.36")
    return check_amount_range(int(Decimal(text.strip()) * 100), text.strip())


def euros(cents: int) -> str:
    """Cents as the plain decimal text providers and files use: 65636 -> "656.36"."""
    return f"{cents // 100}.{cents % 100:02d}"


def parse_bank_date(text: str) -> date:
    """A date as banks and ERP exports write it: 2026-12-22, 22-12-2026 or 22/12/2026."""
    value = text.strip()
    for pattern, order in ((r"(\d{4})-(\d{1,2})-(\d{1,2})", (0, 1, 2)), (r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", (2, 1, 0))):
        found = re.fullmatch(pattern, value)
        if found:
            year, month, day = (int(found.group(i + 1)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise ValueError(f"{text!r} is not a date like 2026-12-22 or 22-12-2026")


def money_moved_at(transaction: Transaction, learned_at: datetime, timezone: tzinfo) -> datetime:
    """When the money moved, as far as the source says: the end of its booking (or value) day in
    local time, never later than the moment we learned of it. A bank date has no time of day, so
    the end of the day is the latest the money can have moved; a file imported days later does
    not make a payment late, and one imported the same day is not dated in the future."""
    day = transaction.booked_on or transaction.value_on
    if day is None:
        return learned_at
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), timezone) - timedelta(microseconds=1)
    return min(learned_at, end_of_day)
