"""Fetching a tenant's attachment from Twilio, for the officers' authenticated media route.

Twilio keeps what a tenant sends (MediaUrlN of the inbound webhook) under the message at
`{api}/2010-04-01/Accounts/{account}/Messages/{MM…}/Media/{ME…}`; with "HTTP Basic
Authentication for media" on, it asks the account's credentials, which are sent here. Only a
URL under the configured API base and our own account is fetched, so a stored URL can never
make this process fetch anything else; the answer is capped in size. A purge deletes the
attachments at Twilio too (`delete`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiohttp

from herinnering.config.twilio import TwilioSettings
from herinnering.errors import MediaUnavailable

log = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
MAX_BYTES = 20 * 1024 * 1024  # WhatsApp allows 16 MB, MMS 5 MB
TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class MediaFile:
    content_type: str
    data: bytes


def fetchable(settings: TwilioSettings, url: str) -> bool:
    """Whether `url` is one of our account's media at the configured API (never another host)."""
    base = (settings.api_base_url or TWILIO_API).rstrip("/")
    prefix = f"{base}/2010-04-01/Accounts/{settings.account_sid}/Messages/"
    return bool(settings.account_sid) and url.startswith(prefix) and "/Media/" in url[len(prefix):] \
        and ".." not in url and "?" not in url and "#" not in url


async def fetch(settings: TwilioSettings, url: str) -> MediaFile:
    if not fetchable(settings, url):
        raise MediaUnavailable("not one of this account's media at the configured Twilio API")
    auth = aiohttp.BasicAuth(settings.account_sid, settings.auth_token)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as session, \
                session.get(url, auth=auth) as response:
            if response.status != 200:
                raise MediaUnavailable(f"the provider answered {response.status}")
            data = await response.content.read(MAX_BYTES + 1)
            if len(data) > MAX_BYTES:
                raise MediaUnavailable(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
            return MediaFile(response.headers.get("Content-Type", "application/octet-stream"), data)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("attachment not fetched: %s", type(exc).__name__)
        raise MediaUnavailable(f"the provider could not be reached ({type(exc).__name__})") from None


async def delete(settings: TwilioSettings, url: str) -> bool:
    """Ask Twilio to delete an attachment (a purge); True when it is gone (or was already)."""
    if not fetchable(settings, url):
        return False
    auth = aiohttp.BasicAuth(settings.account_sid, settings.auth_token)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)) as session, \
                session.delete(url, auth=auth) as response:
            return response.status in (204, 404)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("attachment not deleted at the provider: %s", type(exc).__name__)
        return False
