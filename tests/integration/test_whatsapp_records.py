"""WhatsApp records (issue 11, item 5) through the fake Twilio over HTTP: each opt-in leaves a
consent record with the business, date, text agreed to and how, which the tenant's export
shows; a template the provider re-classed as marketing is no longer used (the reminder goes
by SMS)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from herinnering.adapters.db.consent_tables import whatsapp_consents
from herinnering.services.privacy import privacy
from tests.integration.conversations import rows, tenant_writes
from tests.integration.test_whatsapp import SEND_MOMENT, events_of, send_reminders


async def test_an_imported_opt_in_is_recorded_with_business_text_and_how_and_is_exported(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(channel="whatsapp", language="tr")
    [reminder] = await send_reminders(runtime, fake_twilio)
    assert reminder.channel == "whatsapp"
    [consent] = await rows(runtime.db, whatsapp_consents, whatsapp_consents.c.tenant_id == someone.id)
    organisation = runtime.settings.organisation.name
    assert (consent.business_name, consent.channel, consent.method, consent.language) == (
        organisation, "whatsapp", "import", "tr")
    assert consent.agreed_at == SEND_MOMENT and organisation in consent.text and "WhatsApp" in consent.text
    exported = await privacy.export_tenant(runtime, str(someone.id))
    [row] = exported["tables"]["whatsapp_consents"]
    assert (row["method"], row["text"]) == ("import", consent.text)


async def test_the_whatsapp_keyword_records_a_keyword_consent_in_the_tenants_language(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    runtime.settings = replace(runtime.settings, whatsapp=replace(runtime.settings.whatsapp, import_is_opt_in=False))
    someone = await make_tenant(channel="sms", language="en")
    runtime.clock.set(SEND_MOMENT - timedelta(days=1))
    await tenant_writes(runtime, fake_twilio, someone.phone, "WhatsApp")
    [consent] = await rows(runtime.db, whatsapp_consents, whatsapp_consents.c.tenant_id == someone.id)
    assert (consent.method, consent.source, consent.language) == ("keyword", "keyword via sms", "en")
    assert consent.text.startswith("I want to receive messages from " + runtime.settings.organisation.name)


async def test_a_template_reclassed_as_marketing_is_not_used_and_the_reminder_goes_by_sms(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    registry = runtime.settings.whatsapp.registry
    entries = {**registry.entries, "pre_debit": replace(registry.entries["pre_debit"], reclassified="marketing")}
    runtime.settings = replace(runtime.settings, whatsapp=replace(
        runtime.settings.whatsapp, registry=replace(registry, entries=entries)))
    someone = await make_tenant(channel="whatsapp")
    [reminder] = await send_reminders(runtime, fake_twilio)
    assert (reminder.channel, reminder.recipient, reminder.state) == ("sms", someone.phone, "delivered")
    assert [m["to"] for m in fake_twilio.messages] == [someone.phone]
    assert all("ContentSid" not in m["request"] for m in fake_twilio.messages)
    [event] = await events_of(runtime, someone.id, "channel_changed")
    assert event.data["to"] == "sms" and "no approved template" in event.data["reason"]
