"""`[reminders]`: when the pre-debit reminder goes out, and in which languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from herinnering.config.validator import Section
from herinnering.domain.reminders.planning import PlanningRules, SendWindow


@dataclass(frozen=True)
class ReminderSettings:
    timezone: ZoneInfo
    lead_days: int
    window: SendWindow
    collection_days: frozenset[int]
    languages: tuple[str, ...]
    default_language: str

    def planning_rules(self) -> PlanningRules:
        return PlanningRules(timezone=self.timezone, lead_days=self.lead_days, window=self.window)


def parse(s: Section) -> ReminderSettings:
    languages = s.string_list("languages")
    return ReminderSettings(
        timezone=s.timezone("timezone"),
        lead_days=s.integer("lead_days", 1, 28),
        window=s.window("send_window"),
        collection_days=_days(s, "collection_days"),
        languages=languages,
        default_language=s.choice("default_language", languages),
    )


def _days(s: Section, key: str) -> frozenset[int]:
    """Days of the month a tenant may choose: "1-25" or a list like [1, 5, 15]."""
    value = s.get(key)
    days: set[int] = set()
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", value):
        low, high = (int(part) for part in value.split("-"))
        days = set(range(low, high + 1))
    elif isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        days = set(value)
    if not days or not all(1 <= d <= 28 for d in days):
        raise s.fail(key, value, 'days between 1 and 28, as "1-25" or a list like [1, 5, 15]')
    return frozenset(days)
