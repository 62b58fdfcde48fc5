"""Betalingsregelingen: split an outstanding amount into instalments with dates, and read
which instalments a sum of payments covers.

Amounts are whole cents: every instalment gets the amount divided down, the remainder goes on
the last one, so the instalments always add up to exactly the total. Dates step by a week,
two weeks or a calendar month from the first; a monthly date that does not exist (31
February) falls on the month's last day, and the next month goes back to the chosen day.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Every(StrEnum):
    WEEK = "week"
    TWO_WEEKS = "2weeks"
    MONTH = "month"


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based
    due_on: date
    amount_cents: int


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def due_dates(first: date, count: int, every: Every | str) -> list[date]:
    every = Every(every)
    if every is Every.MONTH:
        return [add_months(first, n, first.day) for n in range(count)]
    step = timedelta(weeks=1 if every is Every.WEEK else 2)
    return [first + n * step for n in range(count)]


def split(total_cents: int, count: int, first: date, every: Every | str) -> list[Instalment]:
    """`count` instalments adding up to exactly `total_cents`; the remainder on the last."""
    if count < 1:
        raise ValueError("an arrangement needs at least one instalment")
    if total_cents < count:
        raise ValueError(f"{total_cents} cents cannot be split into {count} instalments of at least 1 cent")
    base = total_cents // count
    amounts = [base] * count
    amounts[-1] += total_cents - base * count
    return [Instalment(n + 1, day, amount)
            for n, (day, amount) in enumerate(zip(due_dates(first, count, every), amounts, strict=True))]


def covered(instalments: Sequence[Instalment], paid_cents: int) -> int:
    """How many instalments, in order, the paid sum covers in full."""
    running = 0
    for count, instalment in enumerate(instalments):
        running += instalment.amount_cents
        if running > paid_cents:
            return count
    return len(instalments)


def missed(instalments: Sequence[Instalment], paid_cents: int, today: date, grace_days: int) -> list[Instalment]:
    """Instalments whose due date plus the grace days has passed without being covered."""
    done = covered(instalments, paid_cents)
    return [i for i in instalments[done:] if i.due_on + timedelta(days=grace_days) < today]
