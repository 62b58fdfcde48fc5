"""Use case: send what is due, exactly once, never at night, never to someone who said STOP.

One tick: cancel reminders whose moment has passed, settle messages whose outcome is unknown
(look them up at the provider before anything is re-sent), and — inside the send window —
claim a batch of due messages, check each tenant again, render and store the texts (all in
the claim's transaction), send, and record the acceptances of many sends together (one
statement, `outbox.mark_sent`). The next batch is claimed while the last sends of this one
are in flight; one semaphore keeps `concurrency` calls in flight per worker. Every decision
about a provider answer comes from `domain.sending`; every state change is guarded by the
state machine's table (`outbox.move`, `outbox.mark_sent`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from herinnering import metrics
from herinnering.adapters.db import AsyncConnection, Row, outbox, tenant_store, thread_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import long_date, money
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.bootstrap import Runtime
from herinnering.domain.payments.methods import stale_reminder
from herinnering.domain.reminders.circuit import CircuitState
from herinnering.domain.reminders.kinds import kinds_outside_window, policy
from herinnering.domain.reminders.planning import in_send_window
from herinnering.domain.reminders.retry import RetryPolicy
from herinnering.domain.reminders.sending import (
    Accepted,
    Halt,
    Rejected,
    RetryLater,
    SendOutcome,
    Unknown,
)
from herinnering.domain.reminders.sms import measure
from herinnering.domain.reminders.states import MessageState
from herinnering.domain.reminders.whatsapp import FALLBACK_CODES
from herinnering.errors import ProviderError, TemplateError
from herinnering.services.experiments import experiments
from herinnering.services.reminders import reconciliation, whatsapp
from herinnering.services.reminders.batching import Batcher
from herinnering.services.reminders.reconciliation import NO_ANSWER
from herinnering.services.reminders.throttle import Throttle

log = logging.getLogger(__name__)
S = MessageState


@dataclass(frozen=True)
class Text:
    """A text rendered and stored with its batch, ready to go."""

    to: str
    sender: str
    body: str
    segments: int
    content: Any = None  # a WhatsApp template: (content SID, variables)


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0
    cancelled: int = 0
    reconciled: int = 0
    quiet: bool = False
    halted: str | None = None
    paused: bool = False  # the provider circuit is open: nothing was sent


class Dispatcher:
    """One worker. Several may run side by side, in one process or many."""

    def __init__(self, runtime: Runtime, worker_id: str) -> None:
        self.rt = runtime
        self.worker = worker_id
        self.settings = runtime.settings
        self.sender: TwilioSender = runtime.require_sender()
        dispatch = self.settings.dispatch
        self.policy = RetryPolicy(dispatch.max_attempts, dispatch.retry_base_seconds, dispatch.retry_max_seconds)
        self.throttle = Throttle(dispatch.rate_per_second)
        self.circuit = runtime.circuit  # pauses sending while the provider is unwell
        self.jitter = random.Random()
        self.rules = self.settings.reminders.planning_rules()
        self.gate = asyncio.Semaphore(dispatch.concurrency)
        self.accepted: Batcher[tuple[Row[Any], Accepted], None] = Batcher(
            self._record_accepted, max_batch=dispatch.batch_size, keys=lambda answer: (answer[0].id,))

    def callback_url(self, message_id: int) -> str:
        return f"{self.settings.server.public_url}/webhooks/twilio/status?m={message_id}"

    async def tick(self, launched: asyncio.Event | None = None) -> TickReport:
        """One batch: claim, prepare, send, record. `launched` is set once every message of the
        batch is on its way (or there is nothing to send): the next batch may be claimed then,
        while this one's last sends are still in flight."""
        try:
            return await self._tick(launched)
        finally:
            if launched is not None:
                launched.set()

    async def _tick(self, launched: asyncio.Event | None) -> TickReport:
        report = TickReport()
        await self.expire(report)
        if self.circuit.blocks(self.rt.clock.now()) or await self.fleet_paused():
            report.paused = True  # most recent calls failed: wait out the cool-down, call nobody
            return report
        await self.settle_unknown(report)
        now = self.rt.clock.now()
        kinds = None
        if not in_send_window(now, self.rules):
            report.quiet = True
            kinds = kinds_outside_window()  # replies may go out; reminders wait for the window
        async with self.rt.db.begin() as connection:  # claim, check, render and store the texts: one transaction
            claimed = await outbox.claim_due(connection, self.worker, now, self.settings.dispatch.batch_size, kinds)
            tenants = await outbox.with_tenants(connection, [m.id for m in claimed])
            ready, broken = await self.prepare_batch(connection, claimed, tenants, report)
        report.claimed = len(claimed)
        for message, problem in broken:
            await self.fail(message, None, problem, report)
        halted = asyncio.Event()
        waiting = len(ready)
        if launched is not None and not waiting:
            launched.set()

        async def one(message: Row[Any], text: Text) -> None:
            nonlocal waiting
            if not halted.is_set():  # paced before taking a slot: a send waiting for the rate holds none
                await self.throttle.acquire(text.segments)
            async with self.gate:  # shared by overlapping batches: `concurrency` sends in flight at most
                waiting -= 1
                if launched is not None and not waiting:
                    launched.set()
                if halted.is_set() or not self.circuit.admit(self.rt.clock.now()):
                    await self.release(message, count_attempt=False)
                    return
                outcome: SendOutcome | None = None
                try:
                    outcome = await self.send_text(message, text, report)
                finally:
                    self.circuit.record(outcome, self.rt.clock.now())
                    if self.circuit.unpublished:  # the fleet (and /healthz) learn every change
                        await self.circuit.publish(self.rt.db, self.worker, self.rt.clock.now())
                if isinstance(outcome, Halt):
                    report.halted = outcome.message
                    halted.set()

        async with asyncio.TaskGroup() as group:
            for message, text in ready:
                group.create_task(one(message, text))
        if report.halted:
            raise ProviderError(f"sending stopped: {report.halted}")
        return report

    async def fleet_paused(self) -> bool:
        """Another worker found the provider unwell and is still cooling down: pause too."""
        state, by = await self.circuit.fleet(self.rt.db, self.rt.clock.now())
        if state is CircuitState.HALF_OPEN and self.circuit.state is CircuitState.CLOSED:
            self.circuit.unpublished = True  # cooled down: our next answer tells the fleet how the provider is
        return state is CircuitState.OPEN and by != self.worker

    async def prepare_batch(
        self, connection: AsyncConnection, claimed: list[Row[Any]], tenants: dict[int, Row[Any]], report: TickReport,
    ) -> tuple[list[tuple[Row[Any], Text]], list[tuple[Row[Any], str]]]:
        """Inside the claim's transaction: cancel what may not go (inactive, STOP, pause), choose
        the channel and form (WhatsApp's rules), render the texts and store them in one statement —
        stored before sending, because reconciliation matches on them. Returns what to send,
        with its text, and what failed to render."""
        now = self.rt.clock.now()
        ready: list[tuple[Row[Any], Text]] = []
        broken: list[tuple[Row[Any], str]] = []
        stored: list[dict[str, Any]] = []
        logged: list[dict[str, Any]] = []
        for message in claimed:
            tenant = tenants.get(message.id)
            reason = self.why_not(message, tenant)
            if reason:
                if await outbox.move(connection, message.id, S.CANCELLED, now, owner=self.worker, error_message=reason):
                    logged.append(event_log.event(message.tenant_id, "message_cancelled", now, message.id,
                                                  reason=reason))
                report.cancelled += 1
                continue
            phone = tenant.phone if tenant is not None else message.recipient.removeprefix("whatsapp:")
            try:
                form = await whatsapp.prepare(self, message, tenant, connection)  # the channel and form WhatsApp allows now
                body = form.body or message.body or self.render(message, tenant, form.channel)
            except TemplateError as exc:
                broken.append((message, str(exc)))
                continue
            to, sender = self.sender.address(form.channel, phone)
            segments = measure(body).segments
            columns = dict(form.columns)
            if message.body is None and form.body is None:
                columns.update(body=body, recipient=to, segments=segments)
            if columns:
                stored.append({"id": message.id, **columns})
            logged.extend(form.events)
            ready.append((message, Text(to, sender, body, segments, form.content)))
        await outbox.store_columns(connection, stored)
        await event_log.append(connection, logged)
        return ready, broken

    async def send_text(self, message: Row[Any], text: Text, report: TickReport) -> SendOutcome | None:
        """Send a text prepared (and stored) with its batch, its turn under the rate already
        taken; an acceptance is recorded together with the others that arrive meanwhile,
        anything else on its own."""
        if policy(message.kind).respect_window and not in_send_window(self.rt.clock.now(), self.rules):
            await self.release(message, count_attempt=False)  # the window closed while the batch was sent
            return None
        outcome = await self.sender.send(text.to, text.sender, text.body, self.callback_url(message.id), text.content)
        await self.answer(message, outcome, report)
        return outcome

    async def _record_accepted(self, answers: list[tuple[Row[Any], Accepted]]) -> list[None]:
        """Many provider acceptances at once: one statement moves them all to sent and appends
        their events (`outbox.mark_sent`; without BEGIN/COMMIT on PostgreSQL); when some belong
        to an experiment, their exposures go in the same transaction."""
        now = self.rt.clock.now()
        rows = [(m.id, m.tenant_id, a.sid, a.status) for m, a in answers]
        if all(m.variant in (None, experiments.DEFAULT_VARIANT) for m, _ in answers):
            async def record(connection: AsyncConnection) -> None:
                await outbox.mark_sent(connection, self.worker, rows, now)

            await self.rt.db.run(record, single_statement=True, retry=False)  # its events are not safe to repeat
        else:
            async with self.rt.db.begin() as connection:
                await outbox.mark_sent(connection, self.worker, rows, now)
                await experiments.record_exposures(connection, self.settings, [(m, now) for m, _ in answers])
        return [None] * len(answers)

    async def run_until_idle(self, max_ticks: int = 1000) -> TickReport:
        """Tick until nothing more is due now (the demo and the `dispatch` command)."""
        total = TickReport()

        async def counted(launched: asyncio.Event) -> TickReport:
            report = await self.tick(launched)
            for name in ("claimed", "sent", "failed", "retried", "unknown", "cancelled", "reconciled"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.quiet = report.quiet
            return report

        async with asyncio.TaskGroup() as group:  # the next batch is claimed while the last one's tail is in flight
            for _ in range(max_ticks):
                launched = asyncio.Event()
                batch = group.create_task(counted(launched))
                await launched.wait()
                if batch.done() and batch.result().claimed == 0 and batch.result().reconciled == 0:
                    break
        return total

    async def expire(self, report: TickReport) -> None:
        now = self.rt.clock.now()
        async with self.rt.db.begin() as connection:
            expired = await outbox.expire_overdue(connection, now)
            await event_log.append(connection, [
                event_log.event(row.tenant_id, "message_cancelled", now, row.id, reason="expired") for row in expired
            ])
        report.cancelled += len(expired)

    async def release(self, message: Row[Any], *, count_attempt: bool, at: Any = None, **fields: Any) -> None:
        now = self.rt.clock.now()
        attempts = message.attempts if count_attempt else message.attempts - 1
        async with self.rt.db.begin() as connection:
            await outbox.move(connection, message.id, S.PLANNED, now, owner=self.worker,
                              attempts=attempts, next_attempt_at=at, **fields)

    async def cancel(self, message: Row[Any], reason: str) -> None:
        now = self.rt.clock.now()
        async with self.rt.db.begin() as connection:
            if await outbox.move(connection, message.id, S.CANCELLED, now, owner=self.worker, error_message=reason):
                await event_log.append(connection, [
                    event_log.event(message.tenant_id, "message_cancelled", now, message.id, reason=reason)
                ])

    def why_not(self, message: Row[Any], tenant: Row[Any] | None) -> str | None:
        """A reason not to send this message now, or None (the rules depend on its kind)."""
        rules = policy(message.kind)
        if tenant is None:
            return None if message.recipient else "no tenant and no recipient"
        if not tenant.active:
            return "tenant inactive"
        if tenant.opted_out and rules.respect_opt_out:
            return "tenant opted out"
        today = self.rt.clock.now().astimezone(self.rules.timezone).date()
        if rules.respect_pause and tenant.paused_until is not None and tenant.paused_until >= today:
            return "pauzeknop"
        return stale_reminder(message.kind, message.debit_date, tenant.payment_method, tenant.contract_ended_on)

    def render(self, message: Row[Any], tenant: Row[Any] | None, channel: str | None = None) -> str:
        """The message text (for `channel`, by default the message's own)."""
        language, context = self.context(message, tenant)
        return self.rt.templates.render(experiments.template_kind(message), channel or message.channel, language,
                                        context).body

    def context(self, message: Row[Any], tenant: Row[Any] | None) -> tuple[str, dict[str, Any]]:
        """The language and template variables: the tenant's details, then those fixed at creation.

        In `message.context`, a key ending in `_cents` is shown as money under the name without
        the suffix, a key ending in `_date` (ISO) as a long date; the rest as given."""
        language = tenant.language if tenant is not None else self.settings.reminders.default_language
        context: dict[str, Any] = {
            "org_name": self.settings.organisation.name,
            "org_phone": self.settings.organisation.phone,
            "org_iban": self.settings.organisation.iban,  # how a tenant who pays by transfer pays
            "payment_url": self.settings.organisation.payment_url,
        }
        if tenant is not None:
            context.update(name=tenant.name, contract_id=tenant.external_id,
                           amount=money(tenant.monthly_rent_cents, language))
        if message.debit_date is not None:
            context["debit_date"] = context["due_date"] = long_date(message.debit_date, language)
        for key, value in (message.context or {}).items():
            if key.endswith("_cents") and isinstance(value, int):
                context[key.removesuffix("_cents")] = money(value, language)
            elif key.endswith("_date") and isinstance(value, str):
                context[key] = long_date(date.fromisoformat(value), language)
            else:
                context[key] = value
        return language, context

    async def answer(self, message: Row[Any], outcome: SendOutcome, report: TickReport) -> None:
        """The provider's answer to a send: an acceptance is recorded together with the others
        that arrive meanwhile (`_record_accepted`), anything else on its own (`record`)."""
        if isinstance(outcome, Accepted):
            metrics.SENDS.labels(outcome="accepted").inc()
            await self.accepted.submit((message, outcome))
            report.sent += 1
        else:
            await self.record(message, outcome, report)

    async def record(self, message: Row[Any], outcome: SendOutcome, report: TickReport) -> None:
        now = self.rt.clock.now()
        metrics.SENDS.labels(outcome=type(outcome).__name__.lower()).inc()
        if not isinstance(outcome, Accepted):
            metrics.PROVIDER_ERRORS.labels(code=str(outcome.code)).inc()
        match outcome:
            case Accepted(sid, status):
                async with self.rt.db.begin() as connection:
                    moved = await outbox.move(connection, message.id, S.SENT, now, owner=self.worker,
                                              provider_sid=sid, provider_status=status,
                                              error_code=None, error_message=None)
                    if not moved:  # a delivery callback overtook us: keep its state, add the SID
                        await outbox.fill_missing(connection, message.id, now, provider_sid=sid, sent_at=now)
                    await event_log.append(connection, [
                        event_log.event(message.tenant_id, "message_sent", now, message.id, sid=sid)
                    ])
                    await experiments.record_exposure(connection, self.settings, message, now)  # sent, not planned
                report.sent += 1
            case Rejected(code, text):
                await self.fail(message, code, text, report, opted_out=outcome.opted_out)
            case RetryLater(code, text):
                at = self.policy.next_attempt(message.attempts, now, outcome.retry_after, self.jitter.random())
                if at is None:
                    await self.fail(message, code, f"gave up after {message.attempts} attempts: {text}", report)
                else:
                    await self.release(message, count_attempt=True, at=at, error_code=code, error_message=text)
                    report.retried += 1
            case Unknown(code, text):
                async with self.rt.db.begin() as connection:
                    await outbox.update_fields(
                        connection, message.id, error_code=code, error_message=text, provider_status=NO_ANSWER,
                        next_attempt_at=now + self.policy.delay(message.attempts), updated_at=now,
                    )
                    await event_log.append(connection, [
                        event_log.event(message.tenant_id, "send_outcome_unknown", now, message.id, code=code)
                    ])
                report.unknown += 1
            case Halt(code, text):
                await self.release(message, count_attempt=False, error_code=code, error_message=text)

    async def fail(
        self, message: Row[Any], code: int | None, text: str, report: TickReport, *, opted_out: bool = False
    ) -> None:
        now = self.rt.clock.now()
        async with self.rt.db.begin() as connection:
            await outbox.move(connection, message.id, S.FAILED, now, owner=self.worker,
                              error_code=code, error_message=text)
            log_rows = [event_log.event(message.tenant_id, "message_failed", now, message.id, code=code)]
            for holder in await _holders_of_number(connection, message) if opted_out else ():  # a shared phone too
                if await tenant_store.set_opted_out(connection, holder, now):
                    log_rows.append(event_log.event(holder, "tenant_opted_out", now, source="provider", code=code))
            await event_log.append(connection, log_rows)
            if code in FALLBACK_CODES:  # WhatsApp refused at once (usually it says so in a status callback)
                await whatsapp.after_failure(connection, self.settings, await outbox.get(connection, message.id),
                                             code, now)
        report.failed += 1

    async def settle_unknown(self, report: TickReport) -> None:
        """Look up, at the provider, messages whose send outcome is unknown (`reconciliation`)."""
        await reconciliation.settle_unknown(self, report)


async def _holders_of_number(connection: Any, message: Row[Any]) -> list[int]:
    """Every tenant with the number this message went to: the provider's unsubscribe (21610) is the
    phone's, so it holds for each contract that shares it."""
    holders = {message.tenant_id} if message.tenant_id is not None else set()
    stored = await outbox.get(connection, message.id)  # the address is stored just before sending
    if stored is not None and stored.recipient:
        holders.update(await thread_store.tenant_ids_by_phone(connection, stored.recipient.removeprefix("whatsapp:")))
    return sorted(holders)

