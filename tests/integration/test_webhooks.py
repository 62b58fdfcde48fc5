"""The status webhook over real HTTP: signatures checked, states only move forward."""

from __future__ import annotations

from typing import Any

import aiohttp
from twilio.request_validator import RequestValidator

from herinnering.adapters.db import outbox
from herinnering.domain.reminders.planning import Period
from herinnering.domain.reminders.states import MessageState
from herinnering.services.reminders.planning import plan_month
from tests.integration.helpers import all_messages


async def sent_message(runtime: Any, make_tenant: Any) -> Any:
    """A message the provider accepted with SID SMfeed…"""
    await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    [message] = await all_messages(runtime.db)
    async with runtime.db.begin() as connection:
        await outbox.claim_due(connection, "w", message.send_at, 1)
        await outbox.move(connection, message.id, MessageState.SENT, message.send_at, provider_sid="SM" + "fe" * 16)
    return message


async def post_status(runtime: Any, message_id: int, status: str, *, sign: bool = True,
                      token: str | None = None, **extra: str) -> int:
    url = f"{runtime.settings.server.public_url}/webhooks/twilio/status?m={message_id}"
    form = {"MessageSid": "SM" + "fe" * 16, "SmsSid": "SM" + "fe" * 16, "MessageStatus": status,
            "AccountSid": runtime.settings.twilio.account_sid, "ApiVersion": "2010-04-01", **extra}
    headers = {}
    if sign:
        validator = RequestValidator(token or runtime.settings.twilio.auth_token)
        headers["X-Twilio-Signature"] = validator.compute_signature(url, form)
    async with aiohttp.ClientSession() as session, session.post(url, data=form, headers=headers) as response:
        return response.status


async def test_an_unsigned_status_callback_gets_403_and_changes_nothing(runtime: Any, make_tenant: Any) -> None:
    message = await sent_message(runtime, make_tenant)
    assert await post_status(runtime, message.id, "delivered", sign=False) == 403
    assert await post_status(runtime, message.id, "delivered", token="not-the-token") == 403
    [row] = await all_messages(runtime.db)
    assert row.state == "sent"


async def test_a_signed_callback_moves_the_message_forward(runtime: Any, make_tenant: Any) -> None:
    message = await sent_message(runtime, make_tenant)
    assert await post_status(runtime, message.id, "delivered") == 204
    [row] = await all_messages(runtime.db)
    assert row.state == "delivered" and row.delivered_at is not None


async def test_late_and_repeated_callbacks_never_move_a_message_back(runtime: Any, make_tenant: Any) -> None:
    message = await sent_message(runtime, make_tenant)
    for status in ("delivered", "sent", "queued", "delivered", "undelivered"):
        assert await post_status(runtime, message.id, status) == 204
    [row] = await all_messages(runtime.db)
    assert row.state == "delivered" and row.provider_status == "delivered"


async def test_new_unknown_parameters_are_part_of_the_signature(runtime: Any, make_tenant: Any) -> None:
    message = await sent_message(runtime, make_tenant)
    assert await post_status(runtime, message.id, "delivered", RcsNewField="x") == 204
    [row] = await all_messages(runtime.db)
    assert row.state == "delivered"


async def test_a_callback_for_an_unknown_message_is_acknowledged_and_ignored(runtime: Any, make_tenant: Any) -> None:
    assert await post_status(runtime, 999_999, "delivered") == 204
