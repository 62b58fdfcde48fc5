"""The fakes' own notion of now: anything with a `now()` (tests and the demo pass the app's
`SettableClock`), the real time when none is given. The fakes import nothing of herinnering
outside `fakes/`, so they stand apart from the app they stand in for."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)
