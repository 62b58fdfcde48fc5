"""`[security]`: rate limits (in-process token buckets; 429 with Retry-After), HSTS, and the
reverse proxies whose X-Forwarded-For is believed."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network

from herinnering.config.validator import Section


@dataclass(frozen=True)
class SecuritySettings:
    login_per_minute_ip: int       # POST /login from one address
    login_per_minute_account: int  # POST /login for one e-mail address (the lockout counts failures)
    api_per_second: float          # JSON API calls per token (or address without one), sustained
    api_burst: int                 # ... and at once
    hsts_seconds: int              # Strict-Transport-Security when public_url is https
    token_misses_per_minute: int   # wrong links on /mijn-huur and /pay from one address, then 429
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...]  # X-Forwarded-For is read only from these
    require_totp: bool             # every officer signs in with a code from an authenticator app too


def parse(s: Section) -> SecuritySettings:
    return SecuritySettings(
        login_per_minute_ip=s.integer("login_per_minute_ip", 1, 10_000),
        login_per_minute_account=s.integer("login_per_minute_account", 1, 10_000),
        api_per_second=s.number("api_per_second", 0.01, 100_000),
        api_burst=s.integer("api_burst", 1, 1_000_000),
        hsts_seconds=s.integer("hsts_seconds", 0, 100_000_000),
        token_misses_per_minute=s.integer("token_misses_per_minute", 1, 10_000),
        trusted_proxies=_networks(s, "trusted_proxies"),
        require_totp=s.flag("require_totp"),
    )


def _networks(s: Section, key: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """A list of addresses or CIDR ranges ("10.0.0.0/8", "::1"); from the environment also
    comma-separated: HERINNERING_SECURITY__TRUSTED_PROXIES="10.0.0.0/8,192.168.1.5"."""
    value = s.get(key)
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise s.fail(key, value, 'a list of CIDR ranges, e.g. ["10.0.0.0/8"]')
    try:
        return tuple(ip_network(str(item), strict=False) for item in value)
    except ValueError as exc:
        raise s.error(key, f'{exc}; expected addresses or CIDR ranges such as "10.0.0.0/8"') from None
