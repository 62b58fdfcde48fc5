"""Officers' second factor (TOTP) over real HTTP on both databases: setting it up shows the
secret once and needs a code; login then asks the code; a code counts once; wrong codes lock
the account like wrong passwords; `[security] require_totp` makes everyone set it up at login;
a team lead resets a lost one; every step is audited."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

from herinnering.adapters.db.conversation_tables import audit_log, sessions, users
from herinnering.domain.privacy.second_factor import code_at
from herinnering.services.privacy import users as user_service
from tests.integration.conversations import rows
from tests.integration.officer_browser import PASSWORD, officer

_SECRET = re.compile(r'<code id="secret"[^>]*>([A-Z2-7 ]+)</code>')


def secret_in(html: str) -> str:
    found = _SECRET.search(html)
    assert found, "no secret on the page"
    return found.group(1).replace(" ", "")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def actions(runtime: Any, email: str) -> list[str]:
    return [row.action for row in await rows(runtime.db, audit_log, audit_log.c.user_email == email)]


async def set_up(runtime: Any, b: Any) -> str:
    """Turn the second factor on from the officer's own page; returns the secret."""
    status, html = await b.get("/tweestaps")
    assert status == 200 and 'id="start-totp"' in html
    status, html = await b.post("/tweestaps/start")
    assert status == 200 and 'id="qr"' in html and "<svg" in html
    secret = secret_in(html)
    status, where = await b.post("/tweestaps", code=code_at(secret, runtime.clock.now()))
    assert status == 303 and where == "/tweestaps?done=enabled"
    return secret


async def test_an_officer_sets_up_a_second_factor_and_logging_in_then_asks_its_code(
    runtime: Any, browser: Any,
) -> None:
    anna = await officer(runtime, browser)
    status, html = await anna.post("/tweestaps/start")
    secret = secret_in(html)
    assert secret not in (await anna.get("/tweestaps"))[1].replace(" ", "")  # shown once, in the answer only
    status, html = await anna.post("/tweestaps", code=wrong(code_at(secret, runtime.clock.now())))
    assert status == 401 and 'id="code-error"' in html and secret_in(html) == secret  # mistyped: same key again
    [row] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    assert row.totp_secret is None and row.totp_pending == secret
    status, where = await anna.post("/tweestaps", code=code_at(secret, runtime.clock.now()))
    assert where == "/tweestaps?done=enabled"
    [row] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    assert row.totp_secret == secret and row.totp_pending is None and row.totp_enabled_at is not None
    _, html = await anna.get("/tweestaps")
    assert 'id="totp-status"' in html and secret not in html.replace(" ", "") and "start-totp" not in html

    runtime.clock.advance(timedelta(minutes=1))
    again = browser()
    await again.get("/login?next=/werk")
    status, where = await again.post("/login", email="anna@delinde.nl", password=PASSWORD, next="/werk")
    assert status == 303 and where == "/login/code?next=%2Fwerk"
    status, html = await again.get("/inbox")
    assert 'action="/login"' in html  # the password alone opens nothing
    status, html = await again.get("/login/code?next=/werk")
    assert status == 200 and 'autocomplete="one-time-code"' in html
    status, html = await again.post("/login/code", code=wrong(code_at(secret, runtime.clock.now())), next="/werk")
    assert status == 401 and 'id="code-error"' in html
    code = code_at(secret, runtime.clock.now())
    status, where = await again.post("/login/code", code=code[:3] + " " + code[3:], next="/werk")
    assert status == 303 and where == "/werk"
    status, html = await again.get("/werk")
    assert status == 200 and "Werklijst" in html
    assert (await rows(runtime.db, sessions, sessions.c.pending.is_not(None))) == []  # the pending one ended
    found = await actions(runtime, "anna@delinde.nl")
    assert {"totp_enrol_failed", "totp_enabled", "totp_failed"} <= set(found) and found.count("login") == 2
    [login] = await rows(runtime.db, audit_log, audit_log.c.action == "login", audit_log.c.data["second_factor"]
                         .as_string() == "totp")
    assert login.user_email == "anna@delinde.nl"

    third = browser()  # the same code once more (someone looked over her shoulder): refused
    await third.get("/login")
    await third.post("/login", email="anna@delinde.nl", password=PASSWORD)
    await third.get("/login/code")
    status, _ = await third.post("/login/code", code=code)
    assert status == 401
    runtime.clock.advance(timedelta(seconds=30))
    status, where = await third.post("/login/code", code=code_at(secret, runtime.clock.now()))
    assert status == 303 and where == "/inbox"


