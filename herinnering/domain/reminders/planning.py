"""When a tenant's rent is collected and when they are reminded of it.

This module owns the calendar rules of the reminder: the rent month (`Period`), the SEPA
direct-debit date (the chosen collection day moved forward past weekends and TARGET2 closing
days), the reminder day (a number of days earlier, moved back past Sundays and Dutch public
holidays), the send window (no texts at night) and the one decision that combines them,
`plan_reminder`. Everything is computed from values; the current time is always passed in.

All instants that leave this module are aware datetimes in UTC. Local wall-clock rules (the
send window, "the start of the debit date") are applied in the rules' time zone, so they stay
right across daylight-saving changes, including the hour that is skipped in spring and the
hour that happens twice in autumn.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "MAX_COLLECTION_DAY",
    "MAX_LEAD_DAYS",
    "Period",
    "PlanningRules",
    "Reminder",
    "SendWindow",
    "debit_date",
    "in_send_window",
    "is_dutch_rest_day",
    "is_target2_closed",
    "next_window_opening",
    "plan_reminder",
    "reminder_day",
]

MAX_COLLECTION_DAY = 28
"""The last day that exists in every month, so a collection day never needs clamping."""

MAX_LEAD_DAYS = 28
"""A reminder more than four weeks ahead would belong to the previous rent month."""

_PERIOD_PATTERN = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Period:
    """A rent month, written "2026-12"; ordered by time."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.year <= MAXYEAR:
            raise ValueError(f"year {self.year} is out of range 1..{MAXYEAR}")
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} does not exist: a month is 1..12")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read a month as written on the command line and in the database ("2026-12")."""
        match = _PERIOD_PATTERN.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"a rent month is written YYYY-MM, e.g. 2026-12; got {text!r}")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"month {month:02d} in {text!r} does not exist: a month is 01..12")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Period:
        """The rent month a day belongs to."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Period:
        """The following rent month; December is followed by January of the next year."""
        if self.month == 12:
            return Period(self.year + 1, 1)
        return Period(self.year, self.month + 1)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class SendWindow:
    """The local hours in which texts may go out: start <= wall-clock time < end, same day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("send window times are local wall-clock times: give them without a time zone")
        if not self.start < self.end:
            raise ValueError(
                f"send window must start before it ends (and not cross midnight); "
                f"got {self.start.isoformat()}-{self.end.isoformat()}"
            )

    def contains(self, wall: time) -> bool:
        return self.start <= wall.replace(fold=0) < self.end


@dataclass(frozen=True)
class PlanningRules:
    """A corporation's reminder policy: its time zone, how many days ahead, and when to text."""

    timezone: ZoneInfo
    lead_days: int
    window: SendWindow

    def __post_init__(self) -> None:
        _check_lead_days(self.lead_days)


@dataclass(frozen=True)
class Reminder:
    """One planned reminder. `send_at` and `not_after` are aware UTC; after `not_after` (the
    start of the debit date) the reminder is pointless and must not be sent."""

    debit_date: date
    send_at: datetime
    not_after: datetime


# --- the bank's calendar -------------------------------------------------------------------


def _easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Meeus/Jones/Butcher algorithm), without dateutil."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def _target2_closing_days(year: int) -> frozenset[date]:
    """TARGET2's fixed closing days. Computed rather than taken from holidays' XECB calendar,
    which also lists the one-off 31 December closings of 1999-2001 and ends in 2100; the tests
    check that both agree for the years in between."""
    easter = _easter_sunday(year)
    return frozenset({
        date(year, 1, 1),                 # New Year's Day
        easter - timedelta(days=2),       # Good Friday
        easter + timedelta(days=1),       # Easter Monday
        date(year, 5, 1),                 # Labour Day
        date(year, 12, 25),               # Christmas Day
        date(year, 12, 26),               # Boxing Day
    })


def is_target2_closed(day: date) -> bool:
    """No SEPA settlement on this day: a weekend or a TARGET2 closing day. King's Day,
    Ascension Day and Whit Monday are ordinary settlement days."""
    return day.weekday() >= 5 or day in _target2_closing_days(day.year)


