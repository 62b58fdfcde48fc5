"""Who may call what, over real HTTP: every route of the app either is in the public
allow-list (with its reason) or refuses an anonymous caller; the read-only role may look
but every POST refuses it; after login, `next` leads only to a path on this site; an id no
column can hold is a 404 everywhere; only the officer who took a thread over replies in it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from herinnering.adapters.db.conversation_tables import audit_log
from herinnering.services.privacy import users as user_service
from herinnering.web.app import create_app
from herinnering.web.auth import OWN_SETTINGS, PUBLIC, READ_ONLY, safe_next
from tests.integration.conversations import outbox, rows, tenant_writes, thread_of
from tests.integration.officer_browser import PASSWORD, officer


def _routes(runtime: Any) -> list[tuple[str, str]]:
    """(method, canonical path) of every route in the app's route table, HEAD left out (it follows GET)."""
    app = create_app(runtime)
    found = set()
    for route in app.router.routes():
        if route.method != "HEAD" and route.resource is not None:
            found.add((route.method, route.resource.canonical))
            pattern = route.resource.get_info().get("pattern")
            if pattern is not None:
                _PATTERNS[route.resource.canonical] = pattern.pattern
    return sorted(found)


_PATTERNS: dict[str, str] = {}  # canonical path -> the route's regex (routes with variables)


