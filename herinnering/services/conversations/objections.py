"""Who hears that a tenant objects, in a conversation, to their data going to the municipality.

The keyword bot (BEZWAAR, `inbound`) and an officer in the inbox (`threads`) *publish* a
`TenantObjected` here; `bootstrap` wires the early-warning gate as its subscriber, which records
the objection on every open case, so no Wgs signal goes out for them (issue 11). Conversations
import nothing of the legal steps to tell them, and the legal steps nothing of conversations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection


@dataclass(frozen=True)
class TenantObjected:
    tenant_id: int
    channel: str        # sms, whatsapp, phone, desk, … as the objection came in
    text: str           # what the tenant said (kept with the MVI step, never in an event)
    by: str             # "tenant", or the officer who wrote it down
    key: str            # makes it once: the inbound MessageSid, or the inbox action
    occurred_at: datetime


ObjectionHandler = Callable[[AsyncConnection, TenantObjected], Awaitable[list[dict[str, Any]]]]

_subscribers: tuple[ObjectionHandler, ...] = ()


def subscribe(*handlers: ObjectionHandler) -> None:
    """Set who hears of an objection (`bootstrap` does, once)."""
    global _subscribers
    _subscribers = handlers


async def publish(connection: AsyncConnection, objection: TenantObjected) -> list[dict[str, Any]]:
    """Tell every subscriber, in the caller's transaction; returns the timeline events they
    made, for the caller to append with its own."""
    if not _subscribers:  # an objection nobody records would let the signal go out
        raise RuntimeError("no one hears of objections: import herinnering.bootstrap, which wires them")
    return [row for handler in _subscribers for row in await handler(connection, objection)]
