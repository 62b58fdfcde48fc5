"""The "mijn huur" page over real HTTP on SQLite and PostgreSQL: the token opens it, a wrong or
expired token or an inactive tenant gets the same 404, and its forms do what the dialogs do; a
day change is confirmed by message and counted once, guessing is rate-limited, and tokens never
reach a log."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import update

from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_tables import collection_day_changes, tenant_page_tokens
from herinnering.logging_setup import mask_text
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.tenants.tenant_page import (
    issue_token,
    page_url,
    send_page_link,
    token_hash,
)
from tests.integration.conversations import outbox
from tests.integration.tenant_centred_helpers import rows


async def get(url: str, **options: Any) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False, **options) as response:
        return response.status, await response.text(), response.headers


async def test_the_token_opens_the_page_and_nothing_else_does(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(language="pl")
    async with runtime.db.begin() as connection:
        token = await issue_token(connection, runtime.settings, tenant.id, runtime.clock.now())
    [stored] = await rows(runtime.db, tenant_page_tokens)
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash  # only the hash is kept
    status, html, headers = await get(page_url(runtime.settings, token))
    assert status == 200 and "Mój czynsz" in html and 'lang="pl"' in html
    assert headers["Cache-Control"] == "no-store" and headers["Referrer-Policy"] == "no-referrer"
    assert (await get(page_url(runtime.settings, "x" + token[1:])))[0] == 404
    runtime.clock.set(runtime.clock.now() + timedelta(days=15))
    assert (await get(page_url(runtime.settings, token)))[0] == 404


async def test_an_inactive_tenant_has_no_page(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        token = await issue_token(connection, runtime.settings, tenant.id, runtime.clock.now())
        await connection.execute(update(tenants).where(tenants.c.id == tenant.id).values(active=False))
    assert (await get(page_url(runtime.settings, token)))[0] == 404


async def test_the_day_form_records_the_same_change_as_the_dag_dialog(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(collection_day=1)
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                           runtime.clock.now()))
    async with aiohttp.ClientSession() as session:
        async with session.post(url + "/dag", data={"day": "31"}, allow_redirects=False) as response:
            assert response.status == 303 and response.headers["Location"].endswith("?klaar=wrong")
        async with session.post(url + "/dag", data={"day": "20"}) as response:
            assert response.status == 200 and "Uw nieuwe incassodag is 20, vanaf januari 2027" in await response.text()
    [change] = await rows(runtime.db, collection_day_changes)
    assert (change.new_day, change.effective_period, change.source) == (20, "2027-01", "page")


async def test_the_link_goes_out_in_a_message_of_its_own(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        await send_page_link(connection, runtime.settings, tenant, runtime.clock.now())
    [message] = await outbox(runtime.db, "tenant_page_link")
    assert message.context["page_url"].startswith(runtime.settings.server.public_url + "/mijn-huur/")
    assert (await get(message.context["page_url"]))[0] == 200


async def test_a_day_change_is_confirmed_by_one_message_and_a_repeated_post_adds_nothing(
        runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant(collection_day=1, language="en")
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                           runtime.clock.now()))

    async def choose(session: aiohttp.ClientSession, day: str) -> int:
        async with session.post(url + "/dag", data={"day": day}, allow_redirects=False) as response:
            return response.status

    async with aiohttp.ClientSession() as session:
        assert await choose(session, "20") == 303
        assert await choose(session, "20") == 303  # a reload, a double click
        assert set(await asyncio.gather(*(choose(session, "20") for _ in range(6)))) == {303}  # at once
    [change] = await rows(runtime.db, collection_day_changes)
    assert (change.new_day, change.state) == (20, "scheduled")
    [confirmation] = await outbox(runtime.db, "day_change_confirmation")
    await Dispatcher(runtime, "confirm").run_until_idle()  # 10:00 in Amsterdam: in the send window
    [sent] = [m for m in fake_twilio.messages if m["to"] == tenant.phone]
    assert "From January 2027 we will collect the rent on day 20" in sent["body"]
    assert "Did you not make this change?" in sent["body"] and runtime.settings.organisation.phone in sent["body"]

    async with aiohttp.ClientSession() as session:  # another day: a second change, and a second message
        assert await choose(session, "15") == 303
        assert await choose(session, "20") == 303  # back again: it replaces the 15 before it is in force
    changes = await rows(runtime.db, collection_day_changes)
    assert [(c.new_day, c.state) for c in changes] == [(20, "superseded"), (15, "superseded"), (20, "scheduled")]
    assert len(await outbox(runtime.db, "day_change_confirmation")) == 3


async def test_wrong_tokens_are_rate_limited_per_address(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        good = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                            runtime.clock.now()))
    base = runtime.settings.server.public_url
    wrong = [(await get(f"{base}/mijn-huur/guess{n:04d}abcdefghijklmnop"))[0] for n in range(10)]
    assert wrong == [404] * 10
    status, _, headers = await get(f"{base}/mijn-huur/guess9999abcdefghijklmnop")
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert (await get(good))[0] == 429  # even a right token waits: the guesser cannot tell
    assert (await get(f"{base}/pay/guessed-payment-link-id"))[0] == 429  # the payment page shares the limit
    runtime.clock.advance(timedelta(minutes=1))
    assert (await get(good))[0] == 200


async def test_tokens_never_reach_the_access_log(runtime: Any, make_tenant: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        token = await issue_token(connection, runtime.settings, tenant.id, runtime.clock.now())
    with caplog.at_level(logging.DEBUG):
        assert (await get(page_url(runtime.settings, token)))[0] == 200
        async with aiohttp.ClientSession() as session, \
                session.post(page_url(runtime.settings, token) + "/dag", data={"day": "31"}) as response:
            assert response.status == 200
    access = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert "GET /mijn-huur/{token} 200" in " ".join(access) and "POST /mijn-huur/{token}/dag 303" in " ".join(access)
    assert not any(token in r.getMessage() for r in caplog.records)
    assert mask_text(f"refused GET /mijn-huur/{token}/dag") == "refused GET /mijn-huur/‹token›/dag"
