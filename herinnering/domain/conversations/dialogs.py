"""Self-service by message: a small state machine for the tenant's short dialogs.

    (none) ──DAG──▶ day:choose ──"15"──▶ (none)  apply day 15, confirm
    (none) ──REGELING──▶ arrangement:amount ──"50"──▶ (none)  task with the proposal, confirm
    (none) ──BEL──▶ callback:part ──"1"/"ochtend"──▶ (none)  call-back task, confirm

An unclear answer gets the question once more; a second unclear answer, or any answer after
the dialog timed out, goes to the officers' inbox like any other message. A keyword starts
its dialog afresh from any state. The service only calls `step` while the bot owns the thread,
so an officer who takes over silences it. Pure: no I/O; `now` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from herinnering.domain.conversations.keywords import normalise


class DialogKind(StrEnum):
    DAY = "day"
    ARRANGEMENT = "arrangement"
    CALLBACK = "callback"


FIRST_STEP = {DialogKind.DAY: "choose", DialogKind.ARRANGEMENT: "amount", DialogKind.CALLBACK: "part"}

DEFAULT_WORDS: dict[DialogKind, tuple[str, ...]] = {
    DialogKind.DAY: ("dag", "datum", "incassodag", "day", "date", "gun", "dzien"),
    DialogKind.ARRANGEMENT: ("regeling", "betalingsregeling", "arrangement", "plan", "taksit", "raty"),
    DialogKind.CALLBACK: ("bel", "belmij", "bel mij", "call", "call me", "ara", "zadzwon"),
}

PARTS: dict[str, tuple[str, ...]] = {  # part of the day → answers that choose it
    "morning": ("1", "ochtend", "morgen", "morning", "sabah", "rano"),
    "afternoon": ("2", "middag", "afternoon", "ogleden sonra", "po poludniu"),
    "evening": ("3", "avond", "evening", "aksam", "wieczor"),
}

MAX_ARRANGEMENT_CENTS = 1_000_000


@dataclass(frozen=True)
class DialogRules:
    days: frozenset[int]                  # the collection days a tenant may choose
    timeout: timedelta = timedelta(hours=24)
    words: Mapping[DialogKind, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_WORDS))

    def keyword(self, text: str) -> DialogKind | None:
        said = normalise(text)
        for kind, words in self.words.items():
            if said in {normalise(w) for w in words}:
                return kind
        return None


@dataclass(frozen=True)
class DialogState:
    kind: DialogKind
    step: str
    expires_at: datetime
    tries: int = 0


class Outcome(StrEnum):
    STARTED = "started"      # asked the first question
    ASKED_AGAIN = "asked_again"
    DONE = "done"            # `value` holds the answer: a day, cents per month, a part of the day
    TO_INBOX = "to_inbox"    # a person reads it
    NOT_MINE = "not_mine"    # no dialog and no keyword: the ordinary bot handles it


@dataclass(frozen=True)
class Step:
    outcome: Outcome
    state: DialogState | None      # the state to store (None: no open dialog)
    reply: str | None = None       # template name (dialog_<reply>)
    kind: DialogKind | None = None
    value: int | str | None = None


def parse_day(text: str, days: frozenset[int]) -> int | None:
    match = re.fullmatch(r"(?:de\s+)?(\d{1,2})(?:e|ste|de|th|st|nd|rd|\.)?", normalise(text))
    if match is None:
        return None
    day = int(match.group(1))
    return day if day in days else None


def parse_cents(text: str) -> int | None:
    """"50", "€ 50", "50,00", "75 euro", "€1.250,50" → cents; None when it is no plain amount."""
    if text.strip().startswith("-"):
        return None
    said = re.sub(r"€|euro?|per maand|per month|p/m", "", normalise(text)).replace(" ", "")
    if not re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d{1,2})?|\d+([.,]\d{1,2})?", said):
        return None
    if "," in said:
        said = said.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", said):
        said = said.replace(".", "")
    try:
        cents = int(Decimal(said) * 100)
    except InvalidOperation:
        return None
    return cents if 0 < cents <= MAX_ARRANGEMENT_CENTS else None


def parse_part(text: str) -> str | None:
    said = normalise(text)
    for part, answers in PARTS.items():
        if said in answers:
            return part
    return None


def step(state: DialogState | None, text: str, now: datetime, rules: DialogRules) -> Step:
    """The dialog's move on one inbound text (see the module docstring)."""
    kind = rules.keyword(text)
    if kind is not None:
        return Step(Outcome.STARTED, DialogState(kind, FIRST_STEP[kind], now + rules.timeout),
                    reply=f"{kind.value}_prompt", kind=kind)
    if state is None:
        return Step(Outcome.NOT_MINE, None)
    if now >= state.expires_at:
        return Step(Outcome.TO_INBOX, None, kind=state.kind)
    value: int | str | None
    if state.kind is DialogKind.DAY:
        value = parse_day(text, rules.days)
    elif state.kind is DialogKind.ARRANGEMENT:
        value = parse_cents(text)
    else:
        value = parse_part(text)
    if value is not None:
        return Step(Outcome.DONE, None, reply=f"{state.kind.value}_done", kind=state.kind, value=value)
    if state.tries >= 1:
        return Step(Outcome.TO_INBOX, None, kind=state.kind)
    again = DialogState(state.kind, state.step, now + rules.timeout, tries=state.tries + 1)
    return Step(Outcome.ASKED_AGAIN, again, reply=f"{state.kind.value}_prompt", kind=state.kind)
