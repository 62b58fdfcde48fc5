"""The "mijn huur" page over real HTTP on SQLite and PostgreSQL: the token opens it, a wrong or
expired token or an inactive tenant gets the same 404, and its forms do what the dialogs do."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from sqlalchemy import update

from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_centred_tables import collection_day_changes, tenant_page_tokens
from herinnering.services.tenant_page import issue_token, page_url, send_page_link, token_hash
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
