"""`[changes]`: the change feed for the ERP and the bank, and its optional push.

The pull feed (`GET /api/changes`, `herinnering changes export`) needs nothing configured. The
push needs an https URL and a secret for the HMAC signature; plain http is allowed only to a
loopback address (a receiver on the same host). Start-up stops on anything else.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from herinnering.config.validator import Section


@dataclass(frozen=True)
class ChangeFeedSettings:
    webhook_url: str           # empty: no push; the ERP pulls GET /api/changes
    webhook_secret: str        # HMAC-SHA256 key (HERINNERING_CHANGES__WEBHOOK_SECRET[_FILE])
    max_attempts: int          # then the delivery is dead (the dead-letter view)
    retry_base_seconds: float  # backoff: 30 s, 1 min, 2 min … up to retry_max_seconds
    retry_max_seconds: float
    batch_size: int            # changes per POST
    timeout_seconds: float
    interval_seconds: float    # how often `serve` pushes
    include_notes: bool        # officers' notes and reasons as free text, only when agreed with the ERP


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def parse(s: Section) -> ChangeFeedSettings:
    url = s.text("webhook_url", allow_empty=True)
    secret = s.get("webhook_secret")
    if not isinstance(secret, str):
        raise s.fail("webhook_secret", "…", "a text (the HMAC key)")  # never echo a secret
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
            raise s.fail("webhook_url", url, "an https:// URL (http only to a loopback address)")
        if len(secret) < 16:
            raise s.error("webhook_secret", "set a secret of at least 16 characters when changes.webhook_url is "
                                            "set (HERINNERING_CHANGES__WEBHOOK_SECRET or its _FILE)")
    return ChangeFeedSettings(
        webhook_url=url, webhook_secret=secret,
        max_attempts=s.integer("max_attempts", 1, 100),
        retry_base_seconds=s.number("retry_base_seconds", 0, 86_400),
        retry_max_seconds=s.number("retry_max_seconds", 0, 604_800),
        batch_size=s.integer("batch_size", 1, 1000),
        timeout_seconds=s.number("timeout_seconds", 0.1, 120),
        interval_seconds=s.number("interval_seconds", 0.1, 86_400),
        include_notes=s.flag("include_notes"),
    )
