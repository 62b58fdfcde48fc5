"""Use case: record the provider's answer to a send, each answer's state change guarded by the
state machine's table (`outbox.move`, `outbox.mark_sent`), so a late or repeated answer never
moves a message backwards and nothing is sent twice.

An acceptance is recorded together with the others that arrive meanwhile (one statement for
many, `record_accepted`); a rejection fails the message (and a provider's unsubscribe marks
every tenant who shares the number as opted out); a temporary error puts it back for a later
attempt by the retry policy; an unknown outcome leaves it in `sending` for reconciliation
(services/reminders/reconciliation.py) to look up before anything is re-sent. A message
belonging to an experiment exposes its tenant only when the provider accepted it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herinnering import metrics
from herinnering.adapters.db import AsyncConnection, Row, outbox, tenant_store, thread_store
from herinnering.adapters.db import events as event_log
from herinnering.domain.reminders.sending import (
    Accepted,
    Halt,
    Rejected,
    RetryLater,
    SendOutcome,
    Unknown,
)
from herinnering.domain.reminders.states import MessageState
from herinnering.domain.reminders.whatsapp import FALLBACK_CODES
from herinnering.services.experiments import experiments
from herinnering.services.reminders import whatsapp

if TYPE_CHECKING:
    from herinnering.services.reminders.dispatch import Dispatcher, TickReport

S = MessageState
NO_ANSWER = "no answer"  # provider_status while a send's outcome is unknown (5xx, timeout, reset)


async def answer(dispatcher: Dispatcher, message: Row[Any], outcome: SendOutcome, report: TickReport) -> None:
    """The provider's answer to a send: an acceptance is recorded together with the others
    that arrive meanwhile (`record_accepted`), anything else on its own (`record`)."""
    if isinstance(outcome, Accepted):
        metrics.SENDS.labels(outcome="accepted").inc()
        await dispatcher.accepted.submit((message, outcome))
        report.sent += 1
    else:
        await record(dispatcher, message, outcome, report)


async def record_accepted(dispatcher: Dispatcher, answers: list[tuple[Row[Any], Accepted]]) -> list[None]:
    """Many provider acceptances at once: one statement moves them all to sent and appends
    their events (`outbox.mark_sent`; without BEGIN/COMMIT on PostgreSQL); when some belong
    to an experiment, their exposures go in the same transaction."""
    rt = dispatcher.rt
    now = rt.clock.now()
    rows = [(m.id, m.tenant_id, a.sid, a.status) for m, a in answers]
    if all(m.variant in (None, experiments.DEFAULT_VARIANT) for m, _ in answers):
        async def mark(connection: AsyncConnection) -> None:
            await outbox.mark_sent(connection, dispatcher.worker, rows, now)

        await rt.db.run(mark, single_statement=True, retry=False)  # its events are not safe to repeat
    else:
        async with rt.db.begin() as connection:
            await outbox.mark_sent(connection, dispatcher.worker, rows, now)
            await experiments.record_exposures(connection, dispatcher.settings, [(m, now) for m, _ in answers])
    return [None] * len(answers)


async def record(dispatcher: Dispatcher, message: Row[Any], outcome: SendOutcome, report: TickReport) -> None:
    """One answer on its own: a rejection, a retry, an unknown outcome, a halt, or an
    acceptance found by reconciliation."""
    rt = dispatcher.rt
    now = rt.clock.now()
    metrics.SENDS.labels(outcome=type(outcome).__name__.lower()).inc()
    if not isinstance(outcome, Accepted):
        metrics.PROVIDER_ERRORS.labels(code=str(outcome.code)).inc()
    match outcome:
        case Accepted(sid, status):
            async with rt.db.begin() as connection:
                moved = await outbox.move(connection, message.id, S.SENT, now, owner=dispatcher.worker,
                                          provider_sid=sid, provider_status=status,
                                          error_code=None, error_message=None)
                if not moved:  # a delivery callback overtook us: keep its state, add the SID
                    await outbox.fill_missing(connection, message.id, now, provider_sid=sid, sent_at=now)
                await event_log.append(connection, [
                    event_log.event(message.tenant_id, "message_sent", now, message.id, sid=sid)
                ])
                await experiments.record_exposure(connection, dispatcher.settings, message, now)  # sent, not planned
            report.sent += 1
        case Rejected(code, text):
            await fail(dispatcher, message, code, text, report, opted_out=outcome.opted_out)
        case RetryLater(code, text):
            at = dispatcher.policy.next_attempt(message.attempts, now, outcome.retry_after, dispatcher.jitter.random())
            if at is None:
                await fail(dispatcher, message, code, f"gave up after {message.attempts} attempts: {text}", report)
            else:
                await release(dispatcher, message, count_attempt=True, at=at, error_code=code, error_message=text)
                report.retried += 1
        case Unknown(code, text):
            async with rt.db.begin() as connection:
                await outbox.update_fields(
                    connection, message.id, error_code=code, error_message=text, provider_status=NO_ANSWER,
                    next_attempt_at=now + dispatcher.policy.delay(message.attempts), updated_at=now,
                )
                await event_log.append(connection, [
                    event_log.event(message.tenant_id, "send_outcome_unknown", now, message.id, code=code)
                ])
            report.unknown += 1
        case Halt(code, text):
            await release(dispatcher, message, count_attempt=False, error_code=code, error_message=text)


async def fail(
    dispatcher: Dispatcher, message: Row[Any], code: int | None, text: str, report: TickReport, *,
    opted_out: bool = False,
) -> None:
    rt = dispatcher.rt
    now = rt.clock.now()
    async with rt.db.begin() as connection:
        await outbox.move(connection, message.id, S.FAILED, now, owner=dispatcher.worker,
                          error_code=code, error_message=text)
        log_rows = [event_log.event(message.tenant_id, "message_failed", now, message.id, code=code)]
        for holder in await _holders_of_number(connection, message) if opted_out else ():  # a shared phone too
            if await tenant_store.set_opted_out(connection, holder, now):
                log_rows.append(event_log.event(holder, "tenant_opted_out", now, source="provider", code=code))
        await event_log.append(connection, log_rows)
        if code in FALLBACK_CODES:  # WhatsApp refused at once (usually it says so in a status callback)
            await whatsapp.after_failure(connection, dispatcher.settings, await outbox.get(connection, message.id),
                                         code, now)
    report.failed += 1


async def release(dispatcher: Dispatcher, message: Row[Any], *, count_attempt: bool, at: Any = None,
                  **fields: Any) -> None:
    """Back to planned, for this worker or another to claim again (`at`: not before then)."""
    rt = dispatcher.rt
    now = rt.clock.now()
    attempts = message.attempts if count_attempt else message.attempts - 1
    async with rt.db.begin() as connection:
        await outbox.move(connection, message.id, S.PLANNED, now, owner=dispatcher.worker,
                          attempts=attempts, next_attempt_at=at, **fields)


async def _holders_of_number(connection: AsyncConnection, message: Row[Any]) -> list[int]:
    """Every tenant with the number this message went to: the provider's unsubscribe (21610) is the
    phone's, so it holds for each contract that shares it."""
    holders = {message.tenant_id} if message.tenant_id is not None else set()
    stored = await outbox.get(connection, message.id)  # the address is stored just before sending
    if stored is not None and stored.recipient:
        holders.update(await thread_store.tenant_ids_by_phone(connection, stored.recipient.removeprefix("whatsapp:")))
    return sorted(holders)
