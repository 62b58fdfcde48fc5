"""Each branch of the error tree (herinnering/errors.py) reaches the caller with its own HTTP
status through a real route, on both databases: the statuses are set in web/errors.py only."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import aiohttp

from herinnering.adapters.db import user_store
from herinnering.demo.workplace_scene import PASSWORD, build
from herinnering.errors import (
    BadInput,
    Conflict,
    Forbidden,
    HerinneringError,
    LockedOut,
    LoginError,
    NotFound,
    PaymentProviderError,
    ProviderError,
    TemplateError,
)
from herinnering.fakes.mollie_server import FakeMollie, running_fake_mollie
from herinnering.services.payments.links import create_payment_link
from herinnering.web.errors import status_for

MOLLIE_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"


def test_each_branch_has_its_status_and_a_subclass_inherits_it() -> None:
    assert [status_for(e("x")) for e in (BadInput, NotFound, Conflict, Forbidden, LoginError, LockedOut,
                                          ProviderError, PaymentProviderError, TemplateError, HerinneringError)] == [
        422, 404, 409, 403, 401, 429, 503, 503, 500, 400]
    from herinnering.services.conversations.threads import NotOwner
    from herinnering.services.conversations.worklist import TaskError
    assert (status_for(NotOwner("Anna", None)), status_for(TaskError("x"))) == (403, 409)


async def test_the_accounts_page_answers_422_409_403_and_404(runtime: Any, browser: Any) -> None:
    await build(runtime, days=1)
    lisa = browser()
    assert await lisa.log_in("lisa@delinde.nl", PASSWORD) == 303
    async with runtime.db.begin() as connection:
        me = await user_store.by_email(connection, "lisa@delinde.nl")

    status, html = await lisa.post("/gebruikers", name="Sanne", email="sanne@delinde.nl", role="owner")
    assert status == 422 and "role &#39;owner&#39; is not one of" in html  # BadInput
    status, html = await lisa.post("/gebruikers", name="Anna", email="anna@delinde.nl", role="officer")
    assert status == 409 and "anna@delinde.nl has an account already" in html  # Conflict
    status, html = await lisa.post(f"/gebruikers/{me.id}/disable")
    assert status == 403 and "you cannot do that to your own account" in html  # Forbidden
    status, html = await lisa.post("/gebruikers/987654/disable")
    assert status == 404 and "account 987654 does not exist" in html  # NotFound
    async with runtime.db.begin() as connection:
        assert (await user_store.by_id(connection, me.id)).active  # nothing was changed on the way


async def test_a_payment_provider_that_cannot_be_asked_answers_503_with_retry_after(
    runtime: Any, make_tenant: Any, clock: Any,
) -> None:
    tenant = await make_tenant()
    async with running_fake_mollie(FakeMollie(api_key=MOLLIE_KEY, clock=clock)) as fake_url:
        runtime.settings = replace(runtime.settings, payments=replace(
            runtime.settings.payments, provider="mollie", mollie_api_key=MOLLIE_KEY, mollie_api_endpoint=fake_url))
        async with runtime.db.begin() as connection:
            link = await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period="2026-12",
                                             amount_cents=65636, now=runtime.clock.now())
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)  # Mollie now hangs up at once
    runtime.settings = replace(runtime.settings, payments=replace(
        runtime.settings.payments, mollie_api_endpoint=f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"))
    try:
        async with aiohttp.ClientSession() as session, session.post(
                f"{runtime.settings.server.public_url}/webhooks/mollie?link={link.public_id}",
                data={"id": "tr_abc123"}) as response:
            status, body, retry = response.status, await response.json(), response.headers.get("Retry-After")
    finally:
        server.close()
    assert (status, retry) == (503, "60")  # Mollie retries the notification later
    assert body["error"] == PaymentProviderError.__doc__ and "127.0.0.1" not in body["error"]  # no details out


async def test_a_json_api_refusal_is_422_not_400(runtime: Any) -> None:
    """The change feed's API: a cursor it never gave (BadInput through the middleware or the route)."""
    from herinnering.services.privacy import api_tokens

    token = await api_tokens.create(runtime, "erp")
    async with aiohttp.ClientSession() as session, session.get(
            runtime.settings.server.public_url + "/api/changes", params={"after": "bogus"},
            headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status == 422 and "after" in (await response.json())["error"]
