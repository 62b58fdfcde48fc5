"""The provider circuit breaker as a value: when most recent calls failed, stop calling.

    closed ──most of the last `window` calls failed──▶ open
    open ──`cool_down` passed──▶ half-open: one probe call is let through
    half-open ──probe succeeded──▶ closed (history forgotten)
    half-open ──probe failed──▶ open again (a new cool-down)

Only answers that say the provider is unwell count as failures: a 5xx, a timeout, a dropped
connection. A 4xx or a 429 is the provider working as designed. Every method takes the time
and returns a new `Breaker`; the dispatcher keeps the current one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    window: int = 20  # the last N calls that are judged
    cool_down: timedelta = timedelta(seconds=30)

    def trips(self, recent: tuple[bool, ...]) -> bool:
        """Open when the window is full and most of it (more than half) failed."""
        return len(recent) >= self.window and recent.count(False) * 2 > len(recent)


@dataclass(frozen=True)
class Breaker:
    policy: BreakerPolicy = field(default_factory=BreakerPolicy)
    state: CircuitState = CircuitState.CLOSED
    recent: tuple[bool, ...] = ()  # True: the call went well
    opened_at: datetime | None = None
    probing: bool = False  # half-open and the one probe is out

    def blocks(self, now: datetime) -> bool:
        """Open and still cooling down: no call may go out, not even a probe."""
        return self.state is CircuitState.OPEN and self.opened_at is not None and now - self.opened_at < self.policy.cool_down

    def admit(self, now: datetime) -> tuple[Breaker, bool]:
        """May a call go out now? Returns the breaker after asking, and the answer."""
        if self.state is CircuitState.CLOSED:
            return self, True
        if self.state is CircuitState.OPEN:
            if self.blocks(now):
                return self, False
            return replace(self, state=CircuitState.HALF_OPEN, probing=True), True
        if self.probing:
            return self, False
        return replace(self, probing=True), True

    def record(self, ok: bool, now: datetime) -> Breaker:
        """The outcome of an admitted call."""
        if self.state is CircuitState.HALF_OPEN:
            if ok:
                return Breaker(self.policy)
            return replace(self, state=CircuitState.OPEN, opened_at=now, probing=False)
        if self.state is CircuitState.OPEN:  # an answer to a call that left before it opened
            return self
        recent = (*self.recent, ok)[-self.policy.window:]
        if self.policy.trips(recent):
            return replace(self, state=CircuitState.OPEN, recent=recent, opened_at=now)
        return replace(self, recent=recent)

    def release(self) -> Breaker:
        """An admitted probe that was never sent (nothing to send after all): let another try."""
        return replace(self, probing=False) if self.state is CircuitState.HALF_OPEN else self
