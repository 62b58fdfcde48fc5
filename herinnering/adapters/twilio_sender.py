"""Sending through the official twilio client; the only module that imports `twilio.rest`.

It translates: a `TwilioRestException` or a network error becomes a `SendOutcome` value, and
a lookup at the provider (for a message whose outcome we do not know) becomes a SID or None.
Logs show a masked number only.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from herinnering.adapters.twilio_http import RETRY_AFTER, RoutedAsyncHttpClient
from herinnering.config import TwilioSettings
from herinnering.domain.reminders.sending import Accepted, SendOutcome, Unknown, classify_error
from herinnering.errors import ProviderError

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.twilio.com"


def mask(phone: str) -> str:
    """+31612345678 -> +316******78: enough to recognise, not enough to misuse."""
    digits = phone.removeprefix("whatsapp:")
    return digits[:4] + "*" * max(0, len(digits) - 6) + digits[-2:]


class TwilioSender:
    """Sends SMS and WhatsApp messages and looks them up again."""

    def __init__(self, settings: TwilioSettings, timeout: float) -> None:
        base_url = None if settings.api_base_url == DEFAULT_BASE_URL else settings.api_base_url
        self.http = RoutedAsyncHttpClient(base_url=base_url, timeout=timeout)
        self.client = Client(settings.account_sid, settings.auth_token, http_client=self.http)
        self.settings = settings

    def address(self, channel: str, phone: str) -> tuple[str, str]:
        """(to, from) for a channel; WhatsApp falls back to SMS when no WhatsApp sender is set."""
        if channel == "whatsapp" and self.settings.whatsapp_from:
            return f"whatsapp:{phone}", self.settings.whatsapp_from
        return phone, self.settings.sms_from

    async def send(self, to: str, sender: str, body: str, status_callback: str,
                   content: tuple[str, dict[str, str]] | None = None) -> SendOutcome:
        """`content` = (ContentSid, ContentVariables): an approved WhatsApp template, sent
        without a Body (Twilio renders the text; `body` is what we know it will say)."""
        form = ({"content_sid": content[0], "content_variables": json.dumps(content[1], ensure_ascii=False)}
                if content else {"body": body})
        try:
            message = await self.client.messages.create_async(
                to=to, from_=sender, status_callback=status_callback, **form
            )
        except TwilioRestException as exc:
            log.warning("twilio refused a message to %s: %s %s", mask(to), exc.status, exc.code)
            return classify_error(exc.status, exc.code, str(exc.msg), RETRY_AFTER.get())
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("no answer from twilio for a message to %s: %r", mask(to), exc)
            return Unknown(None, f"{type(exc).__name__}: {exc}")
        return Accepted(sid=str(message.sid), status=str(message.status))

    async def candidates(self, to: str, sender: str, body: str, since: datetime) -> list[tuple[str, datetime]]:
        """(SID, date created) of every message with this body to this number created since
        `since`, newest first. Raises ProviderError when the provider cannot be asked (then
        nothing is decided)."""
        found: list[tuple[str, datetime]] = []
        try:
            async for message in self._newest_first(to, sender):
                if message.date_created is not None and message.date_created < since:
                    break
                if message.body == body and message.date_created is not None:
                    found.append((str(message.sid), message.date_created))
        except (TwilioRestException, TimeoutError, aiohttp.ClientError) as exc:
            log.warning("could not look up a message to %s at twilio: %r", mask(to), exc)
            raise ProviderError(f"looking up a message at twilio failed: {type(exc).__name__}") from None
        return found

    async def fetch_status(self, sid: str) -> tuple[str, int | None] | None:
        """(status, error code) of one message as the provider knows it now (Messages fetch),
        or None when it does not know the SID. Raises ProviderError when it cannot be asked."""
        try:
            message = await self.client.messages(sid).fetch_async()
        except TwilioRestException as exc:
            if exc.status == 404:
                return None
            log.warning("could not fetch message %s at twilio: %s %s", sid, exc.status, exc.code)
            raise ProviderError(f"fetching a message at twilio failed: {exc.status} {exc.code}") from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("could not fetch message %s at twilio: %r", sid, exc)
            raise ProviderError(f"fetching a message at twilio failed: {type(exc).__name__}") from None
        code = message.error_code
        return str(message.status), int(code) if code not in (None, "") else None

    async def _newest_first(self, to: str, sender: str):  # type: ignore[no-untyped-def]
        page = await self.client.messages.page_async(to=to, from_=sender, page_size=50)
        while page is not None:
            for message in page:
                yield message
            page = await page.next_page_async()

    async def close(self) -> None:
        await self.http.close()


def valid_signature(auth_token: str, url: str, params: dict[str, str], signature: str) -> bool:
    """X-Twilio-Signature: HMAC-SHA1 over the full public URL and the sorted POST parameters."""
    return bool(signature) and RequestValidator(auth_token).validate(url, params, signature)
