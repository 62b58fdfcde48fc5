"""Use case: a delivery status report from the provider.

Callbacks come out of order and more than once; the state machine decides whether a report
moves the message forward. An unknown message is acknowledged and ignored. On PostgreSQL the
common report (sent, delivered) goes through a `StatusWriter`: one statement — find, move
forward only, learn the SID, append the event — for every report waiting, sent without
BEGIN/COMMIT: one round trip, durable before anyone is answered. A failure report takes the
transaction below, because it may start a fallback.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

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
    settings: Settings | None = None, writer: StatusWriter | None = None,
) -> bool:
    """Apply a status report; returns whether the message's state moved. With `settings`, a
    failed WhatsApp message gets its fallback (SMS or an officer task: services/whatsapp.py).
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


class StatusWriter:
    """Sent and delivered reports on PostgreSQL, written together: reports that arrive while a
    write is in flight wait for it and then go as one statement (`outbox.apply_statuses`), so
    under load one round trip and one commit serve many callbacks, and when quiet each goes at
    once. Every caller is answered only after the commit of its own report. Reports naming a
    message already in the batch wait for the next one. A batch that fails is retried report
    by report, so one bad report fails alone."""

    def __init__(self, db: Database, clock: Clock, max_batch: int = 500) -> None:
        self.db = db
        self.clock = clock
        self.max_batch = max_batch
        self.pending: list[tuple[tuple[int | None, str, MessageState, str], asyncio.Future[bool]]] = []
        self.writing = False

    async def write(self, message_id: int | None, sid: str, status: str, target: MessageState) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.pending.append(((message_id, sid, target, status), future))
        if not self.writing:
            self.writing = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.pending:
                batch, later, names = [], [], set()
                for item in self.pending:
                    keys = {("m", item[0][0]), ("sid", item[0][1])} - {("m", None)}
                    if len(batch) < self.max_batch and not keys & names:
                        batch.append(item)
                        names |= keys
                    else:
                        later.append(item)
                self.pending = later
                await self._write(batch, self.clock.now())
        finally:
            self.writing = False

    async def _write(self, batch: list[tuple[tuple[int | None, str, MessageState, str], asyncio.Future[bool]]],
                     now: datetime) -> None:
        reports = [report for report, _ in batch]

        async def apply(connection: AsyncConnection) -> list[tuple[int | None, bool, bool]]:
            return await outbox.apply_statuses(connection, reports, now)

        try:
            results = await self.db.run(apply, single_statement=True)  # safe to repeat: forward only
        except Exception as exc:  # noqa: BLE001 - retried one by one below, each failing on its own
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for item in batch:
                await self._write([item], now)
            return
        for (report, future), (found, moved, sid_was_empty) in zip(batch, results, strict=True):
            try:
                if found is None:
                    log.warning("status %s for unknown message %s acknowledged and ignored", report[3], report[1])
                elif sid_was_empty and not moved:  # rare: a report for a message that cannot move, whose SID we lacked
                    await self._learn_sid(found, report[1], now)
            except Exception as exc:  # noqa: BLE001 - that caller gets the error, the others their answer
                future.set_exception(exc)
            else:
                future.set_result(moved)

    async def _learn_sid(self, message_id: int, sid: str, now: datetime) -> None:
        async def learn(connection: AsyncConnection) -> None:
            await outbox.fill_missing(connection, message_id, now, provider_sid=sid)

        await self.db.run(learn)
