"""Use case: settle messages whose send outcome is unknown, one at a time, each on its own.

A 5xx, a timeout or a worker that died leaves a message in `sending`. Before anything is sent
again the provider is asked; `domain.reconciliation` decides which provider message (if any)
is this one's, so a SID another message holds is never taken. Each message is settled in its
own transactions: a lookup that fails, or a row that cannot be written, is logged (without the
SQL parameters) and left for a later tick, and never stops the messages behind it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from herinnering.adapters.db import Row, outbox
from herinnering.domain.reminders.reconciliation import (
    Absent,
    Candidate,
    Claimant,
    Found,
    Undecided,
    pick,
)
from herinnering.domain.reminders.sending import Accepted
from herinnering.logging_setup import describe_error
from herinnering.services.reminders import answers
from herinnering.services.reminders.answers import NO_ANSWER

if TYPE_CHECKING:
    from herinnering.services.reminders.dispatch import Dispatcher, TickReport

log = logging.getLogger(__name__)


async def settle_unknown(dispatcher: Dispatcher, report: TickReport) -> None:
    """Look up, at the provider, messages whose send outcome is unknown; resend only if absent."""
    rt = dispatcher.rt
    now = rt.clock.now()
    stalled_before = now - timedelta(seconds=dispatcher.settings.dispatch.stall_seconds)
    async with rt.db.begin() as connection:
        stuck = await outbox.claim_unsettled(connection, dispatcher.worker, now, stalled_before,
                                             dispatcher.settings.dispatch.batch_size)
    batch = {message.id for message in stuck}
    for message in stuck:
        try:
            await settle(dispatcher, message, batch, stalled_before, report)
        except Exception as exc:  # one message's trouble never stops the rest of the tick
            log.warning("message %s left unsettled for a later tick: %s", message.id, describe_error(exc))


def _settling(row: Row[Any], batch: set[int], now: datetime, stalled_before: datetime) -> bool:
    """Whether a message's outcome is being looked up (rather than sent by a live worker)."""
    if row.id in batch:
        return True
    retry_due = row.next_attempt_at is not None and row.next_attempt_at <= now
    return retry_due or (row.claimed_at is not None and row.claimed_at <= stalled_before)


def _attempted(row: Row[Any]) -> datetime:
    # rows claimed before `attempted_at` existed: the day before creation, as generous as before
    attempted: datetime = row.attempted_at if row.attempted_at is not None else row.created_at - timedelta(days=1)
    return attempted


async def verdict(dispatcher: Dispatcher, message: Row[Any], batch: set[int],
                  stalled_before: datetime) -> Absent | Found | Undecided:
    rt = dispatcher.rt
    if message.body is None or message.recipient is None:
        return Absent()  # never rendered, so never handed to the provider
    _, sender = dispatcher.sender.address(message.channel, message.recipient.removeprefix("whatsapp:"))
    async with rt.db.begin() as connection:
        rows = await outbox.awaiting_sid(connection, message.recipient, message.body)
    if not any(row.id == message.id for row in rows):
        rows.append(message)
    now = rt.clock.now()
    claimants = [Claimant(row.id, _attempted(row), _settling(row, batch, now, stalled_before)) for row in rows]
    since = min(claimant.attempted_at for claimant in claimants) - timedelta(minutes=5)
    found = await dispatcher.sender.candidates(message.recipient, sender, message.body, since)
    async with rt.db.begin() as connection:
        held = await outbox.stored_sids(connection, [sid for sid, _ in found])
    candidates = [Candidate(sid, created) for sid, created in found if sid not in held]
    return pick(message.id, claimants, candidates)


async def settle(dispatcher: Dispatcher, message: Row[Any], batch: set[int], stalled_before: datetime,
                 report: TickReport) -> None:
    outcome = await verdict(dispatcher, message, batch, stalled_before)
    report.reconciled += 1
    # A claim whose worker died before the provider took the message was no attempt at all:
    # only a call the provider left unanswered uses one up (a crash loop ends at expiry).
    tried = message.provider_status == NO_ANSWER
    match outcome:
        case Found(sid):
            await answers.record(dispatcher, message, Accepted(sid, "reconciled"), report)
        case Undecided(reason):
            log.info("message %s not settled yet: %s", message.id, reason)
            now = dispatcher.rt.clock.now()
            async with dispatcher.rt.db.begin() as connection:  # ask again after the usual delay
                await outbox.update_fields(connection, message.id, updated_at=now,
                                           next_attempt_at=now + dispatcher.policy.delay(message.attempts))
        case Absent() if tried and message.attempts >= dispatcher.policy.max_attempts:
            await answers.fail(dispatcher, message, message.error_code, "not sent after the last attempt", report)
        case Absent():
            await answers.release(dispatcher, message, count_attempt=tried, at=None, provider_status=None)
