"""Betalingsregelingen as pure arithmetic: exact cents, dates, which instalments are covered."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.payments.arrangements import (
    Every,
    Instalment,
    covered,
    due_dates,
    missed,
    split,
)


def test_an_amount_is_split_into_equal_instalments_with_the_remainder_on_the_last() -> None:
    parts = split(100_00 + 1, 3, date(2027, 1, 5), Every.MONTH)
    assert [p.amount_cents for p in parts] == [3333, 3333, 3335]
    assert [p.due_on for p in parts] == [date(2027, 1, 5), date(2027, 2, 5), date(2027, 3, 5)]
    assert [p.number for p in parts] == [1, 2, 3]


def test_a_monthly_date_that_does_not_exist_falls_on_the_last_day_and_returns_after() -> None:
    assert due_dates(date(2027, 1, 31), 3, "month") == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]


@pytest.mark.parametrize("every, second", [
    ("week", date(2027, 1, 12)),     # seven days later
    ("2weeks", date(2027, 1, 19)),   # fourteen days later
])
def test_weekly_instalments_step_by_whole_weeks(every: str, second: date) -> None:
    assert due_dates(date(2027, 1, 5), 2, every)[1] == second


def test_an_amount_smaller_than_the_number_of_instalments_is_refused() -> None:
    with pytest.raises(ValueError):
        split(2, 3, date(2027, 1, 5), "month")


@given(st.integers(1, 10_000_000), st.integers(1, 36), st.sampled_from(list(Every)),
       st.dates(date(2026, 1, 1), date(2030, 12, 31)))
def test_instalments_always_add_up_to_the_exact_total_and_dates_increase(
    total: int, count: int, every: Every, first: date
) -> None:
    if total < count:
        return
    parts = split(total, count, first, every)
    assert sum(p.amount_cents for p in parts) == total and len(parts) == count
    assert all(p.amount_cents > 0 for p in parts)
    assert all(a.due_on < b.due_on for a, b in zip(parts, parts[1:], strict=False))
    assert max(p.amount_cents for p in parts) - min(p.amount_cents for p in parts) < count


PLAN = [Instalment(1, date(2027, 1, 5), 100), Instalment(2, date(2027, 2, 5), 100), Instalment(3, date(2027, 3, 5), 101)]


@pytest.mark.parametrize("paid, expected", [
    (0, 0),      # nothing paid
    (99, 0),     # not quite the first
    (100, 1),    # exactly the first
    (250, 2),    # the first two and a part
    (301, 3),    # all
    (999, 3),    # more than all
])
def test_paid_money_covers_instalments_in_order(paid: int, expected: int) -> None:
    assert covered(PLAN, paid) == expected


def test_an_instalment_is_missed_only_after_its_grace_days() -> None:
    assert missed(PLAN, 100, date(2027, 2, 8), grace_days=3) == []
    assert missed(PLAN, 100, date(2027, 2, 9), grace_days=3) == [PLAN[1]]
