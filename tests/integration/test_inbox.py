"""The officers' inbox over real HTTP: login, CSRF, lockout, take over / reply / hand back,
the audit log for team leads only, and passwords never in clear text."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from herinnering.adapters.db.conversation_tables import audit_log, users
from herinnering.services.privacy import users as user_service
from herinnering.services.reminders.dispatch import Dispatcher
from tests.integration.conversations import (
    conversation,
    outbox,
    rows,
    tenant,
    tenant_writes,
    thread_of,
)
from tests.integration.officer_browser import PASSWORD, officer


async def test_the_inbox_needs_a_login(runtime: Any, browser: Any) -> None:
    b = browser()
    async with b.session.get(b.base + "/inbox", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"].startswith("/login")


async def test_the_session_cookie_is_httponly_and_samesite_lax(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    b = browser()
    await b.get("/login")
    async with b.session.post(b.base + "/login", allow_redirects=False,
                              data={"csrf": b.csrf, "email": "anna@delinde.nl", "password": PASSWORD}) as response:
        cookie = response.cookies["herinnering_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert not cookie["secure"]  # served over http here; https public URLs get Secure


async def test_the_session_cookie_is_secure_when_the_app_is_served_over_https(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    b = browser()
    await b.get("/login")
    runtime.settings = runtime.settings.with_server(public_url="https://huur.delinde.nl")
    async with b.session.post(b.base + "/login", allow_redirects=False,
                              headers={"Cookie": f"herinnering_login_csrf={b.csrf}"},
                              data={"csrf": b.csrf, "email": "anna@delinde.nl", "password": PASSWORD}) as response:
        cookie = response.cookies["herinnering_session"]
    assert cookie["secure"] and cookie["httponly"]


async def test_a_wrong_password_is_refused_and_five_failures_lock_the_address(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    b = browser()
    for _ in range(5):
        assert await b.log_in("anna@delinde.nl", "wrong password") == 401
    assert await b.log_in("anna@delinde.nl") == 429  # locked, even with the right password
    runtime.clock.advance(timedelta(minutes=16))
    assert await b.log_in("anna@delinde.nl") == 303


async def test_forms_without_a_valid_csrf_token_are_refused(runtime: Any, browser: Any, make_tenant: Any,
                                                            fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik wil een regeling")
    thread = await thread_of(runtime.db, someone.id)
    b = await officer(runtime, browser)
    assert (await b.post(f"/inbox/threads/{thread.id}/take-over", csrf=""))[0] == 403
    assert (await b.post(f"/inbox/threads/{thread.id}/take-over", csrf="forged"))[0] == 403
    assert (await thread_of(runtime.db, someone.id)).owner == "bot"
    login = browser()
    await login.get("/login")
    assert (await login.post("/login", csrf="forged", email="anna@delinde.nl", password=PASSWORD))[0] == 403


async def test_take_over_reply_and_hand_back(runtime: Any, browser: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(name="Fatma Yılmaz")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik kan deze maand niet alles betalen")
    thread = await thread_of(runtime.db, someone.id)
    b = await officer(runtime, browser)
    status, page = await b.get("/inbox?filter=needs_reply")
    assert status == 200 and "Fatma Yılmaz" in page and "Ik kan deze maand niet alles betalen" in page

    await b.get(f"/inbox/threads/{thread.id}")
    assert await b.post(f"/inbox/threads/{thread.id}/take-over") == (303, f"/inbox/threads/{thread.id}?notice=take-over")
    assert (await thread_of(runtime.db, someone.id)).owner == "officer"

    await tenant_writes(runtime, fake_twilio, someone.phone, "Hallo, bent u er nog?")  # the bot stays silent
    await tenant_writes(runtime, fake_twilio, someone.phone, "HULP")
    _, page = await b.get(f"/inbox/threads/{thread.id}")
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    reply = "Dag mevrouw Yılmaz, ik bel u morgen om 10 uur. Groet, Anna"
    assert (await b.post(f"/inbox/threads/{thread.id}/reply", text=reply, nonce=nonce))[0] == 303
    assert (await b.post(f"/inbox/threads/{thread.id}/reply", text=reply, nonce=nonce))[0] == 303  # double click
    await Dispatcher(runtime, "w").run_until_idle()
    bodies = [m["body"] for m in fake_twilio.messages]
    assert bodies.count(reply) == 1 and len(bodies) == 2  # the first acknowledgement, then the officer

    assert (await b.post(f"/inbox/threads/{thread.id}/hand-back"))[0] == 303
    await tenant_writes(runtime, fake_twilio, someone.phone, "Dank u, tot morgen")
    await Dispatcher(runtime, "w").run_until_idle()
    assert "Een medewerker neemt contact met u op" in fake_twilio.messages[-1]["body"]  # the bot answers again
    authors = [(m.direction, m.author) for m in await conversation(runtime.db, thread.id)]
    assert authors == [("in", "tenant"), ("out", "bot"), ("in", "tenant"), ("in", "tenant"), ("out", "officer"),
                       ("in", "tenant"), ("out", "bot")]
    actions = [(a.action, a.user_email, a.tenant_id) for a in await rows(runtime.db, audit_log)
               if a.action != "view_thread"]  # reading a thread is audited too (test_security.py)
    assert actions[1:] == [("take_over", "anna@delinde.nl", someone.id), ("reply", "anna@delinde.nl", someone.id),
                           ("hand_back", "anna@delinde.nl", someone.id)]


async def test_stop_still_works_while_an_officer_holds_the_thread(runtime: Any, browser: Any, make_tenant: Any,
                                                                  fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Vraagje")
    thread = await thread_of(runtime.db, someone.id)
    b = await officer(runtime, browser)
    await b.post(f"/inbox/threads/{thread.id}/take-over")
    await tenant_writes(runtime, fake_twilio, someone.phone, "stop")
    assert (await tenant(runtime.db, someone.id)).opted_out
    assert len(await outbox(runtime.db, "stop_confirmation")) == 1


async def test_assign_note_and_pauzeknop(runtime: Any, browser: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Mijn schuldhulpverlener belt u")
    thread = await thread_of(runtime.db, someone.id)
    lead = await officer(runtime, browser, "bram@delinde.nl", "teamlead")
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer", name="Anna")
    [anna] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    await lead.get(f"/inbox/threads/{thread.id}")
    assert (await lead.post(f"/inbox/threads/{thread.id}/assign", user_id=str(anna.id)))[0] == 303
    assert (await lead.post(f"/inbox/threads/{thread.id}/note", note="Schuldhulp loopt via gemeente"))[0] == 303
    assert (await lead.post(f"/inbox/threads/{thread.id}/pause", until="2027-01-31"))[0] == 303
    assert (await thread_of(runtime.db, someone.id)).assigned_to == anna.id
    assert (await tenant(runtime.db, someone.id)).paused_until == date(2027, 1, 31)
    _, page = await lead.get(f"/inbox/threads/{thread.id}")
    assert "Schuldhulp loopt via gemeente" in page and "Gepauzeerd" in page
    assert (await lead.post(f"/inbox/threads/{thread.id}/resume"))[0] == 303
    assert (await tenant(runtime.db, someone.id)).paused_until is None
    anna_browser = browser()
    await anna_browser.log_in("anna@delinde.nl")
    _, mine = await anna_browser.get("/inbox?filter=mine")
    assert "Mijn schuldhulpverlener belt u" in mine


async def test_only_team_leads_can_open_the_audit_log(runtime: Any, browser: Any) -> None:
    anna = await officer(runtime, browser)
    status, _ = await anna.get("/audit")
    assert status == 403
    lead = await officer(runtime, browser, "bram@delinde.nl", "teamlead")
    status, page = await lead.get("/audit")
    assert status == 200 and "anna@delinde.nl" in page and "login" in page


async def test_search_finds_threads_by_name_contract_and_phone(runtime: Any, browser: Any, make_tenant: Any,
                                                               fake_twilio: Any) -> None:
    fatma = await make_tenant(name="Fatma Yılmaz")
    piet = await make_tenant(name="Piet de Vries")
    for someone in (fatma, piet):
        await tenant_writes(runtime, fake_twilio, someone.phone, f"bericht van {someone.name}")
    b = await officer(runtime, browser)
    for query in ("yılmaz", fatma.external_id, fatma.phone[-6:]):
        _, page = await b.get(f"/inbox?q={query}")
        assert "bericht van Fatma" in page and "bericht van Piet" not in page, query


async def test_logout_ends_the_session(runtime: Any, browser: Any) -> None:
    b = await officer(runtime, browser)
    assert (await b.post("/logout"))[0] == 303
    async with b.session.get(b.base + "/inbox", allow_redirects=False) as response:
        assert response.status == 303


async def test_passwords_are_never_stored_or_logged_in_clear_text(
    runtime: Any, browser: Any, caplog: pytest.LogCaptureFixture, db_url: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    b = await officer(runtime, browser)
    await b.log_in("anna@delinde.nl", "a wrong secret password")
    [anna] = await rows(runtime.db, users)
    assert anna.password_hash.startswith("$argon2id$") and PASSWORD not in anna.password_hash
    assert PASSWORD not in caplog.text and "a wrong secret password" not in caplog.text
    dump = await _dump(runtime)
    assert PASSWORD not in dump and "a wrong secret password" not in dump
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert PASSWORD.encode() not in raw


async def _dump(runtime: Any) -> str:
    """Every value in every table, as text."""
    from sqlalchemy import select

    from herinnering.adapters.db.schema import metadata

    parts = []
    async with runtime.db.begin() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).fetchall():
                parts.append(repr(tuple(row)))
    return "\n".join(parts)
