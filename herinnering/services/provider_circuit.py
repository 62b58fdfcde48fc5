"""The dispatcher's circuit breaker around the provider, kept for the process.

It holds the current `domain.circuit.Breaker`, asks it before each send and tells it the
outcome, logs every change of state and shows the state as a metric. `/healthz` reads it.
Only outcomes that mean "the provider is unwell" count against it (see `domain.sending`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from herinnering import metrics
from herinnering.domain.circuit import Breaker, BreakerPolicy, CircuitState
from herinnering.domain.sending import SendOutcome, Unknown

log = logging.getLogger(__name__)


class ProviderCircuit:
    def __init__(self, window: int = 20, cool_down_seconds: float = 30.0) -> None:
        self.breaker = Breaker(BreakerPolicy(window, timedelta(seconds=cool_down_seconds)))
        _show(self.breaker.state)

    @property
    def state(self) -> CircuitState:
        return self.breaker.state

    def blocks(self, now: datetime) -> bool:
        return self.breaker.blocks(now)

    def admit(self, now: datetime) -> bool:
        self.breaker, allowed = self._changed(self.breaker.admit(now))
        return allowed

    def record(self, outcome: SendOutcome | None, now: datetime) -> None:
        """The outcome of an admitted call; None when nothing was sent after all."""
        if outcome is None:
            self.breaker = self.breaker.release()
            return
        self.breaker = self._changed((self.breaker.record(not isinstance(outcome, Unknown), now), True))[0]

    def _changed(self, result: tuple[Breaker, bool]) -> tuple[Breaker, bool]:
        new, allowed = result
        if new.state is not self.breaker.state:
            log.warning("provider circuit %s -> %s", self.breaker.state.value, new.state.value)
            _show(new.state)
        return new, allowed


def _show(current: CircuitState) -> None:
    for state in CircuitState:
        metrics.PROVIDER_CIRCUIT.labels(state=state.value).set(1 if state is current else 0)
