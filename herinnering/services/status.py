"""Use case: a delivery status report from the provider.

Callbacks come out of order and more than once; the state machine decides whether a report
moves the message forward. An unknown message is acknowledged and ignored.
"""

from __future__ import annotations

import logging

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox
from herinnering.adapters.db.engine import Database
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.states import PROVIDER_STATUS, MessageState
from herinnering.services import whatsapp

log = logging.getLogger(__name__)


async def record_status(
    db: Database, clock: Clock, *, message_id: int | None, sid: str, status: str, error_code: int | None,
    settings: Settings | None = None,
) -> bool:
    """Apply a status report; returns whether the message's state moved. With `settings`, a
    failed WhatsApp message gets its fallback (SMS or an officer task: services/whatsapp.py)."""
    target = PROVIDER_STATUS.get(status)
    if target is None:
        return False
    now = clock.now()
    async with db.begin() as connection:
        message = await outbox.get(connection, message_id) if message_id is not None else None
        if message is None or (message.provider_sid not in (None, sid)):
            message = await outbox.get_by_sid(connection, sid)
        if message is None:  # not ours, or from before a restore: acknowledged so Twilio stops retrying
            log.warning("status %s for unknown message %s acknowledged and ignored", status, sid)
            return False
        fields: dict[str, object] = {"provider_status": status}
        if target is MessageState.FAILED:
            fields.update(error_code=error_code, error_message=f"provider status {status}")
        moved = await outbox.move(connection, message.id, target, now, **fields)
        await outbox.fill_missing(connection, message.id, now, provider_sid=sid)
        if moved:
            await event_log.append(connection, [
                event_log.event(message.tenant_id, f"message_{target.value}", now, message.id,
                                provider_status=status, code=error_code)
            ])
            if target is MessageState.FAILED and settings is not None:
                await whatsapp.after_failure(connection, settings, message, error_code, now)
        return moved
