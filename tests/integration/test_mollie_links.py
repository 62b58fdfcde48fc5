"""Mollie payment links through the official mollie-api-python client, against the shipped
Mollie-compatible server over real HTTP; the webhook carries only an id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from herinnering.adapters.payment_providers import build_provider
from herinnering.config import Settings, load_settings
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.fakes.mollie_server import FakeMollie, MollieApiError, running_fake_mollie
from herinnering.services.payments import balance
from herinnering.services.payments.links import create_payment_link, link_by_public_id
from tests.integration.payment_helpers import ChangeRecorder

API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"


@pytest.fixture
async def fake_mollie(clock: Any) -> AsyncIterator[FakeMollie]:
    state = FakeMollie(api_key=API_KEY, clock=clock)
    async with running_fake_mollie(state):
        yield state


@pytest.fixture
def settings(db_url: str, fake_mollie: FakeMollie) -> Settings:
    base = load_settings(environ={}).with_database(db_url)
    return replace(base, payments=replace(base.payments, provider="mollie", mollie_api_key=API_KEY,
                                          mollie_api_endpoint=fake_mollie.url))


async def make_link(runtime: Any, tenant: Any, amount: int = 65636) -> Any:
    async with runtime.db.begin() as connection:
        return await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period="2026-12",
                                         amount_cents=amount, now=runtime.clock.now())


async def post(url: str, **kwargs: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, allow_redirects=False, **kwargs) as response:
        return response.status, await response.text()


async def test_a_mollie_link_carries_amount_expiry_and_webhook(runtime: Any, make_tenant: Any,
                                                               fake_mollie: FakeMollie) -> None:
    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    link = await make_link(runtime, tenant)
    assert link.provider == "mollie" and link.url.startswith(f"{fake_mollie.url}/checkout/pl_")
    [made] = fake_mollie.links.values()
    assert made["amount"] == {"currency": "EUR", "value": "656.36"}
    assert made["description"] == "Huur december 2026, contract HC-100101"
    assert made["expiresAt"] == (runtime.clock.now() + timedelta(days=14)).isoformat(timespec="seconds")
    assert made["webhookUrl"] == f"{runtime.settings.server.public_url}/webhooks/mollie?link={link.public_id}"
    assert made["allowedMethods"] == ["ideal"]
    assert list(fake_mollie.idempotent) == [f"herinnering-link-{link.public_id}"]
    assert await make_link(runtime, tenant) == link  # asked again: the same link, no second call
    assert len(fake_mollie.links) == 1


async def test_paying_at_mollie_marks_the_month_paid_through_the_webhook(
    runtime: Any, make_tenant: Any, fake_mollie: FakeMollie, recorder: ChangeRecorder,
) -> None:
    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    link = await make_link(runtime, tenant)

    code, _ = await post(link.url)  # the tenant presses Pay at Mollie's checkout
    assert code == 303

    [call] = fake_mollie.webhooks
    assert call["id"].startswith("tr_") and call["status"] == 200
    async with runtime.db.begin() as connection:
        december = await balance.period_status(connection, tenant.id, "2026-12")
        assert (await link_by_public_id(connection, link.public_id)).state == "paid"
    assert (december.status, december.amount_paid_cents) == (PaymentStatus.PAID, 65636)
    assert [(c.status, c.source) for c in recorder.changes] == [(PaymentStatus.PAID, "link")]

    # Mollie retries a webhook it thinks failed: nothing changes the second time
    code, text = await post(call["url"], data={"id": call["id"]})
    assert (code, text) == (200, "unchanged") and len(recorder.changes) == 1


async def test_a_forged_mollie_webhook_changes_nothing(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    link = await make_link(runtime, tenant)
    base = runtime.settings.server.public_url
    # an unpaid link's own id, or with our link named in the query: Mollie says "not paid"
    assert await post(f"{base}/webhooks/mollie?link={link.public_id}", data={"id": "tr_forged0001"}) == (200, "unchanged")
    assert await post(f"{base}/webhooks/mollie", data={"id": "tr_unknown0001"}) == (200, "unknown")
    async with runtime.db.begin() as connection:
        assert await balance.period_status(connection, tenant.id, "2026-12") is None


async def test_an_expired_mollie_link_cannot_be_paid(runtime: Any, make_tenant: Any, fake_mollie: FakeMollie) -> None:
    tenant = await make_tenant()
    link = await make_link(runtime, tenant)
    runtime.clock.advance(timedelta(days=15))
    code, _ = await post(link.url)
    assert code == 410 and fake_mollie.webhooks == []
    with pytest.raises(MollieApiError, match="expired"):
        await fake_mollie.pay(next(iter(fake_mollie.links)))


async def test_a_wrong_mollie_key_is_refused_by_the_server(settings: Settings, fake_mollie: FakeMollie) -> None:
    from herinnering.adapters.payment_providers import PaymentProviderError

    wrong = replace(settings, payments=replace(settings.payments, mollie_api_key="test_wrongwrongwrong"))
    with pytest.raises(PaymentProviderError, match="authenticate"):
        await build_provider(wrong).fetch("pl_doesnotmatter")
