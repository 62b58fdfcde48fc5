"""The early-warning gate (Wgs vroegsignalering, Besluit gemeentelijke schuldhulpverlening
art. 2): may this arrears case be passed to the municipality today?

Stricter than counting MVI steps (`domain/legal/mvi.py`): the personal contact must be a phone call
or a visit recorded by a person — a bot or ladder message, or a text an officer typed, is not
one —; the written reminder and the offer to pass the data on count only from a letter that
was *posted* or an e-mail that was *delivered* (source `letter:`), the offer in that same
letter; debt help counts once its message was delivered (the MVI sync records it only then);
the tenant must not have objected — on any of their cases, as the tenant page promises "we
do not pass your details on" — and gets `objection_days` after receiving the written offer
to do so; at least `minimum_cents` (by default one month's rent) must be open; the
municipality's window (days since the oldest unpaid due date and/or an amount) must be open;
the address and municipality must be known; and the municipality's answers must be
respected: no signal at all after "deceased", "not a resident" or "unjustified", and no
repeat signal unless the amount grew. The verdict names every reason, so an officer sees
what is missing. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from herinnering.domain.dutch_words import word
from herinnering.domain.legal.mvi import DESCRIPTIONS, REQUIRED, WRITTEN_CHANNELS, MviStep

NOT_A_PERSON = frozenset({"ladder", "bot", "system", "tenant"})  # who records a step without being a person
IN_PERSON = frozenset({"phone", "visit"})  # the only ways personal contact is made
FROM_POSTED_LETTER = "letter:"  # source key of the steps a posted letter or delivered e-mail records


class Feedback(StrEnum):
    """The municipality's answer to a signal."""

    REPEAT_SIGNAL = "repeat_signal"   # herhaalsignaal: already known
    UNJUSTIFIED = "unjustified"       # onterecht
    NOT_RESIDENT = "not_resident"     # niet woonachtig in de gemeente
    DECEASED = "deceased"             # overleden
    TAKEN_UP = "taken_up"             # opgepakt / in behandeling


BLOCKING = {
    Feedback.DECEASED: "the municipality reported the tenant deceased",
    Feedback.NOT_RESIDENT: "the municipality reported the tenant is not a resident",
    Feedback.UNJUSTIFIED: "the municipality called the signal unjustified",
}

# Words a municipality's file may use for each answer (Dutch and English), normalised to lower case.
FEEDBACK_WORDS: dict[str, Feedback] = {
    **{f.value: f for f in Feedback},
    "herhaalsignaal": Feedback.REPEAT_SIGNAL, "repeat": Feedback.REPEAT_SIGNAL,
    "onterecht": Feedback.UNJUSTIFIED, "niet woonachtig": Feedback.NOT_RESIDENT,
    "not a resident": Feedback.NOT_RESIDENT, "overleden": Feedback.DECEASED,
    "opgepakt": Feedback.TAKEN_UP, "in behandeling": Feedback.TAKEN_UP, "taken up": Feedback.TAKEN_UP,
}


def parse_feedback(word: str) -> Feedback | None:
    return FEEDBACK_WORDS.get(" ".join(word.strip().lower().replace("_", " ").split())) or \
        FEEDBACK_WORDS.get(word.strip().lower())


@dataclass(frozen=True)
class StepRecord:
    """One recorded MVI step, with who recorded it."""

    step: MviStep
    channel: str
    occurred_at: datetime
    by: str
    source: str = ""  # the MVI record's source key: letter:…, task:…, message:…, manual:…


@dataclass(frozen=True)
class Window:
    """From when a municipality wants a signal: days in arrears and/or an amount."""

    days: int | None = 30
    amount_cents: int | None = None
    both: bool = False  # True: both must be reached; False: either one

    def is_open(self, missed_on: date, today: date, outstanding_cents: int) -> bool:
        checks = []
        if self.days is not None:
            checks.append((today - missed_on).days >= self.days)
        if self.amount_cents is not None:
            checks.append(outstanding_cents >= self.amount_cents)
        if not checks:
            return True
        return all(checks) if self.both else any(checks)

    def describe(self) -> str:
        parts = ([f"{self.days} days in arrears"] if self.days is not None else []) + (
            [f"€ {self.amount_cents / 100:.2f} open"] if self.amount_cents is not None else [])
        return (" and " if self.both else " or ").join(parts) or "always"


