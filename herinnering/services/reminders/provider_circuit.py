"""The dispatcher's circuit breaker around the provider, kept for the process and shared
with the fleet.

It holds the current `domain.circuit.Breaker`, asks it before each send and tells it the
outcome, logs every change of state and shows the state as a metric. Only outcomes that mean
"the provider is unwell" count against it (see `domain.sending`). Every change is written to
the database (`publish`, `adapters.db.circuit_store`): other workers pause while it is open,
and `/healthz` on the web process reports it (`fleet_state`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from herinnering import metrics
from herinnering.adapters.db import circuit_store
from herinnering.adapters.db.engine import Database
from herinnering.domain.reminders.circuit import Breaker, BreakerPolicy, CircuitState
from herinnering.domain.reminders.sending import SendOutcome, Unknown

log = logging.getLogger(__name__)
PROVIDER = "twilio"


def fleet_state(row: Any, cool_down: timedelta, now: datetime) -> CircuitState:
    """What the fleet's stored circuit means at `now`: open while its cool-down lasts, then
    half-open (the next call is a probe); closed when no worker ever wrote one."""
    if row is None:
        return CircuitState.CLOSED
    state = CircuitState(row.state)
    if state is CircuitState.OPEN and row.opened_at is not None and now - row.opened_at >= cool_down:
        return CircuitState.HALF_OPEN
    return state


class ProviderCircuit:
    def __init__(self, window: int = 20, cool_down_seconds: float = 30.0) -> None:
        self.breaker = Breaker(BreakerPolicy(window, timedelta(seconds=cool_down_seconds)))
        self.unpublished = False  # the state changed since it was last written for the fleet
        _show(self.breaker.state)

    @property
    def cool_down(self) -> timedelta:
        return self.breaker.policy.cool_down

    async def publish(self, db: Database, worker: str, now: datetime) -> None:
        """Write the current state for the fleet (after a change)."""
        self.unpublished = False
        async with db.begin() as connection:
            await circuit_store.publish(connection, PROVIDER, self.breaker.state.value, self.breaker.opened_at,
                                        worker, now)

    async def fleet(self, db: Database, now: datetime) -> tuple[CircuitState, str | None]:
        """The fleet's state and the worker that set it."""
        async with db.begin() as connection:
            row = await circuit_store.read(connection, PROVIDER)
        return fleet_state(row, self.cool_down, now), (row.changed_by if row is not None else None)

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
            self.unpublished = True
        return new, allowed


def _show(current: CircuitState) -> None:
    for state in CircuitState:
        metrics.PROVIDER_CIRCUIT.labels(state=state.value).set(1 if state is current else 0)
