"""Use case: send what is due, exactly once, never at night, never to someone who said STOP.

One tick: cancel reminders whose moment has passed, settle messages whose outcome is unknown
(look them up at the provider before anything is re-sent), and — inside the send window —
claim due messages, check the tenant again, render, store the text, send, record. Every
decision about a provider answer comes from `domain.sending`; every state change goes
through the guarded `outbox.move`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Row

from herinnering import metrics
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import outbox, tenant_store
from herinnering.adapters.templates import long_date, money
from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.bootstrap import Runtime
from herinnering.domain.kinds import kinds_outside_window, policy
from herinnering.domain.payment_methods import stale_reminder
from herinnering.domain.planning import in_send_window
from herinnering.domain.retry import RetryPolicy
from herinnering.domain.sending import Accepted, Halt, Rejected, RetryLater, SendOutcome, Unknown
from herinnering.domain.sms import measure
from herinnering.domain.states import MessageState
from herinnering.domain.whatsapp import FALLBACK_CODES
from herinnering.errors import ProviderError, TemplateError
from herinnering.services import experiments, reconciliation, whatsapp
from herinnering.services.reconciliation import NO_ANSWER
from herinnering.services.throttle import Throttle

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

    def callback_url(self, message_id: int) -> str:
        return f"{self.settings.server.public_url}/webhooks/twilio/status?m={message_id}"

    async def tick(self) -> TickReport:
        report = TickReport()
        await self.expire(report)
        if self.circuit.blocks(self.rt.clock.now()):
            report.paused = True  # most recent calls failed: wait out the cool-down, call nobody
            return report
        await self.settle_unknown(report)
        now = self.rt.clock.now()
        kinds = None
        if not in_send_window(now, self.rules):
            report.quiet = True
            kinds = kinds_outside_window()  # replies may go out; reminders wait for the window
        async with self.rt.db.begin() as connection:
            claimed = await outbox.claim_due(connection, self.worker, now, self.settings.dispatch.batch_size, kinds)
            tenants = await outbox.with_tenants(connection, [m.id for m in claimed])
        report.claimed = len(claimed)
        gate = asyncio.Semaphore(self.settings.dispatch.concurrency)
        halted = asyncio.Event()

        async def one(message: Row[Any]) -> None:
            async with gate:
                if halted.is_set() or not self.circuit.admit(self.rt.clock.now()):
                    await self.release(message, count_attempt=False)
                    return
                outcome: SendOutcome | None = None
                try:
                    outcome = await self.process(message, tenants.get(message.id), report)
                finally:
                    self.circuit.record(outcome, self.rt.clock.now())
                if isinstance(outcome, Halt):
                    report.halted = outcome.message
                    halted.set()

        async with asyncio.TaskGroup() as group:
            for message in claimed:
                group.create_task(one(message))
        if report.halted:
            raise ProviderError(f"sending stopped: {report.halted}")
        return report

    async def run_until_idle(self, max_ticks: int = 1000) -> TickReport:
        """Tick until nothing more is due now (the demo and the `dispatch` command)."""
        total = TickReport()
        for _ in range(max_ticks):
            report = await self.tick()
            for name in ("claimed", "sent", "failed", "retried", "unknown", "cancelled", "reconciled"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.quiet = report.quiet
            if report.claimed == 0 and report.reconciled == 0:
                return total
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

    async def process(self, message: Row[Any], tenant: Row[Any] | None, report: TickReport) -> SendOutcome | None:
        if policy(message.kind).respect_window and not in_send_window(self.rt.clock.now(), self.rules):
            await self.release(message, count_attempt=False)
            return None
        reason = self.why_not(message, tenant)
        if reason:
            await self.cancel(message, reason)
            report.cancelled += 1
            return None
        phone = tenant.phone if tenant is not None else message.recipient.removeprefix("whatsapp:")
        try:
            form = await whatsapp.prepare(self, message, tenant)  # the channel and form WhatsApp allows now
            body = form.body or message.body or self.render(message, tenant, form.channel)
        except TemplateError as exc:
            await self.fail(message, None, str(exc), report)
            return None
        to, sender = self.sender.address(form.channel, phone)
        if message.body is None and form.body is None:
            async with self.rt.db.begin() as connection:  # stored before sending: reconciliation matches on it
                await outbox.update_fields(connection, message.id, body=body, recipient=to,
                                           segments=measure(body).segments)
        await self.throttle.acquire(measure(body).segments)
        outcome = await self.sender.send(to, sender, body, self.callback_url(message.id), form.content)
        await self.record(message, outcome, report)
        return outcome

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
            if opted_out and await tenant_store.set_opted_out(connection, message.tenant_id, now):
                log_rows.append(event_log.event(message.tenant_id, "tenant_opted_out", now, source="provider", code=code))
            await event_log.append(connection, log_rows)
            if code in FALLBACK_CODES:  # WhatsApp refused at once (usually it says so in a status callback)
                await whatsapp.after_failure(connection, self.settings, await outbox.get(connection, message.id),
                                             code, now)
        report.failed += 1

    async def settle_unknown(self, report: TickReport) -> None:
        """Look up, at the provider, messages whose send outcome is unknown (`reconciliation`)."""
        await reconciliation.settle_unknown(self, report)
