"""The web app's protections that hold for every route: security headers, rate limits and
the static files that let pages work without inline scripts.

Headers are added to every response (pages, JSON, errors) in one `on_response_prepare` hook:
a Content-Security-Policy without inline scripts (the inbox's live view is
`/static/live.js`), `frame-ancestors 'none'`, no referrer to other sites, no sniffing, no
camera/microphone/geolocation, no caching (but of /static), and HSTS when the public URL is
https. Inline *styles* stay
allowed: the pages carry their small stylesheets inline and no user text reaches a style.

Rate limits are token buckets in this process (a second process has its own): `POST /login`
(and its second step) per client address and per e-mail address, `/api/…` per token (or per address without one),
wrong tokens of the tenant page and payment links per address (`refuse_guessing`).
An empty bucket answers 429 with `Retry-After`. The buckets read the runtime's clock, so
tests and the demo move time instead of sleeping.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from herinnering.resources import templates_dir
from herinnering.services.privacy.users import normalise_email
from herinnering.web.keys import RUNTIME
from herinnering.web.reminders.webhooks import Handler

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"[+-]?[0-9]+")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
MAX_KEYS = 50_000  # buckets kept per limiter; full (idle) ones are dropped first


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets by key: `rate` tokens per second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.buckets: dict[str, _Bucket] = {}

    def take(self, key: str, now: float) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is there."""
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_KEYS:
                self._forget_idle(now)
            bucket = self.buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def wait(self, key: str, now: float) -> float:
        """Like `take`, without taking: 0 while a token is there."""
        bucket = self.buckets.get(key)
        if bucket is None:
            return 0.0
        tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.at) * self.rate)
        return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        for key, bucket in list(self.buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.rate >= self.burst:
                del self.buckets[key]
        while len(self.buckets) >= MAX_KEYS:  # all busy: drop the oldest
            del self.buckets[next(iter(self.buckets))]


@dataclass
class Limits:
    login_ip: RateLimiter
    login_account: RateLimiter
    api: RateLimiter
    token_misses: RateLimiter  # wrong tenant-page and payment-link tokens, per address


LIMITS = web.AppKey("rate_limits", Limits)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: web.Request) -> str:
    """The client's address for the rate limits. Only when the peer is one of
    `[security] trusted_proxies` is X-Forwarded-For read: from its right end, the first address
    that is not a trusted proxy (what a client writes into the header itself sits further left
    and is never believed). Otherwise the peer itself."""
    peer = request.remote or "unknown"
    trusted = request.app[RUNTIME].settings.security.trusted_proxies
    if not trusted or not _is_trusted(_address(peer), trusted):
        return peer
    hops = [hop for part in request.headers.getall("X-Forwarded-For", []) for hop in part.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: trust nothing further left
        if not _is_trusted(address, trusted):
            return str(address)
    return peer


def _is_trusted(address: IPv4Address | IPv6Address | None, trusted: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


def too_many(wait: float, what: str) -> web.Response:
    seconds = max(1, math.ceil(wait))
    log.warning("rate limit reached: %s (retry after %d s)", what, seconds)
    return web.json_response({"error": "too many requests; try again later"}, status=429,
                             headers={"Retry-After": str(seconds)})


BIGGEST_ID = 2**63 - 1  # a BIGINT; any number beyond it names nothing stored


@web.middleware
async def ids_in_range(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A number in the path that no column can hold (/inbox/threads/99999999999999999999) is a
    404 here, before any handler hands it to the database (where PostgreSQL would fail)."""
    for value in request.match_info.values():
        if _NUMBER.fullmatch(value) and abs(int(value)) > BIGGEST_ID:
            raise web.HTTPNotFound()
    return await handler(request)


def form_id(value: object) -> int | None:
    """An id from a form field, or None when it is no number a column can hold."""
    text = str(value or "").strip()
    return int(text) if _NUMBER.fullmatch(text) and abs(int(text)) <= BIGGEST_ID else None


def refuse_guessing(request: web.Request) -> None:
    """Before a link's token is looked up: 429 for an address that sent too many wrong ones."""
    now = request.app[RUNTIME].clock.now().timestamp()
    if wait := request.app[LIMITS].token_misses.wait(client_address(request), now):
        log.warning("rate limit reached: wrong link tokens from one address")
        raise web.HTTPTooManyRequests(
            text="Te veel verkeerde links. Probeer het later opnieuw. / Too many wrong links; try again later.",
            headers={"Retry-After": str(max(1, math.ceil(wait)))})


def count_miss(request: web.Request) -> None:
    """A token that opened nothing: it counts against the caller's address."""
    request.app[LIMITS].token_misses.take(client_address(request), request.app[RUNTIME].clock.now().timestamp())


@web.middleware
async def rate_limits(request: web.Request, handler: Handler) -> web.StreamResponse:
    limits = request.app[LIMITS]
    now = request.app[RUNTIME].clock.now().timestamp()
    if request.method == "POST" and request.path in ("/login", "/login/code", "/login/tweestaps"):
        wait = limits.login_ip.take(client_address(request), now)
        if wait:
            return too_many(wait, "logins from one address")
        form = await request.post()  # cached: the handler reads it again
        account = normalise_email(str(form.get("email", "")))
        if account and (wait := limits.login_account.take(account, now)):
            return too_many(wait, "logins for one account")
    elif request.path.startswith("/api/"):
        given = request.headers.get("Authorization", "")
        key = "token:" + hashlib.sha256(given.encode()).hexdigest() if given else "ip:" + client_address(request)
        if wait := limits.api.take(key, now):
            return too_many(wait, "API calls")
    return await handler(request)


class RouteAccessLogger(AbstractAccessLogger):
    """aiohttp's access log with the route name instead of the path: the tokens of "mijn huur"
    and payment links are keys and must never reach a log (nor phone numbers in invented paths)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        match = getattr(request, "match_info", None)
        resource = match.route.resource if match is not None and match.http_exception is None else None
        route = resource.canonical if resource is not None else "unmatched"
        self.logger.info("%s %s %s %.3fs", request.method, route, response.status, time)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    settings = request.app[RUNTIME].settings
    if settings.server.public_url.startswith("https://") and settings.security.hsts_seconds:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={settings.security.hsts_seconds}")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")  # personal data stays out of caches


def setup(app: web.Application) -> None:
    """Headers on every response, the rate limiters (add `rate_limits` to the middlewares) and /static."""
    security = app[RUNTIME].settings.security
    app[LIMITS] = Limits(
        login_ip=RateLimiter(security.login_per_minute_ip / 60, security.login_per_minute_ip),
        login_account=RateLimiter(security.login_per_minute_account / 60, security.login_per_minute_account),
        api=RateLimiter(security.api_per_second, security.api_burst),
        token_misses=RateLimiter(security.token_misses_per_minute / 60, security.token_misses_per_minute),
    )
    app.on_response_prepare.append(_headers)
    app.router.add_static("/static", templates_dir() / "static", append_version=False)
