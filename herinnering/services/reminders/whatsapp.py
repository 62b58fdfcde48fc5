"""Use cases: send each message in the form WhatsApp allows at that moment, and recover when
WhatsApp refuses one.

`prepare` is the dispatcher's hook, called just before a message is sent: it gathers the facts
(the tenant's channel choice, opt-in, last WhatsApp message, an approved template for the kind
and language), lets `domain.whatsapp.choose_form` decide, and stores what changes — the channel,
and for a template the text it will show — before anything leaves, so reconciliation still
matches on the stored body. `after_failure` is the status webhook's hook: a WhatsApp failure
such as 63016 becomes one SMS (where the tenant allows SMS) or an officer task, recorded as an
event; the SMS has its own idempotency key, so it can never be sent twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    outbox,
    tenant_store,
    thread_store,
    whatsapp_store,
)
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates, template_name
from herinnering.config import Settings
from herinnering.domain.reminders import whatsapp as rules
from herinnering.domain.reminders.sms import measure
from herinnering.domain.reminders.states import MessageState
from herinnering.services.conversations import whatsapp_consent
from herinnering.services.experiments import experiments
from herinnering.services.reminders import texts

if TYPE_CHECKING:
    from herinnering.services.reminders.dispatch import Dispatcher

log = logging.getLogger(__name__)
REPLY_KINDS = frozenset({"bot_reply", "officer_reply", "stop_confirmation"})


@dataclass(frozen=True)
class Prepared:
    channel: str
    body: str | None = None                            # None: the dispatcher renders (or uses the stored body)
    content: tuple[str, dict[str, str]] | None = None  # (ContentSid, ContentVariables) for a template
    reason: str = ""
    columns: dict[str, Any] = field(default_factory=dict)  # what the batch stores on the message row
    events: tuple[dict[str, Any], ...] = ()                # what the batch appends to the event log


def opted_in(tenant: Any, settings: Settings) -> tuple[bool, str | None]:
    """(opted in, the source to record when it is not recorded yet)."""
    if tenant.whatsapp_opt_in_at is not None:
        return True, None
    if settings.whatsapp.import_is_opt_in and tenant.channel == "whatsapp":
        return True, "import"
    return False, None


def facts_for(message: Any, tenant: Any, settings: Settings, has_template: bool, complete: bool) -> rules.ChannelFacts:
    consent, _ = opted_in(tenant, settings)
    return rules.ChannelFacts(
        planned=message.channel, preference=tenant.channel_preference, opted_in=consent,
        whatsapp_sender=bool(settings.twilio.whatsapp_from), last_inbound=tenant.whatsapp_last_inbound_at,
        reply=message.kind in REPLY_KINDS, has_template=has_template, variables_complete=complete,
        fallback=bool((message.context or {}).get("fallback_of")),
    )


async def prepare(dispatcher: Dispatcher, message: Row[Any], tenant: Row[Any] | None,
                  connection: AsyncConnection) -> Prepared:
    """The channel and form for `message` now, in the dispatcher's batch transaction. A changed
    channel or a template's text comes back as `columns` and `events` for the batch to store
    together with the others (one statement each, not one per message); a first WhatsApp
    opt-in, rare, is recorded here at once."""
    if tenant is None:  # a reply to an unknown number: it just wrote to us on this channel
        return Prepared(message.channel)
    if message.channel == "sms" and tenant.channel_preference in (None, "sms"):
        return Prepared("sms")  # the common case, decided without rendering anything
    runtime, settings = dispatcher.rt, dispatcher.settings
    now = runtime.clock.now()
    kind = experiments.template_kind(message)
    language, context = texts.context(settings, message, tenant)
    found = settings.whatsapp.registry.find(kind, language)
    variables = found[0].content_variables(context) if found else {}
    choice = rules.choose_form(facts_for(message, tenant, settings, found is not None,
                                         all(variables.values())), now)
    columns: dict[str, Any] = {}
    body: str | None = None
    content: tuple[str, dict[str, str]] | None = None
    if choice.form is rules.Form.TEMPLATE and found is not None:
        body = runtime.templates.render(kind, "whatsapp", language, context).body
        content = (found[1], variables)
        columns.update(body=body, segments=measure(body).segments,
                       context={**(message.context or {}), "whatsapp_form": "template", "content_sid": found[1]})
    elif choice.form is rules.Form.SESSION and (message.context or {}).get("whatsapp_form") == "template":
        columns["context"] = {**message.context, "whatsapp_form": "session"}
    events: tuple[dict[str, Any], ...] = ()
    if choice.channel != message.channel:  # a stored body (a reply) stays; otherwise rendered for the new channel
        columns.update(channel=choice.channel, template=MessageTemplates.name(kind, choice.channel, language))
        events = (event_log.event(tenant.id, "channel_changed", now, message.id, to=choice.channel,
                                  reason=choice.reason),)
    if columns:
        columns.update(recipient=("whatsapp:" if choice.channel == "whatsapp" else "") + tenant.phone, updated_at=now)
    _, source = opted_in(tenant, settings)
    if source and choice.channel == "whatsapp":
        await whatsapp_store.record_opt_in(connection, tenant.id, now, source,
                                           whatsapp_consent.consent_for(runtime, tenant, source))
    channel = "whatsapp" if content is not None else choice.channel
    return Prepared(channel, body, content, choice.reason, columns, events)


async def after_failure(connection: AsyncConnection, settings: Settings, message: Any, code: int | None,
                        now: datetime) -> rules.Fallback:
    """A message failed at the provider (status callback): carry out the WhatsApp fallback."""
    if message.tenant_id is None:
        return rules.Fallback("none", "no tenant")
    tenant = await tenant_store.by_id(connection, message.tenant_id)
    if tenant is None:
        return rules.Fallback("none", "no tenant")
    decision = rules.after_failure(
        code, channel=message.channel, policy=settings.whatsapp.fallback,
        sms_allowed=rules.sms_allowed(tenant.phone, tenant.opted_out) and tenant.active,
        is_fallback=bool((message.context or {}).get("fallback_of")),
    )
    if decision.action == "none":
        return decision
    if decision.action == "sms":
        context = {k: v for k, v in (message.context or {}).items() if k not in ("whatsapp_form", "content_sid")}
        language = tenant.language
        name = template_name(str(message.template))
        rows = await outbox.insert_planned(connection, [{
            "tenant_id": tenant.id, "kind": message.kind, "period": message.period,
            "idempotency_key": f"{message.idempotency_key}:sms"[:128], "channel": "sms",
            "template": MessageTemplates.name(name, "sms", language), "variant": message.variant,
            "state": MessageState.PLANNED.value, "send_at": now, "not_after": message.not_after,
            "debit_date": message.debit_date, "recipient": tenant.phone, "attempts": 0,
            "context": {**context, "fallback_of": message.id},
            "body": message.body if message.kind in REPLY_KINDS else None,  # a reply's words stay; the rest re-rendered
            "created_at": now, "updated_at": now,
        }])
        if not rows:
            return rules.Fallback("none", "the SMS fallback exists already")
    else:
        await thread_store.add_task(connection, {
            "tenant_id": tenant.id, "kind": "whatsapp_failed", "title": "WhatsApp niet bezorgd: neem contact op",
            "state": "open", "source": "whatsapp", "dedupe_key": f"whatsapp_failed:{message.id}",
            "data": {"message_id": message.id, "code": code, "kind": message.kind}, "created_at": now, "updated_at": now,
        })
    await event_log.append(connection, [event_log.event(
        tenant.id, "whatsapp_fallback", now, message.id, action=decision.action, code=code, reason=decision.reason)])
    log.info("message %s failed on WhatsApp (%s): %s", message.id, code, decision.action)
    return decision


async def reply_form(connection: AsyncConnection, settings: Settings, thread: Any, now: datetime) -> rules.Choice:
    """How an officer's reply in this conversation would go out now: inside the window as
    WhatsApp text, outside it as the approved officer_reply template, otherwise by SMS.
    The dispatcher decides again when it sends (the window may close in between)."""
    if thread.channel != "whatsapp":
        return rules.Choice(rules.Form.SMS, "the conversation is by SMS")
    tenant = None
    if thread.tenant_id is not None:
        tenant = await tenant_store.by_id(connection, thread.tenant_id)
    if tenant is None:  # an unknown number: only the window of the thread itself
        open_ = rules.window_open(thread.last_inbound_at, now) and bool(settings.twilio.whatsapp_from)
        return rules.Choice(rules.Form.SESSION if open_ else rules.Form.SMS,
                            "inside the 24-hour window" if open_ else "unknown number outside the window")
    language = tenant.language or settings.reminders.default_language
    has_template = settings.whatsapp.registry.find("officer_reply", language) is not None
    consent, _ = opted_in(tenant, settings)
    return rules.choose_form(rules.ChannelFacts(
        planned="whatsapp", preference=None, opted_in=consent, whatsapp_sender=bool(settings.twilio.whatsapp_from),
        last_inbound=tenant.whatsapp_last_inbound_at, reply=True, has_template=has_template,
    ), now)


def reply_hint(choice: rules.Choice) -> str:
    """The line above the inbox's reply box: what the officer's reply will be."""
    if choice.form is rules.Form.TEMPLATE:
        return ("Buiten het WhatsApp-venster van 24 uur: uw antwoord gaat als goedgekeurd sjabloon "
                "(officer_reply). / Outside the 24-hour window: sent as the approved template.")
    if choice.form is rules.Form.SESSION:
        return "WhatsApp, binnen het venster van 24 uur. / WhatsApp, inside the 24-hour window."
    return f"Per sms. / By SMS ({choice.reason})."
