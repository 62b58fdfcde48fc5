"""Use case: send what is due, exactly once, never at night, never to someone who said STOP.

One tick: cancel reminders whose moment has passed, settle messages whose outcome is unknown
(look them up at the provider before anything is re-sent), and — inside the send window —
claim a batch of due messages, check each tenant again, render and store the texts (all in
the claim's transaction), send, and record the acceptances of many sends together (one
statement, `outbox.mark_sent`). The next batch is claimed while the last sends of this one
are in flight; one semaphore keeps `concurrency` calls in flight per worker. Every decision
about a provider answer comes from `domain.sending`; every state change is guarded by the
state machine's table (`outbox.move`, `outbox.mark_sent`). What a message says is rendered by
`texts`; the provider's answers are recorded by `answers`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from functools import partial
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, outbox
from herinnering.adapters.db import events as event_log
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.domain.payments.methods import stale_reminder
from herinnering.domain.reminders.circuit import CircuitState
from herinnering.domain.reminders.kinds import kinds_outside_window, policy
from herinnering.domain.reminders.planning import in_send_window
from herinnering.domain.reminders.retry import RetryPolicy
from herinnering.domain.reminders.sending import Accepted, Halt, SendOutcome
from herinnering.domain.reminders.sms import measure
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import ProviderError, TemplateError
from herinnering.runtime import Runtime
from herinnering.services.reminders import answers, reconciliation, texts, whatsapp
from herinnering.services.reminders.batching import Batcher
from herinnering.services.reminders.texts import Text
from herinnering.services.reminders.throttle import Throttle

log = logging.getLogger(__name__)
S = MessageState


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
            partial(answers.record_accepted, self), max_batch=dispatch.batch_size, keys=lambda answer: (answer[0].id,))

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
            await answers.fail(self, message, None, problem, report)
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
                    await answers.release(self, message, count_attempt=False)
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
                body = form.body or message.body or texts.render(self.rt.templates, self.settings, message, tenant, form.channel)
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
            await answers.release(self, message, count_attempt=False)  # the window closed while the batch was sent
            return None
        outcome = await self.sender.send(text.to, text.sender, text.body, self.callback_url(message.id), text.content)
        await answers.answer(self, message, outcome, report)
        return outcome

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

    async def settle_unknown(self, report: TickReport) -> None:
        """Look up, at the provider, messages whose send outcome is unknown (`reconciliation`)."""
        await reconciliation.settle_unknown(self, report)

