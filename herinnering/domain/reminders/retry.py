"""When to try a message again: exponential backoff with jitter and a cap, never sooner than
the provider's `Retry-After`, decided from values only.

The random draw is passed in (like the time), so a test can pin it: `draw=1.0` is the full
backoff, `draw=0.0` the shortest the jitter allows. Jitter keeps workers that were refused
together from coming back together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

JITTER = 0.5  # "equal jitter": the wait is between half the backoff and the whole of it


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt `attempts + 1` without jitter: base, 2×base, 4×base … capped."""
        exponent = max(0, attempts - 1)
        return min(self.max_seconds, self.base_seconds * (2.0 ** min(exponent, 30)))

    def delay(self, attempts: int, retry_after: float | None = None, draw: float = 1.0) -> timedelta:
        """The wait: the jittered backoff (within the cap), but never less than `retry_after`.

        The cap bounds our own backoff; a provider's Retry-After above it is still honoured,
        because coming back sooner only earns another 429."""
        full = self.backoff(attempts)
        seconds = full * (1 - JITTER + JITTER * min(max(draw, 0.0), 1.0))
        if retry_after is None:
            return timedelta(seconds=seconds)
        return timedelta(microseconds=math.ceil(max(seconds, retry_after) * 1_000_000))  # never early

    def next_attempt(
        self, attempts: int, now: datetime, retry_after: float | None = None, draw: float = 1.0
    ) -> datetime | None:
        """The moment of the next attempt, or None when the attempts are used up."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(attempts, retry_after, draw)


def parse_retry_after(value: str | None, now: datetime | None) -> float | None:
    """A `Retry-After` header in seconds: delta-seconds ("7") or an HTTP date measured from
    `now`; None if absent or unreadable (then our own backoff decides)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None or now is None:
        return None
    return max(0.0, (moment - now).total_seconds())
