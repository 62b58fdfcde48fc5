"""A tenant's new collection day (Gereedschapskist 1.6): from which month it applies.

A change must never debit twice in one month, nor surprise the tenant: it applies from the
first month in which both the old and the new debit date are still at least `notice_days`
away. Before that month the old day stays. `day_for` answers "which day in this month" from
the recorded changes, newest first. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from herinnering.domain.reminders.planning import Period, debit_date


def first_month(old_day: int, new_day: int, today: date, notice_days: int) -> Period:
    """The first month whose debit dates on the old and the new day are both far enough away."""
    limit = today + timedelta(days=notice_days)
    period = Period.of(today)
    while debit_date(period, old_day) < limit or debit_date(period, new_day) < limit:
        period = period.next()
    return period


@dataclass(frozen=True)
class DayChange:
    new_day: int
    effective_period: str  # "2027-02"


def day_for(period: str, base_day: int, changes: Iterable[DayChange]) -> int:
    """The collection day in `period`: the newest change that has started, else the base day."""
    started = [c for c in changes if c.effective_period <= period]
    return started[-1].new_day if started else base_day
