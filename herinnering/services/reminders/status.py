"""Use case: a delivery status report from the provider.

Callbacks come out of order and more than once; the state machine decides whether a report
moves the message forward. An unknown message is acknowledged and ignored. On PostgreSQL the
common report (sent, delivered) goes through a `StatusWriter`: one statement — find, move
forward only, learn the SID, append the event — for every report waiting, sent without
BEGIN/COMMIT: one round trip, durable before anyone is answered. A failure report takes the
transaction below, because it may start a fallback.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, outbox
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.engine import Database
from herinnering.clock import Clock
from herinnering.config import Settings
from herinnering.domain.reminders.states import PROVIDER_STATUS, MessageState
from herinnering.services.reminders import whatsapp
from herinnering.services.reminders.batching import Batcher

log = logging.getLogger(__name__)


async def record_status(
    db: Database, clock: Clock, *, message_id: int | None, sid: str, status: str, error_code: int | None,
    settings: Settings | None = None, writer: StatusWriter | None = None,
) -> bool:
    """Apply a status report; returns whether the message's state moved. With `settings`, a
    failed WhatsApp message gets its fallback (SMS or an officer task: services/reminders/whatsapp.py).
    With a `writer` (PostgreSQL), a sent or delivered report goes through it."""
    target = PROVIDER_STATUS.get(status)
    if target is None:
        return False
    now = clock.now()
    if writer is not None and target in outbox.FORWARD_STATUSES:
        return await writer.write(message_id, sid, status, target)
    async with db.begin() as connection:
        message = await outbox.get(connection, message_id) if message_id is not None else None
        if message is None or (message.provider_sid not in (None, sid)):
            message = await outbox.get_by_sid(connection, sid)
        if message is None:  # not ours, or from before a restore: acknowledged so Twilio stops retrying
            log.warning("status %s for unknown message %s acknowledged and ignored", status, sid)
            return False
        fields: dict[str, Any] = {"provider_status": status}  # column values, as outbox.move takes them
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


Report = tuple[int | None, str, MessageState, str]  # (our message id, SID, target state, provider status)


class StatusWriter:
    """Sent and delivered reports on PostgreSQL, written together (`services.batching`): every
    report waiting goes in one statement (`outbox.apply_statuses`), each caller answered after
    its commit. A report naming a message already in the batch waits for the next one."""

    def __init__(self, db: Database, clock: Clock, max_batch: int = 500) -> None:
        self.db = db
        self.clock = clock
        self.batcher: Batcher[Report, bool] = Batcher(self._write, max_batch=max_batch, keys=_names)

    async def write(self, message_id: int | None, sid: str, status: str, target: MessageState) -> bool:
        return await self.batcher.submit((message_id, sid, target, status))

    async def _write(self, reports: list[Report]) -> list[bool]:
        now = self.clock.now()

        async def apply(connection: AsyncConnection) -> list[tuple[int | None, bool, bool]]:
            return await outbox.apply_statuses(connection, reports, now)

        results = await self.db.run(apply, single_statement=True)  # safe to repeat: forward only
        for (_, sid, _, status), (found, moved, sid_was_empty) in zip(reports, results, strict=True):
            if found is None:
                log.warning("status %s for unknown message %s acknowledged and ignored", status, sid)
            elif sid_was_empty and not moved:  # rare: a report for a message that cannot move, whose SID we lacked
                await self._learn_sid(found, sid, now)
        return [moved for _, moved, _ in results]

    async def _learn_sid(self, message_id: int, sid: str, now: datetime) -> None:
        async def learn(connection: AsyncConnection) -> None:
            await outbox.fill_missing(connection, message_id, now, provider_sid=sid)

        await self.db.run(learn)


def _names(report: Report) -> set[tuple[str, object]]:
    message_id, sid = report[0], report[1]
    return {("sid", sid)} | ({("m", message_id)} if message_id is not None else set())