def counts(record: StepRecord, written_days: frozenset[date]) -> bool:
    """Whether one record fulfils its step under the gate's rules."""
    if record.step is MviStep.PERSONAL_CONTACT:
        return record.by not in NOT_A_PERSON and record.channel in IN_PERSON
    posted = record.source.startswith(FROM_POSTED_LETTER) or record.source.startswith("merged:letter:")
    if record.step is MviStep.WRITTEN_REMINDER:
        return record.channel in WRITTEN_CHANNELS and posted
    if record.step is MviStep.DATA_OFFER:
        return record.channel in WRITTEN_CHANNELS and posted and record.occurred_at.date() in written_days
    return True


@dataclass(frozen=True)
class Verdict:
    missing: tuple[MviStep, ...]
    objected: bool
    reasons: tuple[str, ...]
    dutch: tuple[str, ...] = ()  # the same reasons in Dutch, for the proof bundle

    @property
    def ready(self) -> bool:
        return not self.reasons

    def explain(self) -> str:
        return "; ".join(self.reasons)


def _euro(cents: int) -> str:
    return f"€ {cents / 100:.2f}"


def gate(
    records: Iterable[StepRecord], *, window: Window, missed_on: date, today: date, outstanding_cents: int,
    signalled_cents: int | None = None, feedback: Iterable[Feedback] = (), offer_received_on: date | None = None,
    objection_days: int = 0, minimum_cents: int = 0, contact_missing: Iterable[str | tuple[str, str]] = (),
) -> Verdict:
    """Whether the case may be signalled today, and if not every reason why. `missed_on` is the
    day the window counts from (the oldest unpaid due date); `offer_received_on` the day the
    tenant received the written offer (its presumed receipt), from which `objection_days` run.
    `contact_missing` names what the tenant record lacks (English, or English and Dutch)."""
    records = list(records)
    written_days = frozenset(r.occurred_at.date() for r in records
                             if r.step is MviStep.WRITTEN_REMINDER and counts(r, frozenset()))
    counted = [r for r in records if counts(r, written_days)]
    done = {r.step for r in counted}
    missing = tuple(step for step in REQUIRED if step not in done)
    reasons: list[str] = []
    dutch: list[str] = []

    def refuse(english: str, nl: str) -> None:
        reasons.append(english)
        dutch.append(nl)

    for step in missing:
        refuse(f"missing MVI step {step.value}: {DESCRIPTIONS[step]}", f"ontbrekende stap: {word('mvi_step', step)}")
    objected = MviStep.OBJECTION in done
    if objected:
        refuse("the tenant objected to passing the data to the municipality",
               "de huurder heeft bezwaar gemaakt tegen het doorgeven van de gegevens aan de gemeente")
    offers = [r.occurred_at.date() for r in counted if r.step is MviStep.DATA_OFFER]
    if offers and not objected:
        received = offer_received_on or min(offers)
        last = received + timedelta(days=objection_days)
        if today <= last:
            refuse(f"the tenant may still object until {last:%d-%m-%Y} ({objection_days} days after "
                   f"receiving the written offer on {received:%d-%m-%Y})",
                   f"de huurder mag nog bezwaar maken tot en met {last:%d-%m-%Y} ({objection_days} dagen na "
                   f"ontvangst van het schriftelijke aanbod op {received:%d-%m-%Y})")
    if 0 < outstanding_cents < minimum_cents:
        refuse(f"under the minimum: {_euro(outstanding_cents)} open, a signal needs {_euro(minimum_cents)} "
               "(lawful.signal_minimum_months of the monthly rent)",
               f"onder het minimum: {_euro(outstanding_cents)} open, een melding vraagt {_euro(minimum_cents)}")
    for what in contact_missing:
        english, nl = what if isinstance(what, tuple) else (what, what)
        refuse(f"{english} is missing: the signal needs it", f"{nl} ontbreekt; de melding heeft het nodig")
    answers = set(feedback)
    for answer, text in BLOCKING.items():
        if answer in answers:
            refuse(text, f"de gemeente antwoordde: {word('feedback', answer)}")
    if outstanding_cents <= 0:
        refuse("nothing is open", "er staat niets open")
    if signalled_cents is not None and outstanding_cents <= signalled_cents:
        refuse("already signalled; no repeat signal unless the amount grows",
               "al gemeld; een nieuwe melding alleen als het bedrag groeit")
    if not window.is_open(missed_on, today, outstanding_cents):
        refuse(f"the municipality's window is not open yet ({window.describe()})",
               "de termijn van de gemeente is nog niet verstreken")
    return Verdict(missing=missing, objected=objected, reasons=tuple(reasons), dutch=tuple(dutch))
