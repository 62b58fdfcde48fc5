"""Use case: what a tenant's message means for WhatsApp — the channel choice and the buttons.

Called by `services.inbound.receive` inside its transaction, after the bot decided (receive
itself notes that a WhatsApp message opens the tenant's 24-hour window): "SMS" / "WHATSAPP"
switch the tenant's channel (choosing WhatsApp is the opt-in, recorded with its source); the
quick-reply buttons of a reminder act like keywords — "Betaallink" sends the open payment
link again (or asks an officer for one), "Bel mij" makes a call task. "Ik heb al betaald" is
the PAID keyword itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, outbox, thread_store, whatsapp_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates
from herinnering.domain.conversations.threads import BotDecision
from herinnering.domain.reminders.states import MessageState
from herinnering.runtime import Runtime
from herinnering.services.conversations import whatsapp_consent
from herinnering.services.payments.links import links_of


async def carry_out(connection: AsyncConnection, runtime: Runtime, message: Any, decision: BotDecision,
                    tenant: Any, thread: Any, now: datetime) -> list[dict[str, Any]]:
    """Do the WhatsApp part of one inbound message; returns the events to log."""
    if tenant is None:
        return []
    rows: list[dict[str, Any]] = []
    if decision.switch_channel:
        await whatsapp_store.set_preference(connection, tenant.id, decision.switch_channel, now, source="keyword")
        if decision.switch_channel == "whatsapp":
            source = f"keyword via {message.channel}"
            await whatsapp_store.record_opt_in(connection, tenant.id, now, source,
                                               whatsapp_consent.consent_for(runtime, tenant, source))
    if decision.call_back and await thread_store.add_task(connection, {
        "tenant_id": tenant.id, "kind": "call_tenant", "title": "Bel de huurder (huurder vraagt: bel mij)",
        "state": "open", "source": "bot", "dedupe_key": f"call_me:{tenant.id}:{now:%Y-%m-%d}",
        "data": {"thread_id": thread.id, "sid": message.sid}, "created_at": now, "updated_at": now,
    }):
        rows.append(event_log.event(tenant.id, "task_created", now, kind="call_tenant", source="button"))
    if decision.resend_link:
        rows.extend(await resend_link(connection, runtime, message, tenant, thread, now))
    return rows


async def resend_link(connection: AsyncConnection, runtime: Runtime, message: Any, tenant: Any, thread: Any,
                      now: datetime) -> list[dict[str, Any]]:
    """The newest usable payment link again, as a payment_link message; none open: an officer task
    (a link before the debit could make the tenant pay twice, so the bot does not make one)."""
    usable = [link for link in await links_of(connection, tenant.id) if link.usable(now)]
    if not usable:
        if await thread_store.add_task(connection, {
            "tenant_id": tenant.id, "kind": "payment_link_requested", "title": "Huurder vraagt om een betaallink",
            "state": "open", "source": "bot", "dedupe_key": f"pay_link:{tenant.id}:{now:%Y-%m-%d}",
            "data": {"thread_id": thread.id, "sid": message.sid}, "created_at": now, "updated_at": now,
        }):
            return [event_log.event(tenant.id, "task_created", now, kind="payment_link_requested", source="button")]
        return []
    link = max(usable, key=lambda found: found.expires_at)
    channel = message.channel if message.channel == "whatsapp" and runtime.settings.twilio.whatsapp_from else "sms"
    rows = await outbox.insert_planned(connection, [{
        "tenant_id": tenant.id, "recipient": ("whatsapp:" if channel == "whatsapp" else "") + tenant.phone,
        "kind": "payment_link", "period": link.period, "idempotency_key": f"payment_link:in:{message.sid}",
        "channel": channel, "template": MessageTemplates.name("payment_link", channel, tenant.language),
        "variant": "default", "state": MessageState.PLANNED.value, "send_at": now, "not_after": link.expires_at,
        "attempts": 0, "context": {"link_url": link.url, "amount_due_cents": link.amount_cents, "link_id": link.id},
        "created_at": now, "updated_at": now,
    }])
    if not rows:
        return []
    await thread_store.store_outbound(connection, thread.id, author="bot", channel=channel, message_id=rows[0].id,
                                      now=now, body="(betaallink opnieuw gestuurd)", data={"reply": "pay_link"})
    return [event_log.event(tenant.id, "payment_link_resent", now, rows[0].id, link_id=link.id)]