def _check_collection_day(collection_day: int) -> None:
    if isinstance(collection_day, bool) or not 1 <= collection_day <= MAX_COLLECTION_DAY:
        raise ValueError(
            f"collection day must be 1..{MAX_COLLECTION_DAY} (a day that exists in every month); "
            f"got {collection_day!r}"
        )


def debit_date(period: Period, collection_day: int) -> date:
    """The day the rent is actually collected: the chosen day of the month, moved forward to
    the next settlement day. The move may cross into the next month (25 December 2026, a
    Friday, is collected on Monday 28 December; a Friday 29th can become the 1st)."""
    _check_collection_day(collection_day)
    day = date(period.year, period.month, collection_day)
    while is_target2_closed(day):
        day += timedelta(days=1)
    return day


# --- the tenant's calendar -----------------------------------------------------------------


@lru_cache(maxsize=256)
def _dutch_public_holidays(year: int) -> frozenset[date]:
    """Dutch public holidays of one year; cached because planning runs for every tenant."""
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_dutch_rest_day(day: date) -> bool:
    """A day we do not text tenants about money: a Sunday or a Dutch public holiday."""
    return day.weekday() == 6 or day in _dutch_public_holidays(day.year)


def _check_lead_days(lead_days: int) -> None:
    if isinstance(lead_days, bool) or not 1 <= lead_days <= MAX_LEAD_DAYS:
        raise ValueError(f"lead days must be 1..{MAX_LEAD_DAYS}; got {lead_days!r}")


def reminder_day(debit: date, lead_days: int) -> date:
    """`lead_days` before the debit, moved earlier past Sundays and Dutch public holidays so
    the tenant is reminded on a normal day and never later than promised (Easter Monday
    becomes Easter Saturday)."""
    _check_lead_days(lead_days)
    day = debit - timedelta(days=lead_days)
    while is_dutch_rest_day(day):
        day -= timedelta(days=1)
    return day


# --- local wall-clock time and UTC instants -------------------------------------------------

_SCAN_STEP = timedelta(hours=6)
"""Offset changes closer together than this would be missed; no time zone has them."""

_SEARCH_DAYS = 4
"""How far ahead a window opening is looked for: it exists on all but at most one day."""


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return the moment in UTC; naive datetimes are refused because they are ambiguous."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware; got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _offset(instant: datetime, tz: tzinfo) -> timedelta | None:
    return instant.astimezone(tz).utcoffset()