def _concrete(path: str, value: str = "1") -> str:
    """A path that matches the route: each {variable} filled in with `value`, or where the
    route's own regex refuses it (`{action:start|stop}`), with its first alternative."""
    groups = dict(re.findall(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", _PATTERNS.get(path, "")))
    return re.sub(r"\{(\w+)[^}]*\}", lambda m: value if re.fullmatch(groups.get(m.group(1), ".*"), value)
                  else groups[m.group(1)].split("|")[0], path)


async def test_every_route_is_public_by_reason_or_refuses_an_anonymous_caller(runtime: Any) -> None:
    routes = _routes(runtime)
    names = {path for _, path in routes}
    assert not set(PUBLIC) - names, "the allow-list names routes that do not exist"
    assert all(len(reason) > 15 for reason in PUBLIC.values())
    base = runtime.settings.server.public_url
    protected = [(m, p) for m, p in routes if p not in PUBLIC]
    assert ("GET", "/") in protected and ("GET", "/inbox") in protected and ("POST", "/logout") in protected
    async with aiohttp.ClientSession() as session:
        for method, path in protected:
            async with session.request(method, base + _concrete(path), allow_redirects=False) as response:
                body = await response.text()
                if response.status == 303:
                    assert response.headers["Location"].startswith("/login?next="), (method, path)
                else:
                    assert response.status in (401, 403), (method, path, response.status)
                assert "HC-" not in body and "mijn-huur" not in body, (method, path)


async def test_the_overview_needs_a_login_and_shows_itself_after_one(runtime: Any, browser: Any) -> None:
    async with aiohttp.ClientSession() as session, \
            session.get(runtime.settings.server.public_url + "/", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/login?next=/"
    b = await officer(runtime, browser)
    status, html = await b.get("/")
    assert status == 200 and "<html" in html


async def test_the_language_switch_works_before_logging_in(runtime: Any, browser: Any) -> None:
    b = browser()
    await b.get("/login")
    status, location = await b.post("/taal", lang="en")
    assert status == 303
    assert "Log in" in (await b.get("/login"))[1]


async def test_the_read_only_role_may_look_but_every_post_refuses_it(runtime: Any, browser: Any) -> None:
    viewer = await officer(runtime, browser, "vera@delinde.nl", role=READ_ONLY)
    assert (await viewer.get("/inbox"))[0] == 200 and (await viewer.get("/"))[0] == 200
    posts = [p for m, p in _routes(runtime) if m == "POST" and p not in PUBLIC and p not in OWN_SETTINGS]
    assert len(posts) >= 8
    for path in posts:
        status, text = await viewer.post(_concrete(path), text="hallo", note="x", until="2027-01-01")
        assert status == 403 and "alleen leesrechten" in text, path
    assert (await viewer.post("/logout"))[0] == 303  # ending one's own session is no action on data


def _as_a_browser_reads_it(location: str) -> str:
    """The host a browser goes to for this Location (WHATWG URL parsing drops tabs and
    newlines and reads a backslash as a slash in http(s) URLs)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("https://huur.delinde.nl/login", cleaned)).netloc


EVIL_NEXT = ["/\\evil.example/", "/\t/evil.example/", "//evil.example", "https://evil.example/",
             "/\n/evil.example", "\\\\evil.example", " /inbox", "/inbox\x00"]


async def test_after_login_next_is_followed_only_as_a_same_origin_path(runtime: Any, browser: Any) -> None:
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    for target in [*EVIL_NEXT, "/inbox?filter=mine"]:
        b = browser()
        await b.get("/login?" + urlencode({"next": target}))
        status, location = await b.post("/login", email="anna@delinde.nl", password=PASSWORD, next=target)
        assert status == 303 and _as_a_browser_reads_it(location) == "huur.delinde.nl", target
        assert location == ("/inbox?filter=mine" if target == "/inbox?filter=mine" else "/inbox"), target


@given(st.text(max_size=30))
def test_no_next_value_leads_a_browser_to_another_host(target: str) -> None:
    assert _as_a_browser_reads_it(safe_next(target)) == "huur.delinde.nl"
    assert all(_as_a_browser_reads_it(safe_next(evil)) == "huur.delinde.nl" for evil in EVIL_NEXT)


async def test_every_route_answers_an_id_no_column_can_hold_with_404(runtime: Any, browser: Any) -> None:
    lead = await officer(runtime, browser, "lea@delinde.nl", role="admin")
    with_ids = [(m, p) for m, p in _routes(runtime) if "{" in p]
    assert ("GET", "/inbox/threads/{thread_id}") in with_ids
    for huge in ("99999999999999999999", "-99999999999999999999"):
        for method, path in with_ids:
            concrete = _concrete(path, huge)
            status, _ = await (lead.get(concrete) if method == "GET" else lead.post(concrete))
            assert status == 404, (method, path, status)


async def test_only_the_officer_who_took_a_thread_over_replies_in_it(runtime: Any, browser: Any, make_tenant: Any,
                                                                     fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik kan deze maand niet betalen")
    thread = await thread_of(runtime.db, someone.id)
    anna = await officer(runtime, browser, "anna@delinde.nl")
    bram = await officer(runtime, browser, "bram@delinde.nl")
    await anna.post(f"/inbox/threads/{thread.id}/take-over", confirmed="1")
    assert (await thread_of(runtime.db, someone.id)).owner == "officer"
    status, location = await bram.post(f"/inbox/threads/{thread.id}/reply", text="Ik bel u morgen.", nonce="b1")
    assert status == 303 and "notice=not_owner" in location and "detail=Anna" in location
    assert await outbox(runtime.db, "officer_reply") == []
    _, page = await bram.get(location)
    assert "Niet verstuurd: alleen Anna heeft dit gesprek overgenomen" in page
    entries = [(e.action, e.user_email) for e in await rows(runtime.db, audit_log)]
    assert ("reply_refused", "bram@delinde.nl") in entries
    status, location = await anna.post(f"/inbox/threads/{thread.id}/reply", text="Ik bel u morgen.", nonce="a1")
    assert status == 303 and "notice=reply" in location
    assert len(await outbox(runtime.db, "officer_reply")) == 1


async def test_ids_in_forms_that_no_column_can_hold_are_refused_not_a_crash(runtime: Any, browser: Any,
                                                                           make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant()
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ik kan deze maand niet betalen")
    thread = await thread_of(runtime.db, someone.id)
    lead = await officer(runtime, browser, "lea@delinde.nl", role="teamlead")
    huge = "99999999999999999999"
    for action, form in (("assign", {"user_id": huge}), ("assign", {"user_id": "-" + huge}),
                         ("take-over", {"seen_holder": huge, "confirmed": "1"})):
        status, location = await lead.post(f"/inbox/threads/{thread.id}/{action}", **form)
        assert status == 303 and location.startswith(f"/inbox/threads/{thread.id}?"), (action, form, location)
