"""The `[changes]` section: the change feed for the ERP and the bank, and its optional push.

The pull feed (`GET /api/changes`, `herinnering changes export`) needs nothing configured. The
push needs an https URL and a secret for the HMAC signature; plain http is allowed only to a
loopback address (a receiver on the same host). Start-up stops on anything else.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from herinnering.errors import ConfigError
from herinnering.security_config import _number, _table


@dataclass(frozen=True)
class ChangeFeedSettings:
    webhook_url: str = ""             # empty: no push; the ERP pulls GET /api/changes
    webhook_secret: str = ""          # HMAC-SHA256 key (HERINNERING_CHANGES__WEBHOOK_SECRET[_FILE])
    max_attempts: int = 8             # then the delivery is dead (the dead-letter view)
    retry_base_seconds: float = 30.0  # backoff: 30 s, 1 min, 2 min … up to retry_max_seconds
    retry_max_seconds: float = 3600.0
    batch_size: int = 100             # changes per POST
    timeout_seconds: float = 10.0
    interval_seconds: float = 15.0    # how often `serve` pushes
    include_notes: bool = False       # officers' notes and reasons as free text, only when agreed with the ERP


CHANGES_DEFAULTS = ChangeFeedSettings()


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def parse_changes(raw: Any) -> ChangeFeedSettings:
    d = CHANGES_DEFAULTS
    table = _table(raw, "changes", set(d.__dataclass_fields__))
    url = str(table.get("webhook_url", d.webhook_url)).strip()
    secret = str(table.get("webhook_secret", d.webhook_secret))
    if url:
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
            raise ConfigError(f"changes.webhook_url: {url!r} is not allowed; expected an https:// URL "
                              "(http only to a loopback address)")
        if len(secret) < 16:
            raise ConfigError("changes.webhook_secret: set a secret of at least 16 characters when "
                              "changes.webhook_url is set (HERINNERING_CHANGES__WEBHOOK_SECRET or its _FILE)")
    include_notes = table.get("include_notes", d.include_notes)
    if not isinstance(include_notes, bool):
        raise ConfigError(f"changes.include_notes: {include_notes!r} is not allowed; expected true or false")
    settings = ChangeFeedSettings(
        webhook_url=url, webhook_secret=secret,
        max_attempts=_number(table, "changes", "max_attempts", d.max_attempts, 1, 100),
        retry_base_seconds=float(_number(table, "changes", "retry_base_seconds", d.retry_base_seconds, 0, 86_400,
                                         False)),
        retry_max_seconds=float(_number(table, "changes", "retry_max_seconds", d.retry_max_seconds, 0, 604_800,
                                        False)),
        batch_size=_number(table, "changes", "batch_size", d.batch_size, 1, 1000),
        timeout_seconds=float(_number(table, "changes", "timeout_seconds", d.timeout_seconds, 0.1, 120, False)),
        interval_seconds=float(_number(table, "changes", "interval_seconds", d.interval_seconds, 0.1, 86_400,
                                       False)),
        include_notes=include_notes,
    )
    return settings