@lru_cache(maxsize=512)
def _offset_changes(tz: tzinfo, year: int) -> tuple[datetime, ...]:
    """The instants (UTC, whole seconds) in one UTC year at which the zone's offset changes:
    the first instant with the new offset. Found by scanning and bisecting, because zoneinfo
    does not expose its transitions; cached per zone and year."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if year < MAXYEAR else datetime(MAXYEAR, 12, 31, tzinfo=UTC)
    changes: list[datetime] = []
    left, left_offset = start, _offset(start, tz)
    while left < end:
        right = min(left + _SCAN_STEP, end)
        right_offset = _offset(right, tz)
        if right_offset != left_offset:
            low, high = 0, int((right - left).total_seconds())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(left + timedelta(seconds=middle), tz) == right_offset:
                    high = middle
                else:
                    low = middle
            changes.append(left + timedelta(seconds=high))
        left, left_offset = right, right_offset
    return tuple(changes)


def _offset_changes_between(tz: tzinfo, first: datetime, last: datetime) -> list[datetime]:
    """Offset changes with first <= change <= last (both aware UTC)."""
    found: list[datetime] = []
    for year in range(first.year, last.year + 1):
        changes = _offset_changes(tz, year)
        found.extend(changes[bisect_left(changes, first):bisect_left(changes, last + timedelta(microseconds=1))])
    return found


def _wall(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def _start_of_local_day(day: date, tz: tzinfo) -> datetime:
    """The first instant (UTC) of a local date. Where midnight is skipped by a clock change,
    that is the moment the clock jumps past it."""
    local = datetime.combine(day, time(0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if _wall(instant, tz) == local.replace(tzinfo=None):
        return instant
    # Midnight falls in a gap: fold=0 uses the offset before the jump, fold=1 the one after;
    # the jump lies between the two readings.
    other = local.replace(fold=1).astimezone(UTC)
    changes = _offset_changes_between(tz, min(instant, other), max(instant, other))
    return changes[0] if changes else instant


def in_send_window(moment: datetime, rules: PlanningRules) -> bool:
    """Whether a text may go out at this instant: its local wall-clock time is inside the
    window. `moment` must be aware (any zone)."""
    local = _require_aware(moment, "moment").astimezone(rules.timezone)
    return rules.window.contains(local.time())


def next_window_opening(moment: datetime, rules: PlanningRules) -> datetime:
    """The earliest instant at or after `moment` at which texts may go out (aware UTC):
    `moment` itself inside the window, otherwise the next time the window opens."""
    moment_utc = _require_aware(moment, "moment")
    if in_send_window(moment_utc, rules):
        return moment_utc
    tz = rules.timezone
    wall_now = _wall(moment_utc, tz)
    local_day = wall_now.date()
    # Usual case: no clock change between now and the next time the local clock shows the
    # start time, so the clock runs on steadily and passes no other window time before it.
    target = datetime.combine(local_day, rules.window.start)
    if target <= wall_now:
        target += timedelta(days=1)
    opening = target.replace(tzinfo=tz).astimezone(UTC)
    if (
        opening >= moment_utc
        and _wall(opening, tz) == target
        and not _offset_changes_between(tz, moment_utc, opening)
    ):
        return opening
    # Near a clock change the window is entered either when the local clock reaches its start
    # (once, or twice in the autumn hour that repeats) or when the change jumps into it.
    candidates: list[datetime] = []
    for days in range(-1, _SEARCH_DAYS):
        local = datetime.combine(local_day + timedelta(days=days), rules.window.start, tzinfo=tz)
        for fold in (0, 1):
            instant = local.replace(fold=fold).astimezone(UTC)
            if _wall(instant, tz) == local.replace(tzinfo=None):
                candidates.append(instant)
    candidates.extend(_offset_changes_between(tz, moment_utc, moment_utc + timedelta(days=_SEARCH_DAYS)))
    openings = [c for c in candidates if c >= moment_utc and in_send_window(c, rules)]
    if not openings:
        raise ValueError(f"the send window {rules.window} never opens within {_SEARCH_DAYS} days of {moment_utc}")
    return min(openings)


# --- the decision ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _ideal_plan(period: Period, collection_day: int, rules: PlanningRules) -> tuple[date, datetime, datetime]:
    """Debit date, ideal reminder moment and cut-off; the same for every tenant with this
    collection day, so cached: planning runs for millions of tenants."""
    debit = debit_date(period, collection_day)
    day = reminder_day(debit, rules.lead_days)
    ideal = next_window_opening(_start_of_local_day(day, rules.timezone), rules)
    not_after = _start_of_local_day(debit, rules.timezone)
    return debit, ideal, not_after


def plan_reminder(period: Period, collection_day: int, rules: PlanningRules, now: datetime) -> Reminder | None:
    """The reminder for one tenant and rent month, or None when it is too late to be useful.

    Ideally it goes out when the send window opens on the reminder day. When that moment has
    passed (planning started late) it goes out as soon as the window allows, but only while
    that is still before the debit date. So `send_at` is always inside the window, never
    before `now` and always before `not_after`.
    """
    now_utc = _require_aware(now, "now")
    _check_collection_day(collection_day)
    debit, ideal, not_after = _ideal_plan(period, collection_day, rules)
    if now_utc >= not_after:
        return None
    send_at = ideal if ideal >= now_utc else next_window_opening(now_utc, rules)
    if send_at >= not_after:
        return None
    return Reminder(debit_date=debit, send_at=send_at, not_after=not_after)


def next_working_send_moment(moment: datetime, rules: PlanningRules) -> datetime:
    """`next_window_opening`, but never on a Sunday or a Dutch public holiday: a follow-up
    message about arrears waits for the next ordinary day's window."""
    opening = next_window_opening(moment, rules)
    for _ in range(_SEARCH_DAYS + 14):
        day = _wall(opening, rules.timezone).date()
        if day.weekday() != 6 and day not in _dutch_public_holidays(day.year):
            return opening
        midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=rules.timezone).astimezone(UTC)
        opening = next_window_opening(midnight, rules)
    return opening
