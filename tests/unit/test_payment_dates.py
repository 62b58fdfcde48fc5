"""Bank dates: how they are read and what moment a payment gets from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.adapters.camt import parse_camt
from herinnering.domain.payments.state import (
    Transaction,
    TransactionKind,
    money_moved_at,
    parse_bank_date,
)
from herinnering.resources import config_dir

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(("text", "day"), [
    ("2026-12-22", date(2026, 12, 22)), ("22-12-2026", date(2026, 12, 22)), ("22/12/2026", date(2026, 12, 22)),
    ("1-2-2027", date(2027, 2, 1)), (" 2027-02-01 ", date(2027, 2, 1)),
])
def test_a_bank_date_in_the_ways_files_write_it(text: str, day: date) -> None:
    assert parse_bank_date(text) == day


@pytest.mark.parametrize("text", ["31-11-2026", "2026-13-01", "12/22/2026", "gisteren", "20261222"])
def test_a_date_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_bank_date(text)


def _payment(day: date | None) -> Transaction:
    return Transaction(source="erp", source_key="k", kind=TransactionKind.PAYMENT, amount_cents=1, booked_on=day)


@given(day=st.dates(date(2025, 1, 1), date(2028, 12, 31)), late=st.integers(0, 60 * 24 * 40))
def test_the_money_moment_lies_on_its_booking_day_and_never_after_we_learned_of_it(day: date, late: int) -> None:
    learned = datetime.combine(day, datetime.min.time(), AMSTERDAM) + timedelta(minutes=late)
    moment = money_moved_at(_payment(day), learned.astimezone(UTC), AMSTERDAM)
    assert moment <= learned
    assert moment.astimezone(AMSTERDAM).date() == day


def test_the_sample_statement_keeps_booking_and_value_dates() -> None:
    data = (config_dir() / "samples" / "camt053-returns.xml").read_bytes()
    parsed = parse_camt(data, "camt053-returns.xml")
    assert parsed.transactions and all(t.booked_on is not None for t in parsed.transactions)
    assert any(t.value_on is not None for t in parsed.transactions)
