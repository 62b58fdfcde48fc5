"""The only place that reads the system time.

Services receive a `Clock`; the demo moves a `SettableClock` forward through a month and tests
set it to any moment, so nothing ever patches `datetime`. `local_day` is the day a moment
falls on where the organisation works (`[reminders] timezone`), which every context asks.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from herinnering.config import Settings


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock:
    """A clock that stands still until it is set or advanced (tests and the demo)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _aware(moment)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class OffsetClock:
    """Runs at real speed from a chosen start (`herinnering serve --now ...`)."""

    def __init__(self, start: datetime) -> None:
        self._start = _aware(start)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    return moment.astimezone(UTC)


def local_day(moment: datetime, settings: Settings) -> date:
    """The day `moment` falls on in the organisation's timezone."""
    return moment.astimezone(settings.reminders.timezone).date()
