"""The tenant's account statement: what was due, paid, returned, re-collected, charged and
arranged, in date order, with a running balance.

A tenant in arrears and the officer on the phone need the same page: "this is what you owed,
this is what came in, this is what is open". The balance counts what the tenant owes: a due
month and collection costs add to it, a payment takes off, a returned debit adds its amount
back. Re-collections and arrangement instalments are shown for what they are — a new attempt to
collect, or the agreed schedule of what is already owed — and move nothing.

An ERP statement states a month's amount paid outright, not a movement; `movements` replays the
stated amounts in order so the statement shows the difference as a payment (or a correction).

Pure: the caller (services/payments/statement.py) reads the rows; here they are put in order and summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    DUE = "due"                  # the month's rent
    PAYMENT = "payment"          # money in: a debit, a transfer, a paid link
    RETURN = "return"            # a debit came back (with the bank's reason)
    DEBIT_FAILED = "debit_failed"  # a debit came back that was never booked as paid here: nothing moves
    CORRECTION = "correction"    # the ERP stated less paid than before
    COSTS = "costs"              # collection costs (WIK), from the day they became due
    RECOLLECTION = "recollection"  # a new attempt to collect (no amount moves until it is paid)
    INSTALMENT = "instalment"    # a date and amount of the arrangement (the schedule of what is owed)


MOVES = {Kind.DUE: 1, Kind.PAYMENT: -1, Kind.RETURN: 1, Kind.DEBIT_FAILED: 0, Kind.CORRECTION: 1, Kind.COSTS: 1,
         Kind.RECOLLECTION: 0, Kind.INSTALMENT: 0}
ORDER = {Kind.DUE: 0, Kind.COSTS: 1, Kind.RECOLLECTION: 2, Kind.PAYMENT: 3, Kind.RETURN: 4, Kind.DEBIT_FAILED: 4,
         Kind.CORRECTION: 5, Kind.INSTALMENT: 6}


@dataclass(frozen=True)
class Entry:
    on: date
    kind: Kind
    amount_cents: int           # always positive: the kind says which way it goes
    period: str | None = None   # the rent month it belongs to
    detail: str = ""            # the return reason, the source, the instalment's state …
    sequence: int = 0           # ties on one day: the order it happened in


@dataclass(frozen=True)
class Line:
    entry: Entry
    balance_cents: int          # what the tenant owes after this line


@dataclass(frozen=True)
class StatedPayment:
    """One source line about a month, in the order it was taken in."""

    on: date
    period: str
    kind: str                   # payment | return | statement
    amount_cents: int           # payment/return: the amount; statement: the amount paid it states
    detail: str = ""
    sequence: int = 0


def movements(stated: Iterable[StatedPayment]) -> list[Entry]:
    """Payments and returns as they are; an ERP statement as the difference it makes."""
    paid: dict[str, int] = {}
    entries: list[Entry] = []
    for s in sorted(stated, key=lambda s: (s.on, s.sequence)):
        before = paid.get(s.period, 0)
        if s.kind == "payment":
            paid[s.period] = before + s.amount_cents
            entries.append(Entry(s.on, Kind.PAYMENT, s.amount_cents, s.period, s.detail, s.sequence))
        elif s.kind == "return":  # only what was booked as paid can come back off (as the month's state has it)
            taken = min(before, s.amount_cents)
            paid[s.period] = before - taken
            if taken:
                entries.append(Entry(s.on, Kind.RETURN, taken, s.period, s.detail, s.sequence))
            if taken < s.amount_cents:
                entries.append(Entry(s.on, Kind.DEBIT_FAILED, s.amount_cents - taken, s.period, s.detail,
                                     s.sequence))
        else:
            paid[s.period] = s.amount_cents
            difference = s.amount_cents - before
            if difference:
                kind = Kind.PAYMENT if difference > 0 else Kind.CORRECTION
                entries.append(Entry(s.on, kind, abs(difference), s.period, s.detail, s.sequence))
    return entries


def lines(entries: Sequence[Entry]) -> list[Line]:
    """Date order (and within a day: due, costs, payments, returns), each with the balance after it."""
    balance = 0
    result = []
    for entry in sorted(entries, key=lambda e: (e.on, ORDER[e.kind], e.sequence)):
        balance += MOVES[entry.kind] * entry.amount_cents
        result.append(Line(entry, balance))
    return result


def balance(entries: Sequence[Entry]) -> int:
    return sum(MOVES[e.kind] * e.amount_cents for e in entries)
