"""The MVI ("maatschappelijk verantwoorde incasso") steps of an arrears case, and whether a
case may be passed to the municipality (Wgs vroegsignalering, Bgs art. 2).

All four steps must have happened: (a) an attempt at personal contact by a person, (b) a
pointer to debt help (schuldhulpverlening), (c) at least one written reminder — a letter or
an e-mail; an SMS alone is not enough — and (d) in writing, the offer to pass the tenant's
data to the municipality. A recorded objection from the tenant blocks the signal. The answer
names what is missing, in the order an officer would do it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class MviStep(StrEnum):
    PERSONAL_CONTACT = "personal_contact"
    DEBT_HELP = "debt_help"
    WRITTEN_REMINDER = "written_reminder"
    DATA_OFFER = "data_offer"
    TENANT_ANSWER = "tenant_answer"  # the tenant's reply to the offer (informative)
    OBJECTION = "objection"          # the tenant objects to passing the data on: blocks the signal


REQUIRED: tuple[MviStep, ...] = (
    MviStep.WRITTEN_REMINDER, MviStep.PERSONAL_CONTACT, MviStep.DEBT_HELP, MviStep.DATA_OFFER,
)
WRITTEN_CHANNELS = frozenset({"letter", "email"})
NEEDS_WRITING = frozenset({MviStep.WRITTEN_REMINDER, MviStep.DATA_OFFER})
CHANNELS = frozenset({"letter", "email", "phone", "visit", "sms", "whatsapp", "other"})

DESCRIPTIONS = {
    MviStep.PERSONAL_CONTACT: "an attempt at personal contact by a person",
    MviStep.DEBT_HELP: "a pointer to debt help (schuldhulpverlening)",
    MviStep.WRITTEN_REMINDER: "a written reminder (letter or e-mail)",
    MviStep.DATA_OFFER: "the written offer to pass the data to the municipality",
    MviStep.TENANT_ANSWER: "the tenant's answer",
    MviStep.OBJECTION: "the tenant's objection",
}


@dataclass(frozen=True)
class MviRecord:
    step: MviStep
    channel: str
    occurred_at: datetime


@dataclass(frozen=True)
class MviAssessment:
    done: tuple[MviStep, ...]
    missing: tuple[MviStep, ...]
    objected: bool

    @property
    def ready(self) -> bool:
        return not self.missing and not self.objected

    def explain(self) -> str:
        """Why the case may not be signalled, in words; empty when it may."""
        reasons = [f"missing MVI step {step.value}: {DESCRIPTIONS[step]}" for step in self.missing]
        if self.objected:
            reasons.append("the tenant objected to passing the data to the municipality")
        return "; ".join(reasons)


def counts(record: MviRecord) -> bool:
    """Whether a record fulfils its step (a written step must be a letter or an e-mail)."""
    return record.step not in NEEDS_WRITING or record.channel in WRITTEN_CHANNELS


def assess(records: Iterable[MviRecord]) -> MviAssessment:
    records = list(records)
    done = {record.step for record in records if counts(record)}
    return MviAssessment(
        done=tuple(step for step in MviStep if step in done),
        missing=tuple(step for step in REQUIRED if step not in done),
        objected=MviStep.OBJECTION in done,
    )
