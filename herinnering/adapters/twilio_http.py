"""The HTTP client handed to the official twilio client.

It is Twilio's own extension point (`Client(http_client=...)`), used for two reasons: to point
the client at another base URL (the shipped fake server in development and tests) without
mocking anything, and to put an explicit timeout on every call, because the async client
ignores a timeout given to its constructor. It never retries: a re-post after a 5xx could send
a tenant the same message twice; the dispatcher decides what happens next.

The twilio client drops response headers when it raises, so the last answer's `Retry-After`
(in seconds) is kept in a context variable: each send runs in its own task, so each reads
its own answer.
"""

from __future__ import annotations

import base64
from contextvars import ContextVar
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response

from herinnering.domain.reminders.retry import parse_retry_after

RETRY_AFTER: ContextVar[float | None] = ContextVar("twilio_retry_after", default=None)
FORM = "application/x-www-form-urlencoded"
TWILIO_HOSTS = ("https://api.twilio.com", "https://content.twilio.com", "https://messaging.twilio.com")


class RoutedAsyncHttpClient(AsyncTwilioHttpClient):
    """Async client that rewrites Twilio's hosts to `base_url` and always sets a timeout."""

    def __init__(self, base_url: str | None = None, timeout: float = 10.0) -> None:
        super().__init__(pool_connections=False)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.default_timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._auth: tuple[str, str] | None = None
        self._auth_header = ""

    def route(self, url: str) -> str:
        if self.base_url:
            for host in TWILIO_HOSTS:
                if url.startswith(host):
                    return self.base_url + url[len(host):]
        return url

    async def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self._session is None or self._session.closed:  # one session (and its connections) for every call
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        headers = dict(headers or {})
        if auth is not None:
            headers["Authorization"] = self._basic(auth)
        form = _clean(data)
        if form is not None and headers.get("Content-Type") == FORM:  # encoded here: aiohttp's FormData is slower
            body: Any = urlencode(form, doseq=True).encode()
        else:
            body = form
        async with self._session.request(
            method.upper(),
            self.route(url),
            params=_clean(params),
            data=body,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout or self.default_timeout),
            allow_redirects=allow_redirects,
        ) as response:
            raw = await response.read()
            RETRY_AFTER.set(_retry_after(response.headers))
            return Response(response.status, raw.decode(response.charset or "utf-8", "replace"), response.headers)

    def _basic(self, auth: tuple[str, str]) -> str:
        if self._auth != auth:  # the same credentials on every call: encoded once
            self._auth = auth
            self._auth_header = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        return self._auth_header

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait, from `Retry-After` (seconds, or a date read against the answer's own
    `Date`, so our clock does not matter)."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        served = parsedate_to_datetime(headers["Date"]) if "Date" in headers else None
    except (TypeError, ValueError):
        served = None
    return parse_retry_after(raw, served)


def _clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Drop unset values; aiohttp refuses None in form data and query strings."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if v is not None}
