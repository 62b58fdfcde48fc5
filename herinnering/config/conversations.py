"""`[conversations]`: the keyword bot's extra words, office hours and officers' logins."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from herinnering.config.validator import Section
from herinnering.domain.conversations.keywords import Intent, KeywordRules, keyword_rules
from herinnering.domain.conversations.threads import OfficeHours

INTENTS = (Intent.STOP, Intent.START, Intent.HELP, Intent.PAID, Intent.OBJECTION, Intent.CHANNEL_SMS,
           Intent.CHANNEL_WHATSAPP)


@dataclass(frozen=True)
class ConversationSettings:
    keywords: KeywordRules
    office_hours: OfficeHours
    session_hours: int
    lockout_failures: int
    lockout_minutes: int


def parse(s: Section, timezone: ZoneInfo) -> ConversationSettings:
    words = {intent: s.string_list(f"keywords_{intent.value}") for intent in INTENTS}
    try:
        rules = keyword_rules(words, builtin=True)  # the five-language list plus these
    except ValueError as exc:  # its message ends with the intent whose word is wrong
        raise s.error(f"keywords_{str(exc).rsplit(' ', 1)[-1]}", str(exc)) from None
    window = s.window("office_hours")
    days = s.get("office_days")
    if not isinstance(days, list) or not days or not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days):
        raise s.fail("office_days", days, "weekdays 1 (Monday) to 7 (Sunday), e.g. [1, 2, 3, 4, 5]")
    return ConversationSettings(
        keywords=rules,
        office_hours=OfficeHours(timezone=timezone, start=window.start, end=window.end, weekdays=frozenset(days)),
        session_hours=s.integer("session_hours", 1, 24 * 30),
        lockout_failures=s.integer("lockout_failures", 1, 100),
        lockout_minutes=s.integer("lockout_minutes", 1, 24 * 60),
    )
