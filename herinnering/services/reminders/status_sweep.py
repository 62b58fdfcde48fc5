"""Use case: ask the provider about messages still `sent` long after they went out.

Twilio does not retry a status callback: one that arrives while the web process or the
database is down is gone, and the message would stay `sent` for good (and a WhatsApp message
that failed with 63016 would never get its SMS). So each sending process, on a schedule, takes
messages with no news for `[dispatch] status_sweep_after_seconds`, fetches each from the
provider (official client, Messages fetch by SID) and applies what it says exactly as a
callback would (`services.status.record_status`, which also starts the WhatsApp fallback).
Each message is settled on its own: one that cannot be asked is logged and tried next time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from herinnering.adapters.db import outbox
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.domain.reminders.states import PROVIDER_STATUS, MessageState
from herinnering.logging_setup import describe_error
from herinnering.runtime import Runtime
from herinnering.services.reminders.status import record_status

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    asked: int = 0
    moved: int = 0
    still_open: int = 0
    unknown: int = 0   # the provider does not know the SID
    errors: int = 0


async def sweep(runtime: Runtime, sender: TwilioSender, *, limit: int = 500) -> SweepReport:
    settings = runtime.settings
    now = runtime.clock.now()
    before = now - timedelta(seconds=settings.dispatch.status_sweep_after_seconds)
    async with runtime.db.begin() as connection:
        quiet = await outbox.quiet_sent(connection, before, limit)
    report = SweepReport()
    for message in quiet:
        report.asked += 1
        try:
            found = await sender.fetch_status(message.provider_sid)
            if found is None:
                report.unknown += 1
                log.warning("message %s: the provider does not know %s", message.id, message.provider_sid)
                status = "unknown at provider"
            else:
                status, code = found
                if PROVIDER_STATUS.get(status) not in (None, MessageState.SENT):
                    if await record_status(runtime.db, runtime.clock, message_id=message.id, sid=message.provider_sid,
                                           status=status, error_code=code, settings=settings):
                        report.moved += 1
                    continue
                report.still_open += 1
            async with runtime.db.begin() as connection:  # asked: the next question after another wait
                await outbox.touch_sent(connection, message.id, runtime.clock.now(), status)
        except Exception as exc:  # one message's trouble never stops the rest of the sweep
            report.errors += 1
            log.warning("status of message %s not swept: %s", message.id, describe_error(exc))
    if report.asked:
        log.info("status sweep: %d asked, %d moved, %d still open, %d unknown, %d errors", report.asked,
                 report.moved, report.still_open, report.unknown, report.errors)
    return report


async def sweep_job(runtime: Runtime, sender: TwilioSender) -> None:
    """The scheduler's job: one process sweeps at a time (the work is idempotent anyway)."""
    async with runtime.db.try_lock("status-sweep") as mine:
        if mine:
            await sweep(runtime, sender)
