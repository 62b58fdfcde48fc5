"""The Twilio adapter against the shipped fake server over HTTP: the per-call timeout really
applies to the official async client, the client never re-posts on its own, and a 429's
Retry-After reaches the dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from herinnering.adapters.twilio_sender import TwilioSender
from herinnering.config import TwilioSettings
from herinnering.domain.reminders.sending import Accepted, RetryLater, Unknown
from herinnering.errors import ProviderError

TENANT = "+31612345678"


@pytest.fixture
async def sender(fake_twilio: Any) -> AsyncIterator[TwilioSender]:
    settings = TwilioSettings(account_sid=fake_twilio.account_sid, auth_token=fake_twilio.auth_token,
                              sms_from="DeLinde", whatsapp_from="", api_base_url=fake_twilio.url)
    sender = TwilioSender(settings, timeout=0.3)
    yield sender
    await sender.close()


async def send(sender: TwilioSender) -> Any:
    return await sender.send(TENANT, "DeLinde", "Huur herinnering", "http://127.0.0.1:9/status")


async def test_a_ten_second_answer_is_cut_off_by_the_per_call_timeout(sender: TwilioSender, fake_twilio: Any) -> None:
    fake_twilio.add_fault(delay=10, stored=True)  # without the timeout this would be Accepted
    outcome = await send(sender)
    assert isinstance(outcome, Unknown) and "TimeoutError" in outcome.message
    assert len(fake_twilio.requests) == 1 and len(fake_twilio.messages) == 1  # it did arrive: reconcile


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},                  # not stored
        {"status": 503, "code": 20503},
        {"status": 500, "stored": True},  # stored: a re-post would be a second SMS
        {"reset": True, "stored": True},  # the connection dropped after it was stored
    ],
)
async def test_the_client_never_posts_again_after_a_server_error_or_a_dropped_connection(
    sender: TwilioSender, fake_twilio: Any, fault: dict[str, Any]
) -> None:
    fake_twilio.add_fault(**fault)
    assert isinstance(await send(sender), Unknown)
    assert len(fake_twilio.requests) == 1
    assert isinstance(await send(sender), Accepted)  # the next call is an ordinary one
    assert len(fake_twilio.requests) == 2


async def test_a_lookup_the_provider_cannot_answer_is_an_error_not_a_no() -> None:
    settings = TwilioSettings(account_sid="AC" + "ab" * 16, auth_token="t", sms_from="DeLinde", whatsapp_from="",
                              api_base_url="http://127.0.0.1:9")  # nobody listens
    sender = TwilioSender(settings, timeout=0.3)
    try:
        with pytest.raises(ProviderError):  # "not found" here would send the tenant a second SMS
            await sender.candidates(TENANT, "DeLinde", "Huur herinnering", datetime(2026, 11, 1, tzinfo=UTC))
    finally:
        await sender.close()


async def test_a_429_hands_its_retry_after_to_the_dispatcher(sender: TwilioSender, fake_twilio: Any) -> None:
    fake_twilio.add_fault(429, 20429, retry_after=7)
    fake_twilio.add_fault(429, 20429)
    first, second = await send(sender), await send(sender)
    assert isinstance(first, RetryLater) and (first.code, first.retry_after) == (20429, 7.0)
    assert isinstance(second, RetryLater) and second.retry_after is None  # no header: our own backoff
    assert fake_twilio.messages == []
