"""Retention periods: the `--older-than` argument and the cut-off date, for any day."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.privacy.retention import cutoff, months_before, parse_age


@pytest.mark.parametrize(("text", "months"), [
    ("24m", 24),   # the README's example
    ("2y", 24),    # years are twelve months
    ("18", 18),    # a bare number means months
    (" 7M ", 7),   # case and spaces do not matter
])
def test_an_age_is_read_in_months(text: str, months: int) -> None:
    assert parse_age(text) == months


@pytest.mark.parametrize("text", ["", "0m", "24d", "soon", "-3m", "2000y"])
def test_a_wrong_age_is_refused_with_its_text_named(text: str) -> None:
    with pytest.raises(ValueError, match="is not|more than"):
        parse_age(text)


def test_a_month_before_the_31st_is_the_last_day_of_the_shorter_month() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert cutoff(date(2026, 11, 28), 24) == date(2024, 11, 28)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(1, 600))
def test_the_cutoff_is_earlier_and_exactly_that_many_calendar_months_back(today: date, months: int) -> None:
    before = cutoff(today, months)
    assert before < today
    assert (today.year * 12 + today.month) - (before.year * 12 + before.month) == months
    assert before.day == min(today.day, calendar.monthrange(before.year, before.month)[1])


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(1, 600))
def test_purging_later_never_keeps_more(today: date, months: int) -> None:
    assert cutoff(today, months) <= cutoff(today, months - 1 if months > 1 else months)
