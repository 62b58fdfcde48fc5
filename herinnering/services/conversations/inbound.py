"""Use case: a tenant (or an unknown number) writes to us.

One inbound message, in one transaction: find the tenant by phone number, find or create the
thread, store the message once (a repeated MessageSid stops here), let the keyword bot decide
(`domain.threads.decide`), and carry out its decision — opt out and cancel every planned
message, opt back in, a task to verify a payment, an objection told to the legal steps (an
event, `objections`), a reply through the outbox. Replies are
outbox rows whose idempotency key names the inbound MessageSid, so even a retried webhook
cannot answer twice. Events record what happened; they never hold the message text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herinnering.adapters.db import (
    AsyncConnection,
    case_store,
    message_store,
    outbox,
    tenant_store,
    thread_store,
    whatsapp_store,
)
from herinnering.adapters.db import events as event_log
from herinnering.domain.conversations.keywords import Intent
from herinnering.domain.conversations.threads import BotDecision, Reply, decide
from herinnering.domain.reminders.planning import PlanningRules, next_working_send_moment
from herinnering.domain.reminders.states import MessageState
from herinnering.runtime import Runtime
from herinnering.services.conversations import objections, whatsapp_inbound
from herinnering.services.conversations.objections import TenantObjected
from herinnering.services.tenants.self_service import dialog_rules, on_inbound

log = logging.getLogger(__name__)


MAX_MEDIA = 10  # Twilio sends at most ten attachments with one message


@dataclass(frozen=True)
class Media:
    """One attachment: where the provider keeps it (MediaUrlN) and its type (MediaContentTypeN)."""

    url: str
    content_type: str


@dataclass(frozen=True)
class Inbound:
    """One inbound message as Twilio posts it (the fields we use)."""

    sid: str
    sender: str          # From: +316… or whatsapp:+316…
    to: str
    body: str
    num_media: int = 0
    profile_name: str | None = None
    button_payload: str | None = None
    media: tuple[Media, ...] = ()

    @property
    def channel(self) -> str:
        return "whatsapp" if self.sender.startswith("whatsapp:") else "sms"

    @property
    def phone(self) -> str:
        return self.sender.removeprefix("whatsapp:").strip()

    @classmethod
    def from_form(cls, form: dict[str, str]) -> Inbound:
        try:
            media = int(form.get("NumMedia") or 0)
        except ValueError:
            media = 0
        attachments = tuple(
            Media(url, (form.get(f"MediaContentType{i}") or "application/octet-stream")[:100])
            for i in range(min(max(media, 0), MAX_MEDIA))
            if (url := form.get(f"MediaUrl{i}") or "") and len(url) <= 500
        )
        return cls(
            sid=form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or "",
            sender=form.get("From", ""), to=form.get("To", ""), body=form.get("Body", ""), num_media=media,
            profile_name=form.get("ProfileName") or None, button_payload=form.get("ButtonPayload") or None,
            media=attachments,
        )


@dataclass(frozen=True)
class InboundResult:
    stored: bool               # False: a repeated MessageSid, nothing changed
    thread_id: int | None = None
    intent: Intent | None = None
    decision: BotDecision | None = None
    replied: bool = False


def mask(phone: str) -> str:
    """+31612345678 → +316…678: enough to recognise in a log, not enough to call."""
    return phone[:4] + "…" + phone[-3:] if len(phone) > 7 else "…"


async def receive(runtime: Runtime, message: Inbound) -> InboundResult:
    if not message.sid or not message.phone:
        raise ValueError("an inbound message needs a MessageSid and a From number")
    now = runtime.clock.now()
    conversations = runtime.settings.conversations
    said = conversations.keywords.match(message.body, message.button_payload)
    intent = said.intent
    if plain := await _receive_plain(runtime, message, intent, now):
        return plain
    async with runtime.db.begin() as connection:
        tenant = await thread_store.tenant_by_phone(connection, message.phone)
        tenant_id = tenant.id if tenant is not None else None
        thread = await thread_store.thread_for(connection, tenant_id, message.phone, message.channel, now)
        stored = await thread_store.store_inbound(connection, {
            "thread_id": thread.id, "provider_sid": message.sid, "channel": message.channel, "body": message.body,
            "intent": intent.value, "created_at": now,
            "data": {k: v for k, v in (("num_media", message.num_media), ("profile_name", message.profile_name),
                                       ("button_payload", message.button_payload)) if v},
        })
        if stored is None:
            log.info("inbound %s from %s seen before; ignored", message.sid, mask(message.phone))
            return InboundResult(stored=False, thread_id=thread.id)
        await thread_store.add_media(connection, stored, [(m.url, m.content_type) for m in message.media], now)
        if message.channel == "whatsapp" and tenant is not None:  # WhatsApp's 24-hour window opens now
            await whatsapp_store.note_inbound(connection, tenant.id, now)
        if (intent is Intent.OTHER and tenant is not None and thread.owner == "bot"  # DAG, REGELING, BEL (issue 10)
                and await on_inbound(connection, runtime, thread, tenant, message, now)):
            return InboundResult(stored=True, thread_id=thread.id, intent=intent, replied=True)
        decision = decide(intent, thread.owner, acknowledged=thread.acknowledged_at is not None,
                          office_open=conversations.office_hours.contains(now), known_tenant=tenant is not None)
        await thread_store.touch_inbound(connection, thread.id, message.channel, now,
                                         needs_reply=decision.needs_officer, flagged=intent is Intent.HELP)
        log_rows = [event_log.event(tenant_id, "inbound_message", now, thread_id=thread.id, intent=intent.value,
                                    channel=message.channel, sid=message.sid)] if tenant_id else []
        # STOP and START speak for the phone: every tenant with this number (a shared phone, two
        # contracts) is opted out or back in, not only the one the thread belongs to.
        sharing = await thread_store.tenant_ids_by_phone(connection, message.phone) if tenant_id is not None else []
        for holder in sharing if decision.opt_out else ():
            if await tenant_store.set_opted_out(connection, holder, now):
                log_rows.append(event_log.event(holder, "tenant_opted_out", now, source="keyword",
                                                **({"via_shared_phone": True} if holder != tenant_id else {})))
            log_rows.extend(await message_store.cancel_planned(connection, holder, now, STOP_REASON))
        for holder in sharing if decision.opt_in else ():
            if await thread_store.set_opted_in(connection, holder, now):
                log_rows.append(event_log.event(holder, "tenant_opted_in", now, source="keyword",
                                                **({"via_shared_phone": True} if holder != tenant_id else {})))
                log_rows.extend(await restore_after_start(connection, holder, now,
                                                          runtime.settings.reminders.planning_rules()))
        if decision.verify_payment and tenant_id is not None:
            period = now.astimezone(runtime.settings.reminders.timezone).strftime("%Y-%m")
            if await thread_store.add_task(connection, {
                "tenant_id": tenant_id, "kind": "verify_payment", "title": "Betaling controleren (huurder meldt: betaald)",
                "state": "open", "source": "bot", "dedupe_key": f"verify_payment:{tenant_id}:{period}",
                "data": {"thread_id": thread.id, "sid": message.sid}, "created_at": now, "updated_at": now,
            }):
                log_rows.append(event_log.event(tenant_id, "task_created", now, kind="verify_payment"))
        if intent is Intent.OBJECTION and tenant_id is not None:  # Wgs: no data to the municipality (issue 11)
            log_rows.extend(await objections.publish(connection, TenantObjected(
                tenant_id, channel=message.channel, text=message.body, by="tenant", key=message.sid,
                occurred_at=now)))
        log_rows.extend(await whatsapp_inbound.carry_out(connection, runtime, message, decision, tenant, thread, now))
        replied = False
        reply = decision.reply
        if reply is not None and decision.acknowledge and not await thread_store.claim_acknowledgement(
            connection, thread.id, now
        ):
            reply = None  # a message that arrived at the same moment got the acknowledgement
        if reply is not None:
            replied = await _reply(connection, runtime, thread, tenant, message, reply, now, said.language)
        await event_log.append(connection, log_rows)
    log.info("inbound %s from %s: %s%s", message.sid, mask(message.phone), intent.value, " (replied)" if replied else "")
    return InboundResult(stored=True, thread_id=thread.id, intent=intent, decision=decision, replied=replied)


async def _receive_plain(runtime: Runtime, message: Inbound, intent: Intent, now: datetime) -> InboundResult | None:
    """The common case in one statement (`thread_store.store_plain_inbound`): words for a person
    (no keyword, no dialog word) in a thread an officer holds or the bot has acknowledged. None
    when the message is not such a one (or on SQLite): then nothing was written and `receive`
    takes the full way. Safe to repeat: the MessageSid is stored once."""
    if intent is not Intent.OTHER or runtime.db.dialect != "postgresql" or message.media:
        return None  # attachments are stored beside the message: the full way
    if dialog_rules(runtime.settings).keyword(message.button_payload or message.body) is not None:
        return None
    data = {k: v for k, v in (("num_media", message.num_media), ("profile_name", message.profile_name),
                              ("button_payload", message.button_payload)) if v}

    async def store(connection: AsyncConnection) -> tuple[int | None, bool]:
        return await thread_store.store_plain_inbound(connection, sid=message.sid, phone=message.phone,
                                                      channel=message.channel, body=message.body,
                                                      intent=intent.value, data=data, now=now)

    thread_id, stored = await runtime.db.run(store, single_statement=True)
    if thread_id is None:
        return None
    if not stored:
        log.info("inbound %s from %s seen before; ignored", message.sid, mask(message.phone))
        return InboundResult(stored=False, thread_id=thread_id)
    log.info("inbound %s from %s: %s", message.sid, mask(message.phone), intent.value)
    return InboundResult(stored=True, thread_id=thread_id, intent=intent, decision=BotDecision(needs_officer=True))


STOP_REASON = "tenant opted out"


async def restore_after_start(connection: AsyncConnection, tenant_id: int, now: datetime,
                              rules: PlanningRules) -> list[dict[str, Any]]:
    """START after STOP: the reminders STOP cancelled that are still due come back, each as a new
    planned message (a cancelled one stays cancelled, as its history). A reminder past its last
    moment (`not_after`), or a ladder message of arrears that are paid meanwhile, stays away."""
    stopped = await message_store.cancelled_for(connection, tenant_id, STOP_REASON,
                                                except_kinds=["stop_confirmation", "bot_reply"])
    open_case = await case_store.open_case_of(connection, tenant_id)
    rows, copies = [], []
    for old in stopped:
        if old.not_after is not None and old.not_after <= now:
            continue
        if old.idempotency_key.startswith(("ladder:", "return:")) and open_case is None:
            continue
        copies.append({
            "tenant_id": tenant_id, "kind": old.kind, "period": old.period,
            "idempotency_key": f"{old.idempotency_key}:back:{old.id}"[:128], "channel": old.channel,
            "template": old.template, "variant": old.variant, "state": MessageState.PLANNED.value,
            "send_at": next_working_send_moment(max(now, old.send_at), rules), "not_after": old.not_after, "debit_date": old.debit_date,
            "attempts": 0, "context": old.context, "created_at": now, "updated_at": now,
        })
    for new in await outbox.insert_planned(connection, copies):
        rows.append(event_log.event(tenant_id, "message_planned", now, new.id, reason="back after START"))
    return rows


def reply_template(reply: Reply) -> str:
    """The template "kind" of a bot reply: stop_confirmation, or bot_<reply> (bot_help, …)."""
    return "stop_confirmation" if reply is Reply.STOP_CONFIRMATION else f"bot_{reply.value}"


async def _reply(connection: AsyncConnection, runtime: Runtime, thread: Any, tenant: Any, message: Inbound,
                 reply: Reply, now: datetime, said_in: str | None = None) -> bool:
    """Queue the bot's answer. Its text is rendered now (kind bot_reply has one template per
    reply) and stored as the body, with the address, so the dispatcher sends exactly this. A
    tenant is answered in their own language; an unknown number in the language of the keyword
    it wrote ("توقف" → Arabic), else the default language."""
    kind = "stop_confirmation" if reply is Reply.STOP_CONFIRMATION else "bot_reply"
    languages = runtime.settings.reminders.languages
    if tenant is not None:
        language = tenant.language
    elif said_in is not None and said_in in languages:
        language = said_in
    else:
        language = runtime.settings.reminders.default_language
    channel = message.channel if message.channel == "whatsapp" and runtime.settings.twilio.whatsapp_from else "sms"
    organisation = runtime.settings.organisation
    rendered = runtime.templates.render(reply_template(reply), channel, language, {
        "org_name": organisation.name, "org_phone": organisation.phone,
    })
    rows = await outbox.insert_planned(connection, [{
        "tenant_id": tenant.id if tenant is not None else None,
        "recipient": ("whatsapp:" if channel == "whatsapp" else "") + message.phone,
        "kind": kind, "period": now.strftime("%Y-%m"), "idempotency_key": f"{kind}:in:{message.sid}",
        "channel": channel, "template": rendered.template, "variant": "default",
        "state": MessageState.PLANNED.value, "send_at": now, "not_after": None, "attempts": 0,
        "context": {"reply": reply.value}, "body": rendered.body, "created_at": now, "updated_at": now,
    }])
    if not rows:
        return False
    await thread_store.store_outbound(
        connection, thread.id, author="bot", channel=channel, message_id=rows[0].id, now=now,
        body=rendered.body, data={"reply": reply.value},
    )
    return True
