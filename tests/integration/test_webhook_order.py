"""Status callbacks late, twice, reversed, for messages we do not know, and behind a reverse
proxy: over real HTTP with real signatures, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest
from twilio.request_validator import RequestValidator

from herinnering.adapters.db import outbox
from herinnering.domain.reminders.sending import Accepted
from herinnering.services.reminders import answers
from herinnering.services.reminders.dispatch import Dispatcher, TickReport
from tests.integration.helpers import all_messages, event_types
from tests.integration.test_webhooks import post_status, sent_message

SID = "SM" + "fe" * 16


@pytest.mark.parametrize(
    ("statuses", "final"),
    [
        (["delivered", "sent"], "delivered"),                 # delivered overtook sent
        (["failed", "sent", "delivered"], "failed"),          # sent (and delivered) after failed
        (["undelivered", "queued", "sending"], "failed"),     # the carrier's verdict stands
        (["sent", "sent", "delivered", "delivered"], "delivered"),  # every callback twice
        (["read", "delivered", "sent"], "delivered"),         # WhatsApp's read, then older news
    ],
)
async def test_callbacks_out_of_order_and_twice_only_move_forward(
    runtime: Any, make_tenant: Any, statuses: list[str], final: str
) -> None:
    message = await sent_message(runtime, make_tenant)
    for status in statuses:
        assert await post_status(runtime, message.id, status) == 204
    [row] = await all_messages(runtime.db)
    assert row.state == final
    moves = [t for t in await event_types(runtime.db, message.tenant_id) if t in ("message_delivered", "message_failed")]
    assert len(moves) == 1  # replays changed nothing, not even the event log


async def test_a_delivery_report_before_our_own_record_of_the_send_keeps_delivered(
    runtime: Any, make_tenant: Any
) -> None:
    message = await sent_message(runtime, make_tenant)
    async with runtime.db.begin() as connection:  # back to the moment just before the provider's answer
        await connection.execute(outbox.messages.update().where(outbox.messages.c.id == message.id)
                                 .values(state="sending", provider_sid=None, claimed_by="w1"))
    assert await post_status(runtime, message.id, "delivered") == 204
    [claimed] = await all_messages(runtime.db)
    assert claimed.state == "delivered"
    await answers.record(Dispatcher(runtime, "w1"), claimed, Accepted(SID, "queued"), TickReport())
    [row] = await all_messages(runtime.db)
    assert (row.state, row.provider_sid) == ("delivered", SID)


async def test_a_callback_for_an_unknown_sid_is_acknowledged_and_logged(
    runtime: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="herinnering.services.reminders.status"):
        assert await post_status(runtime, 424_242, "delivered") == 204  # 2xx: Twilio does not retry
    assert any(SID in record.getMessage() and "unknown" in record.getMessage() for record in caplog.records)


async def signed_post(url: str, signed_for: str, form: dict[str, str], token: str, **headers: str) -> int:
    signature = RequestValidator(token).compute_signature(signed_for, form)
    async with aiohttp.ClientSession() as session, session.post(
        url, data=form, headers={"X-Twilio-Signature": signature, **headers}
    ) as response:
        return response.status


async def test_signatures_are_checked_against_the_public_url_behind_a_reverse_proxy(
    runtime: Any, make_tenant: Any
) -> None:
    message = await sent_message(runtime, make_tenant)
    internal = runtime.settings.server.public_url  # where the proxy forwards to: http://127.0.0.1:<port>
    runtime.settings = runtime.settings.with_server(public_url="https://huur.example.nl")
    path = f"/webhooks/twilio/status?m={message.id}"
    form = {"MessageSid": SID, "MessageStatus": "delivered", "AccountSid": runtime.settings.twilio.account_sid}
    token = runtime.settings.twilio.auth_token
    proxied = {"Host": "huur.example.nl", "X-Forwarded-Proto": "https", "X-Forwarded-For": "54.172.60.1"}

    # signed for the internal address the request arrives at: what Twilio never signs
    assert await signed_post(internal + path, internal + path, form, token, **proxied) == 403
    # signed for the public URL Twilio called, arriving through the proxy with another Host
    assert await signed_post(internal + path, "https://huur.example.nl" + path, form, token, **proxied) == 204
    [row] = await all_messages(runtime.db)
    assert row.state == "delivered"


async def test_many_callbacks_at_once_for_many_messages_each_end_where_the_last_word_says(
    runtime: Any, make_tenant: Any
) -> None:
    """Concurrent callbacks (on PostgreSQL written together, one statement per batch): sent and
    delivered for the same message in the same moment, replays, and one for a message we do
    not know. Every message ends delivered with one delivered event; nothing moves back."""
    import asyncio

    from herinnering.domain.reminders.planning import Period
    from herinnering.services.reminders.planning import plan_month

    for _ in range(12):
        await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    planned = await all_messages(runtime.db)
    async with runtime.db.begin() as connection:
        for message in planned:
            await outbox.claim_due(connection, "w", message.send_at, 1)
            await outbox.move(connection, message.id, "sent", message.send_at, provider_sid=f"SM{message.id:032x}")
    base = runtime.settings.server.public_url
    validator = RequestValidator(runtime.settings.twilio.auth_token)

    async def post(session: aiohttp.ClientSession, message_id: int, sid: str, status: str) -> int:
        url = f"{base}/webhooks/twilio/status?m={message_id}"
        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": runtime.settings.twilio.account_sid}
        async with session.post(url, data=form, headers={"X-Twilio-Signature": validator.compute_signature(url, form)}) as r:
            return r.status

    async with aiohttp.ClientSession() as session:
        calls = [post(session, m.id, f"SM{m.id:032x}", status)
                 for m in planned for status in ("sent", "delivered", "delivered", "sent", "queued")]
        calls.append(post(session, 999_999, "SM" + "0" * 32, "delivered"))
        assert set(await asyncio.gather(*calls)) == {204}
    rows = await all_messages(runtime.db)
    assert {row.state for row in rows} == {"delivered"}
    assert all(row.delivered_at is not None for row in rows)
    for message in planned:
        moves = [t for t in await event_types(runtime.db, message.tenant_id) if t == "message_delivered"]
        assert len(moves) == 1
