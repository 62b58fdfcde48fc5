"""Who hears of a stored payment change: payments and links *publish* here, `bootstrap` wires
the subscribers (the case, the instalments, the step after a returned debit, the experiment
outcome), so the publisher imports none of them and none of them imports the publisher.

Each subscriber has a one-change form and may have a batch form that leaves the same rows and
events for a round of distinct tenants while reading what it needs in a few statements.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from herinnering.adapters.db import AsyncConnection
from herinnering.config import Settings
from herinnering.domain.payments.payments import PaymentChange

PaymentHandler = Callable[[AsyncConnection, Settings, PaymentChange], Awaitable[Any]]
PaymentBatchHandler = Callable[[AsyncConnection, Settings, Sequence[PaymentChange]], Awaitable[Any]]


@dataclass(frozen=True)
class Subscriber:
    one: PaymentHandler
    batch: PaymentBatchHandler | None = None  # None: the round is handled change by change


_subscribers: tuple[Subscriber, ...] = ()


def subscribe(*subscribers: Subscriber) -> None:
    """Set who hears of payment changes, in the order they run (`bootstrap` does, once)."""
    global _subscribers
    _subscribers = subscribers


def subscribers() -> tuple[Subscriber, ...]:
    if not _subscribers:  # a payment stored without its case would be silently wrong
        raise RuntimeError("no one hears of payment changes: import herinnering.bootstrap, which wires them")
    return _subscribers


async def publish_payment(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Tell every subscriber about one stored payment change, in the caller's transaction."""
    for subscriber in subscribers():
        await subscriber.one(connection, settings, change)


async def publish_payments(connection: AsyncConnection, settings: Settings, changes: Sequence[PaymentChange]) -> None:
    """Tell every subscriber about stored changes of distinct tenants, in the caller's
    transaction: the same as `publish_payment` for each in turn (one tenant's changes never
    meet in one call, and different tenants' changes touch different rows)."""
    if not changes:
        return
    assert len({change.tenant_id for change in changes}) == len(changes), "one change per tenant in a round"
    for subscriber in subscribers():
        if subscriber.batch is not None:
            await subscriber.batch(connection, settings, changes)
        else:
            for change in changes:
                await subscriber.one(connection, settings, change)
