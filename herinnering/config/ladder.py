"""`[ladder]`: the follow-up steps after a missed payment, and payment-arrangement reminders."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.legal.mvi import MviStep
from herinnering.domain.payments.ladder import Action, Ladder, StepRule

NAME = r"[a-z0-9_]{1,32}"


@dataclass(frozen=True)
class LadderSettings:
    ladder: Ladder
    instalment_reminder_days: int  # a reminder this many days before each instalment
    instalment_grace_days: int     # an instalment unpaid this long after its date becomes a task


def parse(s: Section) -> LadderSettings:
    raw = s.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(step, dict) for step in raw):
        raise s.fail("steps", raw, "a list of [[ladder.steps]] tables")
    steps = tuple(_step(Section(f"{s.name}.steps[{number}]", table)) for number, table in enumerate(raw, start=1))
    try:
        ladder = Ladder(steps)
    except ValueError as exc:
        raise s.error("steps", str(exc)) from None
    return LadderSettings(
        ladder=ladder,
        instalment_reminder_days=s.integer("instalment_reminder_days", 0, 28),
        instalment_grace_days=s.integer("instalment_grace_days", 0, 60),
    )


def _step(s: Section) -> StepRule:
    """One [[ladder.steps]] table; `task`, `title`, `link` and `mvi` may be left out."""
    name = s.pattern("name", NAME, "a name of lowercase letters, digits and _ (at most 32)")
    day = s.integer("day", 0, 365)
    kind = s.pattern("kind", NAME, "a message or task kind of lowercase letters, digits and _")
    task = s.flag("task") if s.has("task") else False
    link = s.flag("link") if s.has("link") else False
    title = s.text("title", allow_empty=True) if s.has("title") else ""
    if task and not title:
        raise s.fail("title", title, "a title for the officer's task")
    mvi = s.get("mvi") if s.has("mvi") else []
    if not isinstance(mvi, list) or any(m not in set(MviStep) for m in mvi):
        raise s.fail("mvi", mvi, "a list of " + ", ".join(MviStep))
    s.reject_unknown()
    return StepRule(name=name, day=day, action=Action.TASK if task else Action.MESSAGE, kind=kind, title=title,
                    link=link, mvi=tuple(mvi))
