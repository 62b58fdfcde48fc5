"""When to try a message again: exponential backoff with a cap, decided from values only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempts: int) -> timedelta:
        """Wait before attempt `attempts + 1`: base, 2×base, 4×base … never more than the cap."""
        exponent = max(0, attempts - 1)
        return timedelta(seconds=min(self.max_seconds, self.base_seconds * (2 ** min(exponent, 30))))

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """The moment of the next attempt, or None when the attempts are used up."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts)
