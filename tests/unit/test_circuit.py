"""The provider circuit breaker: closed, open after mostly failures, one probe, closed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.reminders.circuit import Breaker, BreakerPolicy, CircuitState

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
POLICY = BreakerPolicy(window=10, cool_down=timedelta(seconds=30))


def after(outcomes: list[bool], breaker: Breaker | None = None) -> Breaker:
    breaker = breaker or Breaker(POLICY)
    for ok in outcomes:
        breaker, _ = breaker.admit(T0)
        breaker = breaker.record(ok, T0)
    return breaker


def test_a_closed_breaker_lets_every_call_through() -> None:
    assert Breaker(POLICY).admit(T0) == (Breaker(POLICY), True)


def test_it_opens_when_most_of_the_last_calls_failed() -> None:
    assert after([True] * 5 + [False] * 5).state is CircuitState.CLOSED  # half is not most
    assert after([True] * 4 + [False] * 6).state is CircuitState.OPEN


def test_a_few_failures_before_the_window_is_full_do_not_open_it() -> None:
    assert after([False] * 9).state is CircuitState.CLOSED


def test_old_successes_slide_out_of_the_window() -> None:
    assert after([True] * 50 + [False] * 6).state is CircuitState.OPEN


def test_while_open_nothing_goes_out_until_the_cool_down_has_passed() -> None:
    opened = after([False] * 10)
    assert opened.blocks(T0 + timedelta(seconds=29))
    assert opened.admit(T0 + timedelta(seconds=29)) == (opened, False)
    assert not opened.blocks(T0 + timedelta(seconds=30))


def test_after_the_cool_down_exactly_one_probe_goes_out() -> None:
    later = T0 + timedelta(seconds=30)
    probing, first = after([False] * 10).admit(later)
    probing, second = probing.admit(later)
    assert (probing.state, first, second) == (CircuitState.HALF_OPEN, True, False)


def test_a_good_probe_closes_it_and_forgets_the_failures() -> None:
    later = T0 + timedelta(seconds=30)
    probing, _ = after([False] * 10).admit(later)
    closed = probing.record(True, later)
    assert closed == Breaker(POLICY)


def test_a_failed_probe_opens_it_for_another_cool_down() -> None:
    later = T0 + timedelta(seconds=30)
    probing, _ = after([False] * 10).admit(later)
    reopened = probing.record(False, later)
    assert reopened.state is CircuitState.OPEN and reopened.blocks(later + timedelta(seconds=29))


def test_a_probe_that_was_not_sent_lets_the_next_call_probe() -> None:
    later = T0 + timedelta(seconds=30)
    probing, _ = after([False] * 10).admit(later)
    assert probing.release().admit(later)[1]


def test_late_answers_while_open_change_nothing() -> None:
    opened = after([False] * 10)
    assert opened.record(True, T0) == opened


@given(st.lists(st.booleans(), max_size=60))
def test_it_is_open_only_if_most_of_the_last_window_failed(outcomes: list[bool]) -> None:
    breaker = Breaker(POLICY)
    for ok in outcomes:
        breaker, allowed = breaker.admit(T0)
        if not allowed:
            break
        breaker = breaker.record(ok, T0)
    if breaker.state is CircuitState.OPEN:
        assert breaker.recent.count(False) * 2 > POLICY.window
    else:
        assert len(breaker.recent) < POLICY.window or breaker.recent.count(False) * 2 <= POLICY.window
