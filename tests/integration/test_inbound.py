"""Inbound messages over real HTTP from the fake Twilio: stored once, answered by the bot
through the outbox, STOP honoured, unsigned or replayed webhooks harmless."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import aiohttp
from sqlalchemy import func, select

from herinnering.adapters.db.conversation_tables import thread_messages, threads
from herinnering.domain.reminders.planning import Period
from herinnering.fakes.twilio_inbound import inbound_fields, post_inbound
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.conversations import (
    conversation,
    inbound_url,
    open_tasks,
    outbox,
    rows,
    tenant,
    tenant_writes,
    thread_of,
)
from tests.integration.helpers import all_messages, event_types

SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the December reminder of collection day 1


async def test_an_inbound_sms_is_stored_in_the_tenants_thread_and_answered_with_empty_twiml(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(name="Fatma Yılmaz")
    post = await tenant_writes(runtime, fake_twilio, someone.phone, "Ik kan pas op de 5e betalen")
    assert post.response.strip().endswith("<Response/>")
    thread = await thread_of(runtime.db, someone.id)
    assert (thread.owner, thread.unknown, thread.needs_reply, thread.unread) == ("bot", False, True, 1)
    [message, ack] = await conversation(runtime.db, thread.id)
    assert (message.direction, message.body, message.provider_sid) == ("in", "Ik kan pas op de 5e betalen",
                                                                        post.fields["MessageSid"])
    assert ack.author == "bot" and "Een medewerker neemt contact met u op" in ack.body
    assert "inbound_message" in await event_types(runtime.db, someone.id)


async def test_the_acknowledgement_is_sent_once_per_conversation_through_the_outbox(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant()
    for text in ("Hallo?", "Is daar iemand?", "Graag terugbellen"):
        await tenant_writes(runtime, fake_twilio, someone.phone, text)
    [ack] = await outbox(runtime.db, "bot_reply")
    await Dispatcher(runtime, "w").run_until_idle()
    [sent] = fake_twilio.messages
    assert sent["to"] == someone.phone and "Een medewerker neemt contact met u op" in sent["body"]


async def test_outside_office_hours_the_acknowledgement_says_when_we_answer(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant()
    runtime.clock.set(datetime(2026, 11, 28, 21, 0, tzinfo=UTC))  # Saturday evening
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik heb een vraag")
    await Dispatcher(runtime, "w").run_until_idle()  # replies may leave outside the send window
    [sent] = fake_twilio.messages
    assert "gesloten" in sent["body"] and "volgende werkdag" in sent["body"]


async def test_stop_opts_out_cancels_every_planned_message_and_confirms_last(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2027, 1))
    assert len(await outbox(runtime.db, "pre_debit")) == 2
    await tenant_writes(runtime, fake_twilio, someone.phone, "Stóppen")
    assert (await tenant(runtime.db, someone.id)).opted_out
    assert {m.state for m in await outbox(runtime.db, "pre_debit")} == {"cancelled"}
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w").run_until_idle()
    [confirmation] = fake_twilio.messages
    assert "geen sms- of WhatsApp-berichten meer" in confirmation["body"] and "Brieven over een huurachterstand" in confirmation["body"]
    await tenant_writes(runtime, fake_twilio, someone.phone, "Waarom?")  # anything after STOP stays unanswered
    await Dispatcher(runtime, "w").run_until_idle()
    assert len(fake_twilio.messages) == 1
    assert "tenant_opted_out" in await event_types(runtime.db, someone.id)


async def test_start_opts_the_tenant_back_in(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "STOP")
    await tenant_writes(runtime, fake_twilio, someone.phone, "start")
    assert not (await tenant(runtime.db, someone.id)).opted_out
    await Dispatcher(runtime, "w").run_until_idle()
    assert ["geen sms- of WhatsApp-berichten meer" in m["body"] or "Welkom terug" in m["body"] for m in fake_twilio.messages] == [True, True]


async def test_help_sends_the_help_text_with_our_phone_and_flags_the_thread(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(language="en")
    await tenant_writes(runtime, fake_twilio, someone.phone, "HELP")
    thread = await thread_of(runtime.db, someone.id)
    assert thread.flagged and thread.needs_reply
    await Dispatcher(runtime, "w").run_until_idle()
    [sent] = fake_twilio.messages
    assert runtime.settings.organisation.phone in sent["body"] and sent["body"].startswith("Need help")


async def test_paid_thanks_the_tenant_and_creates_one_verify_payment_task(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Betaald!")
    await tenant_writes(runtime, fake_twilio, someone.phone, "betaald")
    [task] = await open_tasks(runtime.db, someone.id)
    assert (task.kind, task.state, task.source) == ("verify_payment", "open", "bot")
    await Dispatcher(runtime, "w").run_until_idle()
    assert all("Dank u wel" in m["body"] for m in fake_twilio.messages) and len(fake_twilio.messages) == 2


async def test_an_unknown_number_gets_its_own_thread_and_a_reply_by_recipient(
    runtime: Any, fake_twilio: Any,
) -> None:
    await tenant_writes(runtime, fake_twilio, "+31687654321", "Wie is dit?", channel="whatsapp", profile_name="Jan")
    [thread] = await rows(runtime.db, threads)
    assert thread.unknown and thread.tenant_id is None and thread.phone == "+31687654321"
    assert thread.channel == "whatsapp"
    [reply] = await outbox(runtime.db, "bot_reply")
    assert reply.tenant_id is None and reply.recipient == "whatsapp:+31687654321"
    await Dispatcher(runtime, "w").run_until_idle()
    [sent] = fake_twilio.messages
    assert sent["to"] == "whatsapp:+31687654321"


async def test_an_unsigned_or_wrongly_signed_webhook_gets_403_and_changes_nothing(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant()
    fields = inbound_fields(fake_twilio.account_sid, someone.phone, "STOP")
    async with aiohttp.ClientSession() as session, session.post(inbound_url(runtime), data=fields) as response:
        assert response.status == 403
    post = await post_inbound(fake_twilio, inbound_url(runtime), fields, signature="bm90IGEgc2lnbmF0dXJl")
    assert post.status == 403
    tampered = await post_inbound(fake_twilio, inbound_url(runtime), {**fields, "Body": "START"},
                                  signature=post.signature)
    assert tampered.status == 403
    assert await rows(runtime.db, threads) == [] and await all_messages(runtime.db) == []
    assert not (await tenant(runtime.db, someone.id)).opted_out


async def test_a_replayed_webhook_is_stored_and_answered_once(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant()
    fields = inbound_fields(fake_twilio.account_sid, someone.phone, "HULP")
    for _ in range(3):
        assert (await post_inbound(fake_twilio, inbound_url(runtime), fields)).status == 200
    thread = await thread_of(runtime.db, someone.id)
    assert [m.direction for m in await conversation(runtime.db, thread.id)] == ["in", "out"]
    assert thread.unread == 1 and len(await all_messages(runtime.db)) == 1


async def test_two_hundred_inbound_messages_in_a_burst_are_all_stored_once(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenants = [await make_tenant() for _ in range(20)]
    posts = [inbound_fields(fake_twilio.account_sid, tenants[i % 20].phone, f"bericht {i}") for i in range(200)]
    replayed = posts[:50]  # Twilio's retry of some of them, at the same time
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(*(post_inbound(fake_twilio, inbound_url(runtime), f, session)
                                         for f in posts + replayed))
    assert {r.status for r in results} == {200}
    async with runtime.db.begin() as connection:
        stored = (await connection.execute(select(func.count()).select_from(thread_messages)
                                           .where(thread_messages.c.direction == "in"))).scalar()
        thread_count = (await connection.execute(select(func.count()).select_from(threads))).scalar()
    assert (stored, thread_count) == (200, 20)
    assert len(await outbox(runtime.db, "bot_reply")) == 20  # one acknowledgement per conversation


async def test_words_for_a_person_in_an_acknowledged_conversation_take_one_statement_and_change_what_the_full_way_would(
    runtime: Any, make_tenant: Any, clock: Any,
) -> None:
    from sqlalchemy import event as sa_event

    from herinnering.services.conversations.inbound import Inbound, receive

    someone = await make_tenant()
    first = await receive(runtime, Inbound("SM" + "1" * 32, someone.phone, "+3197010000000", "Hallo?"))
    assert first.replied  # the conversation's one acknowledgement: the full way
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa_event.listen(runtime.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        second = await receive(runtime, Inbound("SM" + "2" * 32, "whatsapp:" + someone.phone, "+3197010000000",
                                                "Ik betaal vrijdag", profile_name="Fatma"))
        replayed = await receive(runtime, Inbound("SM" + "2" * 32, "whatsapp:" + someone.phone, "+3197010000000",
                                                  "Ik betaal vrijdag", profile_name="Fatma"))
    finally:
        sa_event.remove(runtime.db.engine.sync_engine, "before_cursor_execute", count)

    if runtime.db.dialect == "postgresql":
        assert len(statements) == 2, statements  # one each: stored, then seen before
    assert (second.stored, second.replied, second.thread_id) == (True, False, first.thread_id)
    assert (replayed.stored, replayed.thread_id) == (False, first.thread_id)
    thread = await thread_of(runtime.db, someone.id)
    assert (thread.unread, thread.needs_reply, thread.channel, thread.status) == (2, True, "whatsapp", "open")
    assert thread.last_inbound_at == clock.now()
    [_, _, message] = await conversation(runtime.db, thread.id)
    assert (message.direction, message.author, message.body, message.intent) == ("in", "tenant", "Ik betaal vrijdag",
                                                                                 "other")
    assert message.data == {"profile_name": "Fatma"}
    assert (await tenant(runtime.db, someone.id)).whatsapp_last_inbound_at == clock.now()
    assert (await event_types(runtime.db, someone.id)).count("inbound_message") == 2
    assert len(await outbox(runtime.db, "bot_reply")) == 1


async def test_a_dialog_word_in_an_acknowledged_conversation_still_starts_the_dialog(
    runtime: Any, make_tenant: Any,
) -> None:
    from herinnering.services.conversations.inbound import Inbound, receive
    from herinnering.services.tenants.self_service import dialog_rules

    someone = await make_tenant()
    await receive(runtime, Inbound("SM" + "3" * 32, someone.phone, "+3197010000000", "Hallo?"))
    word = next(iter(next(iter(dialog_rules(runtime.settings).words.values()))))
    started = await receive(runtime, Inbound("SM" + "4" * 32, someone.phone, "+3197010000000", word))
    assert started.stored and started.replied
