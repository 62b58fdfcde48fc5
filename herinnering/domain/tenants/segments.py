"""Klantprofielen (Gereedschapskist 1.11): each tenant's segment, with the reason, from the last
12 months — Parteon's four groups by default.

    4  more than 5 reminders in 12 months, a bailiff, or on a payment arrangement
    1  new tenant (known for at most a year)
    3  1 to 5 reminders in 12 months
    2  no reminders in 12 months, but late now
    0  none of these: pays on time

The first rule that holds wins, in the order above (a new tenant on an arrangement is in 4:
what matters most is the risk). Pure: no I/O; `today` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum


class Segment(IntEnum):
    ON_TIME = 0
    NEW = 1
    LATE_FIRST = 2
    SOME_REMINDERS = 3
    MANY_REMINDERS = 4


LABELS = {
    Segment.ON_TIME: "betaalt op tijd",
    Segment.NEW: "nieuwe huurder",
    Segment.LATE_FIRST: "geen herinneringen, nu te laat",
    Segment.SOME_REMINDERS: "1-5 herinneringen in 12 maanden",
    Segment.MANY_REMINDERS: "veel herinneringen, deurwaarder of regeling",
}


@dataclass(frozen=True)
class Facts:
    since: date               # first known as a tenant
    reminders_12m: int        # payment reminders sent in the last 12 months
    late_now: bool            # an open arrears case
    in_arrangement: bool
    bailiff: bool = False


@dataclass(frozen=True)
class Assigned:
    segment: Segment
    reason: str


def assign(facts: Facts, today: date, *, new_days: int = 365, many: int = 5) -> Assigned:
    if facts.reminders_12m > many:
        return Assigned(Segment.MANY_REMINDERS, f"{facts.reminders_12m} herinneringen in 12 maanden")
    if facts.bailiff:
        return Assigned(Segment.MANY_REMINDERS, "dossier bij de deurwaarder")
    if facts.in_arrangement:
        return Assigned(Segment.MANY_REMINDERS, "heeft een betalingsregeling")
    if today - facts.since <= timedelta(days=new_days):
        return Assigned(Segment.NEW, f"huurder sinds {facts.since:%d-%m-%Y}")
    if facts.reminders_12m >= 1:
        return Assigned(Segment.SOME_REMINDERS, f"{facts.reminders_12m} herinnering(en) in 12 maanden")
    if facts.late_now:
        return Assigned(Segment.LATE_FIRST, "geen herinneringen in 12 maanden, nu te laat")
    return Assigned(Segment.ON_TIME, "geen herinneringen in 12 maanden en niet te laat")
