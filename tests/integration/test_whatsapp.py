"""WhatsApp through the shipped fake Twilio, over real HTTP: approved templates outside the
24-hour window, session text inside it, the 63016 fallback, quick-reply buttons, the channel
keywords, the officer's reply and the template preview page."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from herinnering.adapters.db import whatsapp_store
from herinnering.adapters.db.tables import events, messages, tasks
from herinnering.domain.reminders.planning import Period
from herinnering.services.payments.links import create_payment_link
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.conversations import outbox, rows, tenant, tenant_writes, thread_of
from tests.integration.helpers import wait_for_states
from tests.integration.officer_browser import officer

SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the December reminder of collection day 1 (10:00 local)


async def send_reminders(runtime: Any, fake: Any) -> list[Any]:
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w").run_until_idle()
    await fake.wait_idle()
    return await wait_for_states(runtime.db, {"delivered", "failed", "cancelled"})


def requests_to(fake: Any, to: str) -> list[dict[str, Any]]:
    return [m["request"] for m in fake.messages if m["to"] == to]


async def events_of(runtime: Any, tenant_id: int, type_: str) -> list[Any]:
    return await rows(runtime.db, events, events.c.tenant_id == tenant_id, events.c.type == type_)


async def test_a_reminder_without_a_recent_reply_goes_out_as_the_approved_template_with_variables(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(channel="whatsapp", name="Fatma Yılmaz", monthly_rent_cents=84550)
    [reminder] = await send_reminders(runtime, fake_twilio)
    [request] = requests_to(fake_twilio, "whatsapp:" + someone.phone)
    entry = runtime.settings.whatsapp.registry.entries["pre_debit"]
    assert request["ContentSid"] == entry.content["nl"] and "Body" not in request
    assert json.loads(request["ContentVariables"]) == {"1": "Fatma Yılmaz", "2": "dinsdag 1 december", "3": "€ 845,50"}
    [sent] = fake_twilio.messages
    assert sent["body"] == reminder.body and "Fatma Yılmaz" in sent["body"]  # Twilio's text is the one we stored
    assert (reminder.state, reminder.channel, reminder.context["whatsapp_form"]) == ("delivered", "whatsapp", "template")
    stored = await tenant(runtime.db, someone.id)
    assert stored.whatsapp_opt_in_source == "import" and stored.whatsapp_opt_in_at is not None


async def test_after_the_tenant_wrote_on_whatsapp_the_reminder_is_a_session_message(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(channel="whatsapp")
    runtime.clock.set(SEND_MOMENT - timedelta(hours=20))
    await tenant_writes(runtime, fake_twilio, someone.phone, "Goedemorgen", channel="whatsapp")
    assert (await tenant(runtime.db, someone.id)).whatsapp_last_inbound_at == runtime.clock.now()
    await send_reminders(runtime, fake_twilio)
    [reminder] = await outbox(runtime.db, "pre_debit")
    request = next(r for r in requests_to(fake_twilio, "whatsapp:" + someone.phone) if r["Body"] == reminder.body)
    assert "ContentSid" not in request
    assert (reminder.state, reminder.channel) == ("delivered", "whatsapp")


async def test_a_63016_from_the_provider_falls_back_to_one_sms(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(channel="whatsapp")
    async with runtime.db.begin() as connection:  # we believe the window is open; Twilio never saw that message
        await whatsapp_store.note_inbound(connection, someone.id, SEND_MOMENT - timedelta(hours=1))
    await send_reminders(runtime, fake_twilio)
    await Dispatcher(runtime, "w").run_until_idle()  # the fallback SMS
    await fake_twilio.wait_idle()
    [failed, fallback] = await wait_for_states(runtime.db, {"delivered", "failed"})
    assert (failed.channel, failed.state, failed.error_code) == ("whatsapp", "failed", 63016)
    assert (fallback.channel, fallback.state, fallback.context["fallback_of"]) == ("sms", "delivered", failed.id)
    assert [m["to"] for m in fake_twilio.messages] == ["whatsapp:" + someone.phone, someone.phone]
    [event] = await events_of(runtime, someone.id, "whatsapp_fallback")
    assert event.data["action"] == "sms" and event.data["code"] == 63016
    await Dispatcher(runtime, "w").run_until_idle()
    assert len(fake_twilio.messages) == 2  # never a second message on either channel


async def test_a_63016_refused_at_once_falls_back_the_same_way(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(channel="whatsapp")
    fake_twilio.set_number("whatsapp:" + someone.phone, create_error=63016)
    await send_reminders(runtime, fake_twilio)
    await Dispatcher(runtime, "w").run_until_idle()
    await fake_twilio.wait_idle()
    [failed, fallback] = await wait_for_states(runtime.db, {"delivered", "failed"})
    assert (failed.state, failed.error_code, fallback.channel, fallback.state) == ("failed", 63016, "sms", "delivered")
    assert [m["to"] for m in fake_twilio.messages] == [someone.phone]  # WhatsApp stored nothing


async def test_a_63016_becomes_an_officer_task_when_the_fallback_is_a_task(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    runtime.settings = replace(runtime.settings, whatsapp=replace(runtime.settings.whatsapp, fallback="task"))
    someone = await make_tenant(channel="whatsapp")
    fake_twilio.set_number("whatsapp:" + someone.phone, delivery="failed", error_code=63016)
    [reminder] = await send_reminders(runtime, fake_twilio)
    assert (reminder.state, reminder.error_code) == ("failed", 63016)
    [task] = await rows(runtime.db, tasks, tasks.c.tenant_id == someone.id)
    assert (task.kind, task.state, task.data["message_id"]) == ("whatsapp_failed", "open", reminder.id)
    await Dispatcher(runtime, "w").run_until_idle()
    assert len(fake_twilio.messages) == 1


async def test_without_an_opt_in_whatsapp_is_not_used(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    runtime.settings = replace(runtime.settings, whatsapp=replace(runtime.settings.whatsapp, import_is_opt_in=False))
    someone = await make_tenant(channel="whatsapp")
    [reminder] = await send_reminders(runtime, fake_twilio)
    assert (reminder.channel, reminder.recipient, reminder.state) == ("sms", someone.phone, "delivered")
    assert [m["to"] for m in fake_twilio.messages] == [someone.phone]
    [event] = await events_of(runtime, someone.id, "channel_changed")
    assert event.data == {"to": "sms", "reason": "no WhatsApp opt-in"}
    assert (await tenant(runtime.db, someone.id)).whatsapp_opt_in_at is None


async def test_the_whatsapp_keyword_switches_the_channel_records_the_opt_in_and_confirms(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    runtime.settings = replace(runtime.settings, whatsapp=replace(runtime.settings.whatsapp, import_is_opt_in=False))
    someone = await make_tenant(channel="sms", language="en")
    runtime.clock.set(SEND_MOMENT - timedelta(days=1))
    await tenant_writes(runtime, fake_twilio, someone.phone, "WhatsApp")
    stored = await tenant(runtime.db, someone.id)
    assert (stored.channel_preference, stored.whatsapp_opt_in_source) == ("whatsapp", "keyword via sms")
    [confirmation] = await outbox(runtime.db, "bot_reply")
    assert confirmation.channel == "sms" and "on WhatsApp" in confirmation.body  # answered where it was asked
    [reminder] = [m for m in await send_reminders(runtime, fake_twilio) if m.kind == "pre_debit"]
    assert (reminder.channel, reminder.context["whatsapp_form"]) == ("whatsapp", "template")
    await tenant_writes(runtime, fake_twilio, someone.phone, "sms")
    assert (await tenant(runtime.db, someone.id)).channel_preference == "sms"
    assert "by SMS" in (await outbox(runtime.db, "bot_reply"))[-1].body


async def test_quick_reply_buttons_act_like_keywords(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(channel="whatsapp")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik heb al betaald", channel="whatsapp",
                        button_payload="paid")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Bel mij", channel="whatsapp", button_payload="call_me")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Betaallink", channel="whatsapp", button_payload="pay_link")
    kinds = {task.kind for task in await rows(runtime.db, tasks, tasks.c.tenant_id == someone.id)}
    assert kinds == {"verify_payment", "call_tenant", "payment_link_requested"}  # no open link: a person sends one
    replies = [m.context["reply"] for m in await outbox(runtime.db, "bot_reply")]
    assert replies == ["paid_thanks", "call_me"]
    async with runtime.db.begin() as connection:
        link = await create_payment_link(connection, runtime.settings, tenant_id=someone.id, period="2026-12",
                                         amount_cents=74550, now=runtime.clock.now())
    await tenant_writes(runtime, fake_twilio, someone.phone, "Betaallink", channel="whatsapp", button_payload="pay_link")
    [resent] = await outbox(runtime.db, "payment_link")
    assert resent.context["link_url"] == link.url and resent.recipient == "whatsapp:" + someone.phone
    await Dispatcher(runtime, "w").run_until_idle()
    sent = next(m for m in fake_twilio.messages if link.url in m["body"])
    assert "ContentSid" not in sent["request"]  # the tenant just wrote: inside the window, plain text


async def test_an_officer_reply_outside_the_window_goes_as_the_approved_template(
    runtime: Any, make_tenant: Any, fake_twilio: Any, browser: Any,
) -> None:
    someone = await make_tenant(channel="whatsapp")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik bel morgen even", channel="whatsapp")
    thread = await thread_of(runtime.db, someone.id)
    anna = await officer(runtime, browser)
    await anna.get(f"/inbox/threads/{thread.id}")
    await anna.post(f"/inbox/threads/{thread.id}/take-over")
    _, page = await anna.get(f"/inbox/threads/{thread.id}")
    assert "kanaal: <strong>WhatsApp</strong>" in page and "goedgekeurd sjabloon" not in page  # in the window
    runtime.clock.set(runtime.clock.now() + timedelta(days=2))
    await anna.log_in("anna@delinde.nl")  # the session of two days ago has expired
    _, page = await anna.get(f"/inbox/threads/{thread.id}")
    assert "goedgekeurd sjabloon" in page  # the officer sees what will happen before sending
    await anna.post(f"/inbox/threads/{thread.id}/reply", text="Ik heb uw vraag bekeken.", nonce="n1")
    [reply] = await outbox(runtime.db, "officer_reply")
    assert (reply.channel, reply.context["whatsapp_form"]) == ("whatsapp", "template")
    await Dispatcher(runtime, "w").run_until_idle()
    request = next(m["request"] for m in fake_twilio.messages if m["request"].get("ContentSid"))
    assert request["ContentSid"] == runtime.settings.whatsapp.registry.entries["officer_reply"].content["nl"]
    assert json.loads(request["ContentVariables"]) == {"1": "Ik heb uw vraag bekeken."}
    [stored] = await rows(runtime.db, messages, messages.c.id == reply.id)
    assert stored.body.startswith("Bericht van Woonstichting De Linde: Ik heb uw vraag bekeken.")


async def test_the_template_preview_page_shows_every_text_with_its_size_and_arabic_right_to_left(
    runtime: Any, browser: Any,
) -> None:
    b = browser()
    async with b.session.get(b.base + "/templates", allow_redirects=False) as response:
        assert response.status == 303  # officers only
    anna = await officer(runtime, browser)
    status, page = await anna.get("/templates")
    assert status == 200
    assert 'data-kind="pre_debit" data-language="ar" data-channel="sms"' in page
    assert 'lang="ar" dir="rtl"' in page and 'lang="nl" dir="ltr"' in page
    assert "UCS-2" in page and "GSM-7" in page
    assert "Betaallink" in page and runtime.settings.whatsapp.registry.entries["pre_debit"].content["tr"] in page
    _, only = await anna.get("/templates?kind=bot_channel_sms")
    assert only.count('class="preview"') == 10  # 5 languages × 2 channels
