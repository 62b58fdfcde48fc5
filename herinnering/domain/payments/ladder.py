"""The follow-up ladder: given an arrears case, the steps done so far, the pause and today,
which step comes next and whether it is due — returned as a value a service carries out.

A ladder is a list of steps relative to the missed date (day 0): messages (a template, maybe
with a payment link) and tasks for a person. A step is due on the later of two days: its
nominal day (missed date + its day) and the day the previous step was done plus the gap
between their days. So a ladder interrupted by a pause (or a scheduler that did not run)
continues from where it was, one step at a time, keeping its spacing: never a burst of
overdue messages. Nothing happens while the tenant is paused or when the case is not open
(paid, closed, or covered by a payment arrangement).

The case states form one table of allowed moves, like the message states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# The dispatcher pauses a tenant while `paused_until >= today`; an open-ended pause uses this.
OPEN_ENDED = date(9999, 12, 31)


class CaseState(StrEnum):
    OPEN = "open"
    IN_ARRANGEMENT = "in_arrangement"
    CLOSED = "closed"


C = CaseState

CASE_MOVES: dict[CaseState, frozenset[CaseState]] = {
    C.OPEN: frozenset({C.IN_ARRANGEMENT, C.CLOSED}),
    C.IN_ARRANGEMENT: frozenset({C.CLOSED, C.OPEN}),
    C.CLOSED: frozenset(),  # final: a month in arrears after the case closed opens a new case (services/payments/cases.py)
}


def case_can_move(current: CaseState | str, target: CaseState | str) -> bool:
    return CaseState(target) in CASE_MOVES[CaseState(current)]


def case_sources_of(target: CaseState | str) -> frozenset[CaseState]:
    return frozenset(state for state, moves in CASE_MOVES.items() if CaseState(target) in moves)


class Action(StrEnum):
    MESSAGE = "message"
    TASK = "task"


@dataclass(frozen=True)
class StepRule:
    """One rung: `name` is unique within the ladder; `kind` is a message kind (its template)
    or a task kind; `mvi` names the MVI steps this rung records once it has happened."""

    name: str
    day: int
    action: Action
    kind: str
    title: str = ""
    link: bool = False
    mvi: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ladder:
    steps: tuple[StepRule, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("a ladder needs at least one step")
        names = [step.name for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError("step names must be unique")
        days = [step.day for step in self.steps]
        if days[0] < 0 or any(b <= a for a, b in zip(days, days[1:], strict=False)):
            raise ValueError("step days must be 0 or more and strictly increasing")

    def step(self, name: str) -> StepRule:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)


class Status(StrEnum):
    DUE = "due"            # carry out `step` now
    WAITING = "waiting"    # `step` is due on `due_on`
    PAUSED = "paused"      # the pauzeknop is on; `step` would be next
    STOPPED = "stopped"    # the case is paid, closed or in an arrangement
    FINISHED = "finished"  # every step has happened


@dataclass(frozen=True)
class NextStep:
    status: Status
    step: StepRule | None = None
    due_on: date | None = None


def is_paused(paused_until: date | None, today: date) -> bool:
    """The same rule the dispatcher applies: paused through `paused_until`, inclusive."""
    return paused_until is not None and paused_until >= today


def next_step(
    ladder: Ladder,
    state: CaseState | str,
    missed_on: date,
    done: Mapping[str, date],
    paused_until: date | None,
    today: date,
) -> NextStep:
    """The first step not done yet and when it is due (see the module docstring)."""
    if CaseState(state) is not C.OPEN:
        return NextStep(Status.STOPPED)
    previous: StepRule | None = None
    for step in ladder.steps:
        if step.name in done:
            previous = step
            continue
        due = missed_on + timedelta(days=step.day)
        if previous is not None:
            due = max(due, done[previous.name] + timedelta(days=step.day - previous.day))
        if is_paused(paused_until, today):
            return NextStep(Status.PAUSED, step, max(due, _after(paused_until)))
        if due <= today:
            return NextStep(Status.DUE, step, due)
        return NextStep(Status.WAITING, step, due)
    return NextStep(Status.FINISHED)


def _after(paused_until: date | None) -> date:
    if paused_until is None or paused_until >= OPEN_ENDED:
        return OPEN_ENDED
    return paused_until + timedelta(days=1)


def remaining(ladder: Ladder, done: Mapping[str, date]) -> Sequence[StepRule]:
    return [step for step in ladder.steps if step.name not in done]


DEFAULT_LADDER = Ladder((
    StepRule("first_link", 1, Action.MESSAGE, "payment_link", link=True),
    StepRule("second_link", 5, Action.MESSAGE, "ladder_reminder", link=True),
    StepRule("call", 8, Action.TASK, "call_tenant", title="Bel de huurder", mvi=("personal_contact",)),
    StepRule("written_reminder", 14, Action.TASK, "written_reminder",
             title="Schriftelijke herinnering versturen", mvi=("written_reminder", "data_offer")),
    StepRule("debt_help", 21, Action.MESSAGE, "debt_help_offer", mvi=("debt_help",)),
))
