"""The statutory collection-cost scale and the dates of the 14-day letter."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.payments.costs import (
    MAXIMUM_CENTS,
    MINIMUM_CENTS,
    collection_costs,
    is_general_holiday,
    letter_dates,
    presumed_receipt,
    scale_cents,
)

NL = holidays.country_holidays("NL", years=range(2024, 2032))


@pytest.mark.parametrize(("principal", "costs"), [
    (20_000, 4_000),         # €200: 15 % is €30, the minimum is €40
    (26_600, 4_000),         # €266: €39.90, still the minimum
    (30_000, 4_500),         # €300: 15 %
    (100_000, 15_000),       # €1,000: 15 %
    (250_000, 37_500),       # €2,500: the end of the first band
    (300_000, 42_500),       # €3,000: €375 + 10 % of €500
    (500_000, 62_500),       # €5,000: €375 + €250
    (1_000_000, 87_500),     # €10,000: €375 + €250 + €250
    (20_000_000, 277_500),   # €200,000: + 1 % of €190,000
    (100_000_000, 677_500),  # €1,000,000: + 0.5 % of €800,000 = €6,775, the maximum
    (500_000_000, 677_500),  # far above: the maximum
    (123_45, 4_000),         # €123.45
    (266_667, 39_167),       # €2,666.67: €375 + €16.6667, rounded half up to the cent
])
def test_the_scale_matches_worked_examples(principal: int, costs: int) -> None:
    assert scale_cents(principal) == costs


def test_vat_is_added_only_where_configured() -> None:
    assert collection_costs(100_000).total_cents == 15_000
    with_vat = collection_costs(100_000, vat_percent=21)
    assert (with_vat.costs_cents, with_vat.vat_cents, with_vat.total_cents) == (15_000, 3_150, 18_150)


def test_a_low_rent_caps_the_costs_at_140_euros_per_six_months() -> None:
    assert collection_costs(150_000, monthly_rent_cents=25_000).costs_cents == 14_000  # €225 scale capped at €140
    assert collection_costs(150_000, monthly_rent_cents=25_000, charged_last_six_months_cents=10_000).costs_cents == 4_000
    assert collection_costs(150_000, monthly_rent_cents=26_667).costs_cents == 22_500  # €266.67 is not below


@given(st.integers(min_value=1, max_value=2_000_000_000))
def test_the_costs_stay_within_the_minimum_and_maximum(principal: int) -> None:
    assert MINIMUM_CENTS <= scale_cents(principal) <= MAXIMUM_CENTS


@given(st.integers(min_value=1, max_value=200_000_000), st.integers(min_value=0, max_value=10_000_000))
def test_a_larger_debt_never_costs_less(principal: int, more: int) -> None:
    assert scale_cents(principal + more) >= scale_cents(principal)


def test_receipt_skips_sunday_and_monday() -> None:
    assert presumed_receipt(date(2027, 3, 4)) == date(2027, 3, 6)   # Thursday → Saturday
    assert presumed_receipt(date(2027, 3, 5)) == date(2027, 3, 9)   # Friday → Sat (1), Sun, Mon, Tue (2)


def test_receipt_skips_public_holidays() -> None:
    assert presumed_receipt(date(2027, 12, 23)) == date(2027, 12, 28)  # Fri 24 (1), Christmas Sat 25, Sun, Mon → Tue 28 (2)


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_receipt_is_two_post_days_after_sending(sent: date) -> None:
    received = presumed_receipt(sent)
    between = [sent + timedelta(days=n) for n in range(1, (received - sent).days + 1)]
    post_days = [d for d in between if d.weekday() not in (0, 6) and d not in NL]
    assert len(post_days) == 2 and received == post_days[-1]


@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_costs_are_never_due_before_receipt_plus_fourteen_days(sent: date) -> None:
    dates = letter_dates(sent)
    assert dates.received_on > sent
    assert dates.term_ends_on >= dates.received_on + timedelta(days=14)
    assert dates.costs_due_from > dates.received_on + timedelta(days=14)
    assert dates.term_ends_on.weekday() < 5 and not is_general_holiday(dates.term_ends_on)  # never on a rest day


# Algemene termijnenwet art. 3: the days a term may not end on besides weekends.
@pytest.mark.parametrize(("day", "general"), [
    (date(2026, 5, 5), True),    # Bevrijdingsdag, every year for terms (the NL calendar has it only in 2025, 2030 …)
    (date(2027, 5, 5), True),
    (date(2026, 4, 27), True),   # King's Day
    (date(2026, 4, 3), False),   # Good Friday: a holiday for banks, not in the Atw
    (date(2026, 12, 26), True),  # second Christmas day
])
def test_the_general_holidays_of_the_algemene_termijnenwet(day: date, general: bool) -> None:
    assert is_general_holiday(day) is general


def test_a_term_that_would_end_on_5_may_runs_on_to_the_next_working_day() -> None:
    dates = letter_dates(date(2026, 4, 17))  # Friday: received Tuesday 21 April
    assert (dates.received_on, dates.term_ends_on, dates.costs_due_from) == (
        date(2026, 4, 21), date(2026, 5, 6), date(2026, 5, 7))


def test_posted_on_the_friday_before_kings_day() -> None:
    dates = letter_dates(date(2026, 4, 24))  # Saturday counts; Sunday, Monday 27 April (King's Day) do not
    assert (dates.received_on, dates.term_ends_on, dates.costs_due_from) == (
        date(2026, 4, 28), date(2026, 5, 12), date(2026, 5, 13))
