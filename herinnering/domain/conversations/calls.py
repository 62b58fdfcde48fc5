"""What an officer's phone call to a tenant means: whether the task is done and whether it is
MVI step (a), "an attempt at personal contact by a person" (Bgs art. 2). A call nobody answered
is still such an attempt; a wrong number is not, and the call still has to be made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CallOutcome:
    key: str
    nl: str
    en: str
    done: bool          # the task is finished
    personal_contact: bool  # recorded as MVI step (a)
    meaning_nl: str
    meaning_en: str


OUTCOMES: dict[str, CallOutcome] = {o.key: o for o in (
    CallOutcome("spoken", "Gesproken", "Spoke with the tenant", True, True,
                "persoonlijk contact (MVI-stap a); taak klaar", "personal contact (MVI step a); task done"),
    CallOutcome("voicemail", "Voicemail ingesproken", "Left a voicemail", True, True,
                "poging tot persoonlijk contact (MVI-stap a); taak klaar",
                "attempt at personal contact (MVI step a); task done"),
    CallOutcome("no_answer", "Niet opgenomen", "No answer", False, True,
                "poging tot persoonlijk contact (MVI-stap a); morgen opnieuw bellen",
                "attempt at personal contact (MVI step a); call again tomorrow"),
    CallOutcome("wrong_number", "Verkeerd nummer", "Wrong number", False, False,
                "geen contact (telt niet voor MVI); zoek het juiste nummer, taak blijft open",
                "no contact (does not count for MVI); find the right number, task stays open"),
)}


def retry_at(now: datetime) -> datetime:
    """A call that did not reach the tenant comes back on the list a day later."""
    return now + timedelta(days=1)
