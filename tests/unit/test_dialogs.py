"""The self-service dialogs as a pure state machine, and the month a new collection day starts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.conversations.dialogs import (
    DialogKind,
    DialogRules,
    Outcome,
    parse_cents,
    step,
)
from herinnering.domain.payments.collection_day import DayChange, day_for, first_month
from herinnering.domain.reminders.planning import Period, debit_date

RULES = DialogRules(days=frozenset({1, 5, 10, 15, 20, 25}), timeout=timedelta(hours=24))
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_dag_starts_the_day_dialog_and_a_valid_day_finishes_it() -> None:
    started = step(None, "Dag!", NOW, RULES)
    assert (started.outcome, started.kind, started.reply) == (Outcome.STARTED, DialogKind.DAY, "day_prompt")
    done = step(started.state, "15", NOW + timedelta(minutes=5), RULES)
    assert (done.outcome, done.value, done.state, done.reply) == (Outcome.DONE, 15, None, "day_done")


def test_a_day_outside_the_allowed_set_is_asked_again_once_then_goes_to_the_inbox() -> None:
    started = step(None, "datum", NOW, RULES)
    again = step(started.state, "7", NOW, RULES)
    assert again.outcome is Outcome.ASKED_AGAIN
    assert step(again.state, "8", NOW, RULES).outcome is Outcome.TO_INBOX


def test_a_number_without_a_dialog_is_not_the_dialogs_business() -> None:
    assert step(None, "15", NOW, RULES).outcome is Outcome.NOT_MINE


@given(st.integers(0, 7 * 24 * 60))
def test_an_answer_after_the_time_out_goes_to_the_inbox_and_before_it_counts(minutes: int) -> None:
    started = step(None, "BEL", NOW, RULES)
    answer = step(started.state, "1", NOW + timedelta(minutes=minutes), RULES)
    expected = Outcome.DONE if minutes < 24 * 60 else Outcome.TO_INBOX
    assert answer.outcome is expected


@pytest.mark.parametrize(("text", "cents"), [
    ("50", 5000), ("€ 50", 5000), ("50,00", 5000), ("75 euro", 7500), ("€1.250,50", 125050), ("12.5", 1250),
    ("nul", None), ("0", None), ("-5", None), ("50 of 60", None),
])
def test_an_amount_per_month_is_read_in_the_usual_ways(text: str, cents: int | None) -> None:
    assert parse_cents(text) == cents


@given(st.dates(date(2026, 1, 1), date(2034, 12, 31)), st.sampled_from([1, 5, 10, 15, 20, 25]),
       st.sampled_from([1, 5, 10, 15, 20, 25]), st.integers(1, 30))
def test_a_new_day_never_starts_in_a_month_whose_debits_are_too_close(
    today: date, old: int, new: int, notice: int,
) -> None:
    period = first_month(old, new, today, notice)
    limit = today + timedelta(days=notice)
    assert debit_date(period, old) >= limit and debit_date(period, new) >= limit
    before = Period.of(today)
    while before < period:  # every earlier month had a debit too close to move
        assert debit_date(before, old) < limit or debit_date(before, new) < limit
        before = before.next()
    assert (period.year - today.year) * 12 + period.month - today.month <= 2


def test_the_newest_started_change_decides_the_day() -> None:
    changes = [DayChange(15, "2027-01"), DayChange(20, "2027-03")]
    assert [day_for(p, 1, changes) for p in ("2026-12", "2027-01", "2027-02", "2027-03")] == [1, 15, 15, 20]
