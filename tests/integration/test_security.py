"""Security of the web app over real HTTP: hashed API tokens, rate limits with Retry-After,
security headers on every response, no inline scripts, secrets from files, and refused
logins and officers' reads in the audit log."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import replace
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from herinnering.adapters.db.conversation_tables import audit_log, login_attempts
from herinnering.adapters.db.security_tables import api_tokens
from herinnering.config import load_settings
from herinnering.errors import ConfigError, Conflict
from herinnering.resources import templates_dir
from herinnering.services.privacy import api_tokens as token_service
from herinnering.services.privacy import users as user_service
from herinnering.web.app import serving
from herinnering.web.security import RateLimiter
from tests.integration.conversations import rows, tenant_writes, thread_of
from tests.integration.officer_browser import PASSWORD, officer

PAYMENT = {"id": "erp-1", "contract_id": "HC-NOPE", "period": "2026-12", "type": "payment", "amount_cents": 100}


async def call_api(base: str, token: str | None, body: Any = PAYMENT) -> tuple[int, dict[str, str]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as session, \
            session.post(f"{base}/api/payments", json=body, headers=headers) as response:
        await response.read()
        return response.status, dict(response.headers)


async def test_a_named_api_token_works_and_only_its_hash_is_stored(runtime: Any) -> None:
    base = runtime.settings.server.public_url
    token = await token_service.create(runtime, "erp-connector")
    assert token.startswith("hrn_") and len(token) > 40
    status, _ = await call_api(base, token)
    assert status == 422  # past the token check: the contract is unknown
    [row] = await rows(runtime.db, api_tokens)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(tuple(row)) and row.last_used_at is not None
    assert (await call_api(base, token + "x"))[0] == 401
    assert (await call_api(base, None))[0] == 401


async def test_a_revoked_token_is_refused_and_a_name_is_used_once(runtime: Any) -> None:
    token = await token_service.create(runtime, "bank")
    with pytest.raises(Conflict, match="a token named 'bank' exists"):
        await token_service.create(runtime, "bank")
    await token_service.revoke(runtime, "bank")
    assert (await call_api(runtime.settings.server.public_url, token))[0] == 401


async def test_the_json_api_answers_429_with_retry_after_when_a_token_calls_too_fast(runtime: Any) -> None:
    token = await token_service.create(runtime, "fast")
    strict = replace(runtime.settings, security=replace(runtime.settings.security, api_per_second=0.5, api_burst=3))
    async with serving(replace(runtime, settings=strict), "127.0.0.1", 0) as base:
        answers = [await call_api(base, token) for _ in range(4)]
        assert [status for status, _ in answers] == [422, 422, 422, 429]
        assert answers[-1][1]["Retry-After"] == "2"
        assert (await call_api(base, "another-caller"))[0] == 401  # its own bucket
        runtime.clock.advance(timedelta(seconds=2))
        assert (await call_api(base, token))[0] == 422


async def test_logins_are_rate_limited_per_address_and_per_account(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    strict = replace(runtime.settings, security=replace(runtime.settings.security, login_per_minute_ip=4,
                                                        login_per_minute_account=2))
    async with serving(replace(runtime, settings=strict), "127.0.0.1", 0) as base:
        b = browser()
        b.base = base
        assert [await b.log_in("bram@delinde.nl", "x") for _ in range(3)] == [401, 401, 429]  # per account
        assert await b.log_in("anna@delinde.nl") == 303  # the address's 4th attempt
        await b.get("/login")
        async with b.session.post(base + "/login", data={"csrf": b.csrf, "email": "carla@delinde.nl"},
                                  allow_redirects=False) as response:  # the address's 5th: too many
            assert response.status == 429 and int(response.headers["Retry-After"]) == 15
        runtime.clock.advance(timedelta(minutes=1))
        assert await b.log_in("anna@delinde.nl") == 303


def test_a_token_bucket_refills_at_its_rate_and_never_beyond_its_burst() -> None:
    bucket = RateLimiter(rate=2, burst=2)
    assert [bucket.take("k", 0.0) for _ in range(3)] == [0, 0, 0.5]
    assert bucket.take("k", 0.5) == 0 and bucket.take("k", 0.5) == 0.5
    assert [bucket.take("k", 100.0) for _ in range(3)] == [0, 0, 0.5]  # a long pause saves up only `burst`


@pytest.mark.parametrize("path", ["/healthz", "/login", "/inbox", "/no-such-page", "/metrics", "/static/live.js"])
async def test_every_response_carries_the_security_headers(runtime: Any, path: str) -> None:
    async with aiohttp.ClientSession() as session, \
            session.get(runtime.settings.server.public_url + path, allow_redirects=False) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp and "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # served over http here
    assert headers.get("Cache-Control") == "no-store" or path.startswith("/static/")


async def test_hsts_is_sent_when_the_public_url_is_https(runtime: Any) -> None:
    runtime.settings = runtime.settings.with_server(public_url="https://huur.delinde.nl")
    async with serving(runtime, "127.0.0.1", 0) as base, aiohttp.ClientSession() as session, \
            session.get(base + "/healthz") as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_no_page_has_an_inline_script_or_event_handler() -> None:
    """What lets the Content-Security-Policy leave out 'unsafe-inline' for scripts."""
    for page in sorted((templates_dir() / "web").glob("*.j2")):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.name
        assert not re.search(r"\son[a-z]+\s*=", html), page.name
        assert "javascript:" not in html, page.name


def test_secrets_are_read_from_files_named_by_file_variables(tmp_path: Path) -> None:
    (tmp_path / "twilio").write_text("s3cret-auth-token\n")
    (tmp_path / "api").write_text("api-token-from-a-file")
    settings = load_settings(environ={"TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "twilio"),
                                      "HERINNERING_PAYMENTS__API_TOKEN_FILE": str(tmp_path / "api")})
    assert settings.twilio.auth_token == "s3cret-auth-token"
    assert settings.payments.api_token == "api-token-from-a-file"
    direct = load_settings(environ={"TWILIO_AUTH_TOKEN": "direct", "TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "twilio")})
    assert direct.twilio.auth_token == "direct"
    with pytest.raises(ConfigError, match="TWILIO_AUTH_TOKEN_FILE"):
        load_settings(environ={"TWILIO_AUTH_TOKEN_FILE": str(tmp_path / "missing")})


async def test_refused_logins_and_forbidden_pages_are_in_the_audit_log(runtime: Any, browser: Any) -> None:
    b = await officer(runtime, browser)
    assert await browser().log_in("anna@delinde.nl", "wrong password") == 401
    assert await browser().log_in("nobody@delinde.nl", "wrong password") == 401
    assert (await b.get("/audit"))[0] == 403  # an officer, not a team lead
    entries = [(e.action, e.user_email) for e in await rows(runtime.db, audit_log)]
    assert ("login_failed", "anna@delinde.nl") in entries and ("login_failed", "nobody@delinde.nl") in entries
    assert ("forbidden", "anna@delinde.nl") in entries


async def test_reading_a_tenants_conversation_is_in_the_audit_log(runtime: Any, browser: Any, make_tenant: Any,
                                                                   fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik kan deze maand niet betalen")
    thread = await thread_of(runtime.db, someone.id)
    b = await officer(runtime, browser)
    assert (await b.get(f"/inbox/threads/{thread.id}"))[0] == 200
    async with runtime.db.begin() as connection:
        viewed = (await connection.execute(select(audit_log).where(audit_log.c.action == "view_thread"))).all()
    assert [(v.tenant_id, v.thread_id, v.user_email) for v in viewed] == [(someone.id, thread.id, "anna@delinde.nl")]


async def test_parallel_wrong_guesses_are_checked_no_more_than_the_lockout_allows(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    guessers = [browser() for _ in range(10)]
    for b in guessers:
        await b.get("/login")
    answers = await asyncio.gather(*(b.post("/login", email="anna@delinde.nl", password=f"guess {n}")
                                     for n, b in enumerate(guessers)))
    assert sorted(status for status, _ in answers) == [401] * 5 + [429] * 5
    actions = [e.action for e in await rows(runtime.db, audit_log)]
    assert actions.count("login_failed") == runtime.settings.conversations.lockout_failures == 5
    assert actions.count("login_locked") == 5
    assert len(await rows(runtime.db, login_attempts)) == 5  # the passwords checked
    assert await browser().log_in("anna@delinde.nl") == 429  # the right one waits too
    runtime.clock.advance(timedelta(minutes=15))
    assert await browser().log_in("anna@delinde.nl") == 303


_callers = iter(range(1_000_000))


async def _login_from(base: str, forwarded_for: str | None) -> int:
    """A wrong login (each for another address, so the lockout stays out of it) with this header."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(base + "/login") as response:
            csrf = re.search(r'name="csrf" value="([^"]+)"', await response.text()).group(1)  # type: ignore[union-attr]
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        async with session.post(base + "/login", data={"csrf": csrf, "email": f"x{next(_callers)}@delinde.nl", "password": "wrong"},
                                headers=headers, allow_redirects=False) as response:
            return response.status


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(runtime: Any) -> None:
    security = replace(runtime.settings.security, login_per_minute_ip=2, login_per_minute_account=1000)
    behind_proxy = replace(runtime.settings, security=replace(security, trusted_proxies=(ip_network("127.0.0.1/32"),)))
    async with serving(replace(runtime, settings=behind_proxy), "127.0.0.1", 0) as base:
        assert [await _login_from(base, "203.0.113.5") for _ in range(3)] == [401, 401, 429]
        assert await _login_from(base, "203.0.113.6") == 401  # another client behind the proxy: its own bucket
        # a client cannot pick a new address by writing one itself: the proxy appends the real one
        assert await _login_from(base, "198.51.100.1, 203.0.113.5") == 429
        garbage = [await _login_from(base, f"not-an-address-{n}") for n in range(3)]
        assert garbage == [401, 401, 429]  # garbage counts as the proxy's own address: one shared bucket
    direct = replace(runtime.settings, security=security)  # no trusted proxies: the header is ignored
    async with serving(replace(runtime, settings=direct), "127.0.0.1", 0) as base:
        assert [await _login_from(base, f"203.0.113.{n}") for n in range(3)] == [401, 401, 429]