async def test_wrong_codes_lock_the_account_like_wrong_passwords(runtime: Any, browser: Any) -> None:
    anna = await officer(runtime, browser)
    secret = await set_up(runtime, anna)
    limit = runtime.settings.conversations.lockout_failures
    b = browser()
    await b.get("/login")
    await b.post("/login", email="anna@delinde.nl", password=PASSWORD)
    await b.get("/login/code")
    bad = wrong(code_at(secret, runtime.clock.now()))
    for _ in range(limit):
        status, _ = await b.post("/login/code", code=bad)
        assert status == 401
    status, where = await b.post("/login/code", code=code_at(secret, runtime.clock.now()))
    assert status == 303 and where.startswith("/login?") and "error=locked" in where  # the right code, too late
    status, html = await b.get(where)
    assert "Te vaak" in html
    await b.post("/login", email="anna@delinde.nl", password=PASSWORD)  # the password again: still locked
    await b.get("/login/code")
    runtime.clock.advance(timedelta(seconds=30))
    status, where = await b.post("/login/code", code=code_at(secret, runtime.clock.now()))
    assert "error=locked" in where
    assert "totp_locked" in await actions(runtime, "anna@delinde.nl")
    runtime.clock.advance(timedelta(minutes=runtime.settings.conversations.lockout_minutes + 1))
    await b.get("/login")
    await b.post("/login", email="anna@delinde.nl", password=PASSWORD)
    await b.get("/login/code")
    status, where = await b.post("/login/code", code=code_at(secret, runtime.clock.now()))
    assert status == 303 and where == "/inbox"


async def test_required_second_factor_is_set_up_while_logging_in(runtime: Any, browser: Any) -> None:
    runtime.settings = dataclasses.replace(
        runtime.settings, security=dataclasses.replace(runtime.settings.security, require_totp=True))
    await user_service.add_user(runtime, "bram@delinde.nl", PASSWORD, "officer", name="Bram")
    b = browser()
    await b.get("/login")
    status, where = await b.post("/login", email="bram@delinde.nl", password=PASSWORD)
    assert where == "/login/tweestaps?next=%2Finbox"
    status, html = await b.get(where)
    assert status == 200 and "<svg" in html and "Uw organisatie vraagt" in html
    secret = secret_in(html)
    status, html = await b.post("/login/tweestaps", code=wrong(code_at(secret, runtime.clock.now())), next="/inbox")
    assert status == 401 and secret_in(html) == secret
    status, where = await b.post("/login/tweestaps", code=code_at(secret, runtime.clock.now()), next="/inbox")
    assert status == 303 and where == "/inbox"
    assert (await b.get("/inbox"))[0] == 200
    [row] = await rows(runtime.db, users, users.c.email == "bram@delinde.nl")
    assert row.totp_secret == secret
    assert "totp_enabled" in await actions(runtime, "bram@delinde.nl")
    b2 = browser()  # from now on the code is asked
    await b2.get("/login")
    _, where = await b2.post("/login", email="bram@delinde.nl", password=PASSWORD)
    assert where.startswith("/login/code")


async def test_a_team_lead_resets_a_lost_second_factor(runtime: Any, browser: Any) -> None:
    anna = await officer(runtime, browser)
    await set_up(runtime, anna)
    lisa = await officer(runtime, browser, "lisa@delinde.nl", role="teamlead")
    [row] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    _, html = await lisa.get("/gebruikers")
    assert f'/gebruikers/{row.id}/totp-reset' in html and 'data-totp="on"' in html
    status, html = await anna.post(f"/gebruikers/{row.id}/totp-reset")
    assert status == 403  # an officer may not
    status, html = await lisa.post(f"/gebruikers/{row.id}/totp-reset")
    assert status == 200 and "anna@delinde.nl" in html
    [row] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    assert row.totp_secret is None and row.totp_enabled_at is None
    assert (await anna.get("/werk"))[1].count('action="/login"') == 1  # her sessions ended
    assert "totp_reset" in await actions(runtime, "lisa@delinde.nl")
    b = browser()
    assert await b.log_in("anna@delinde.nl") == 303
    assert (await b.get("/werk"))[0] == 200  # without a second factor (none required): the password suffices


async def test_a_viewer_may_set_up_their_own_second_factor(runtime: Any, browser: Any) -> None:
    vera = await officer(runtime, browser, "vera@delinde.nl", role="viewer")
    await set_up(runtime, vera)
