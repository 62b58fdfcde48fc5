"""Putting one collection message in the outbox: a ladder rung, an instalment reminder, a word
about a changed arrangement. The dispatcher sends it; planning it once per key is what makes a
repeated tick or a second process harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, message_store, outbox
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates
from herinnering.domain.reminders.planning import next_window_opening, next_working_send_moment
from herinnering.domain.reminders.states import MessageState
from herinnering.runtime import Runtime


async def plan_message(
    connection: AsyncConnection, runtime: Runtime, tenant: Row[Any], kind: str, period: str, key: str,
    context: dict[str, Any], now: datetime, send_at: datetime | None = None, *, rest_days: bool = False,
) -> int | None:
    """Put one message in the outbox (once per key) for the dispatcher; returns its id. With
    `rest_days`, never on a Sunday or public holiday (the ladder's messages about arrears)."""
    rules = runtime.settings.reminders.planning_rules()
    start = max(now, send_at or now)
    moment = next_working_send_moment(start, rules) if rest_days else next_window_opening(start, rules)
    row = {
        "tenant_id": tenant.id, "kind": kind, "period": period, "idempotency_key": key, "channel": tenant.channel,
        "template": MessageTemplates.name(kind, tenant.channel, tenant.language), "variant": "default",
        "state": MessageState.PLANNED.value, "send_at": moment, "not_after": None, "attempts": 0,
        "context": context, "created_at": now, "updated_at": now,
    }
    new = await outbox.insert_planned(connection, [row])
    if new:
        await event_log.append(connection, [event_log.event(tenant.id, "message_planned", now, new[0].id,
                                                            kind=kind, period=period)])
        return int(new[0].id)
    return await message_store.id_by_key(connection, key)
