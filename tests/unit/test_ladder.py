"""The follow-up ladder as a pure decision: what is next for a case, and when."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herinnering.domain.payments.ladder import (
    DEFAULT_LADDER,
    OPEN_ENDED,
    Action,
    CaseState,
    Ladder,
    Status,
    StepRule,
    case_can_move,
    next_step,
)

MISSED = date(2026, 12, 2)
LADDER = DEFAULT_LADDER


def day(n: int) -> date:
    return MISSED + timedelta(days=n)


def test_the_first_step_is_due_one_day_after_the_missed_date() -> None:
    assert next_step(LADDER, "open", MISSED, {}, None, day(0)) == next_step(LADDER, "open", MISSED, {}, None, day(0))
    waiting = next_step(LADDER, "open", MISSED, {}, None, day(0))
    assert (waiting.status, waiting.step.name, waiting.due_on) == (Status.WAITING, "first_link", day(1))
    due = next_step(LADDER, "open", MISSED, {}, None, day(1))
    assert (due.status, due.step.name, due.due_on) == (Status.DUE, "first_link", day(1))


def test_the_second_step_waits_for_its_own_day() -> None:
    decision = next_step(LADDER, "open", MISSED, {"first_link": day(1)}, None, day(3))
    assert (decision.status, decision.step.name, decision.due_on) == (Status.WAITING, "second_link", day(5))


@pytest.mark.parametrize("state", [CaseState.CLOSED, CaseState.IN_ARRANGEMENT])
def test_a_paid_case_or_one_in_an_arrangement_stops_the_ladder(state: CaseState) -> None:
    assert next_step(LADDER, state, MISSED, {}, None, day(30)).status is Status.STOPPED


def test_nothing_is_due_while_paused_and_the_step_waits_for_the_day_after_the_pause() -> None:
    decision = next_step(LADDER, "open", MISSED, {"first_link": day(1)}, day(12), day(6))
    assert (decision.status, decision.step.name, decision.due_on) == (Status.PAUSED, "second_link", day(13))


def test_an_open_ended_pause_has_no_end_date() -> None:
    decision = next_step(LADDER, "open", MISSED, {}, OPEN_ENDED, day(6))
    assert decision.status is Status.PAUSED and decision.due_on == OPEN_ENDED


def test_after_a_pause_the_next_step_keeps_its_distance_to_the_one_before() -> None:
    done = {"first_link": day(1), "second_link": day(20)}  # the second step went out late, after a pause
    decision = next_step(LADDER, "open", MISSED, done, None, day(21))
    assert (decision.step.name, decision.due_on, decision.status) == ("call", day(23), Status.WAITING)


def test_a_ladder_with_every_step_done_is_finished() -> None:
    done = {step.name: day(step.day) for step in LADDER.steps}
    assert next_step(LADDER, "open", MISSED, done, None, day(40)).status is Status.FINISHED


@pytest.mark.parametrize("steps, problem", [
    ((), "at least one step"),
    ((StepRule("a", 1, Action.MESSAGE, "x"), StepRule("a", 2, Action.MESSAGE, "y")), "unique"),
    ((StepRule("a", 5, Action.MESSAGE, "x"), StepRule("b", 5, Action.MESSAGE, "y")), "strictly increasing"),
])
def test_a_ladder_with_bad_steps_is_refused(steps: tuple[StepRule, ...], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Ladder(steps)


def test_case_states_move_only_along_the_table() -> None:
    assert case_can_move("open", "closed") and not case_can_move("closed", "open")  # a new case instead
    assert not case_can_move("closed", "in_arrangement")


def simulate(pause_start: int, pause_days: int | None, horizon: int, cancel_same_day: bool) -> dict[int, list[str]]:
    """Run the ladder one tick per day. The pause is pressed on day `pause_start` after that
    day's tick; it cancels a message planned that day and not sent yet (`cancel_same_day`),
    which the ladder then does again later, as the pauzeknop does."""
    done: dict[str, date] = {}
    executed: dict[int, list[str]] = {}
    paused_until = None
    for n in range(horizon):
        today = day(n)
        if pause_days is None and n == pause_start + 30:
            paused_until = None  # resumed by hand
        decision = next_step(LADDER, "open", MISSED, done, paused_until, today)
        if decision.status is Status.DUE:
            done[decision.step.name] = today
            executed.setdefault(n, []).append(decision.step.name)
        if n == pause_start:
            paused_until = OPEN_ENDED if pause_days is None else day(n + pause_days)
            if cancel_same_day:
                for name in [k for k, v in done.items() if v == today and LADDER.step(k).action is Action.MESSAGE]:
                    del done[name]
                    executed[n].remove(name)
    return executed


@settings(max_examples=300, deadline=None)
@given(
    pause_start=st.integers(0, 30),
    pause_days=st.one_of(st.none(), st.integers(1, 40)),
    cancel_same_day=st.booleans(),
)
def test_after_a_pause_the_ladder_resumes_one_step_at_a_time_without_a_burst(
    pause_start: int, pause_days: int | None, cancel_same_day: bool
) -> None:
    executed = simulate(pause_start, pause_days, horizon=150, cancel_same_day=cancel_same_day)
    pause_end = pause_start + (29 if pause_days is None else pause_days)  # the last paused day
    # at most one step per tick, and never one while paused
    assert all(len(names) <= 1 for names in executed.values())
    assert not [n for n, names in executed.items() if names and pause_start < n <= pause_end]
    # every step happens exactly once, in order, and keeps at least its configured spacing
    order = [(n, names[0]) for n, names in sorted(executed.items()) if names]
    assert [name for _, name in order] == [step.name for step in LADDER.steps]
    for (n1, a), (n2, b) in zip(order, order[1:], strict=False):
        assert n2 - n1 >= LADDER.step(b).day - LADDER.step(a).day


@given(st.integers(0, 60), st.integers(0, 60))
def test_a_step_is_never_due_before_its_nominal_day(today_offset: int, done_offset: int) -> None:
    decision = next_step(LADDER, "open", MISSED, {"first_link": day(min(done_offset, 60))}, None, day(today_offset))
    if decision.step is not None:
        assert decision.due_on >= MISSED + timedelta(days=decision.step.day)
