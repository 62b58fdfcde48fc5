"""Who may call what, over real HTTP: every route of the app either is in the public
allow-list (with its reason) or refuses an anonymous caller; the read-only role may look
but every POST refuses it."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from herinnering.web.app import create_app
from herinnering.web.auth import PUBLIC, READ_ONLY
from tests.integration.officer_browser import officer


def _routes(runtime: Any) -> list[tuple[str, str]]:
    """(method, canonical path) of every route in the app's route table, HEAD left out (it follows GET)."""
    app = create_app(runtime)
    found = set()
    for route in app.router.routes():
        if route.method != "HEAD" and route.resource is not None:
            found.add((route.method, route.resource.canonical))
    return sorted(found)


def _concrete(path: str) -> str:
    """A path that matches the route: each {variable} filled in with a plausible value."""
    return re.sub(r"\{[^}]+\}", "1", path)


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


async def test_the_read_only_role_may_look_but_every_post_refuses_it(runtime: Any, browser: Any) -> None:
    viewer = await officer(runtime, browser, "vera@delinde.nl", role=READ_ONLY)
    assert (await viewer.get("/inbox"))[0] == 200 and (await viewer.get("/"))[0] == 200
    posts = [p for m, p in _routes(runtime) if m == "POST" and p not in PUBLIC and p != "/logout"]
    assert len(posts) >= 8
    for path in posts:
        status, text = await viewer.post(_concrete(path), text="hallo", note="x", until="2027-01-01")
        assert status == 403 and "alleen leesrechten" in text, path
    assert (await viewer.post("/logout"))[0] == 303  # ending one's own session is no action on data
