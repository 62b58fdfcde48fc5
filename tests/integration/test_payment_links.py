"""Sandbox payment links: made once, paid through our own page over HTTP, single-use, expiring."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from herinnering.adapters.db.payment_tables import payment_transactions
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.services.payments import balance, payments
from herinnering.services.payments.links import create_payment_link, link_by_public_id
from tests.integration.payment_helpers import ChangeRecorder


async def make_link(runtime: Any, tenant: Any, amount: int = 65636, period: str = "2026-12") -> Any:
    async with runtime.db.begin() as connection:
        return await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period=period,
                                         amount_cents=amount, now=runtime.clock.now())


async def fetch(method: str, url: str, **kwargs: Any) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.request(
        method, url, allow_redirects=False, **kwargs
    ) as response:
        return response.status, await response.text(), response.headers.get("Location", "")


async def link_payments(runtime: Any) -> int:
    async with runtime.db.begin() as connection:
        return (await connection.execute(select(func.count()).select_from(payment_transactions)
                                         .where(payment_transactions.c.source == "link"))).scalar_one()


async def test_a_link_is_made_once_per_tenant_month_and_amount(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    first, second = await make_link(runtime, tenant), await make_link(runtime, tenant)
    assert first == second
    assert first.url.startswith(runtime.settings.server.public_url + "/pay/") and len(first.public_id) >= 32
    assert first.expires_at == runtime.clock.now() + timedelta(days=runtime.settings.payments.link_expiry_days)
    other = await make_link(runtime, tenant, amount=30000)  # the amount changed: a new link replaces the old
    assert other.id != first.id
    async with runtime.db.begin() as connection:
        assert (await link_by_public_id(connection, first.public_id)).state == "cancelled"


async def test_paying_the_sandbox_link_through_its_page_marks_the_month_paid(
    runtime: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    link = await make_link(runtime, tenant)

    code, page, _ = await fetch("GET", link.url)
    assert code == 200
    assert "€ 656,36" in page and "de huur van december 2026 (contract <bdi dir=\"ltr\">HC-100101</bdi>)" in page and "Rabobank" in page

    code, _, location = await fetch("POST", link.url, data={"action": "pay", "bank": "Rabobank"})
    assert (code, location) == (303, f"/pay/{link.public_id}/klaar")
    code, done, _ = await fetch("GET", runtime.settings.server.public_url + location)
    assert code == 200 and "Dank u wel" in done and "niets meer open" in done
    assert "/mijn-huur/" not in done and "de link in ons bericht" in done  # no token brought along: no link

    async with runtime.db.begin() as connection:
        december = await balance.period_status(connection, tenant.id, "2026-12")
        assert (await link_by_public_id(connection, link.public_id)).state == "paid"
    assert (december.status, december.amount_paid_cents, december.source) == (PaymentStatus.PAID, 65636, "link")
    assert [(c.status, c.source, c.period) for c in recorder.changes] == [(PaymentStatus.PAID, "link", "2026-12")]

    # a double click, a reload or a replayed webhook pays nothing more: the link is single-use
    code, _, _ = await fetch("POST", link.url, data={"action": "pay", "bank": "ING"})
    assert code == 303
    code, text, _ = await fetch("POST", runtime.settings.server.public_url + "/webhooks/sandbox",
                                data={"id": f"sbx_{link.public_id}"})
    assert (code, text) == (200, "unchanged")
    assert await link_payments(runtime) == 1 and len(recorder.changes) == 1


async def test_a_webhook_alone_cannot_mark_a_link_paid(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    link = await make_link(runtime, tenant)
    base = runtime.settings.server.public_url
    assert await fetch("POST", base + "/webhooks/sandbox", data={"id": f"sbx_{link.public_id}"}) == (200, "unchanged", "")
    assert await fetch("POST", base + "/webhooks/sandbox", data={"id": "sbx_made-up"}) == (200, "unknown", "")
    assert await link_payments(runtime) == 0


async def test_cancelling_leaves_the_link_open_and_unpaid(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    link = await make_link(runtime, tenant)
    code, _, location = await fetch("POST", link.url, data={"action": "cancel"})
    assert (code, location) == (303, f"/pay/{link.public_id}?geannuleerd=1")
    code, page, _ = await fetch("GET", runtime.settings.server.public_url + location)
    assert code == 200 and "geannuleerd" in page
    assert await link_payments(runtime) == 0


async def test_an_expired_link_cannot_be_paid_and_a_new_one_is_made(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    link = await make_link(runtime, tenant)
    runtime.clock.advance(timedelta(days=runtime.settings.payments.link_expiry_days, seconds=1))
    code, page, _ = await fetch("GET", link.url)
    assert code == 410 and "verlopen" in page
    assert (await fetch("POST", link.url, data={"action": "pay", "bank": "ING"}))[0] == 410
    assert await link_payments(runtime) == 0
    fresh = await make_link(runtime, tenant)
    assert fresh.id != link.id and fresh.state == "open"


async def test_an_unknown_link_is_not_found(runtime: Any) -> None:
    assert (await fetch("GET", runtime.settings.server.public_url + "/pay/not-a-real-link"))[0] == 404


# What the payment page says in each language: the amount, the month it pays, what else is open.
PAGE_WORDS = {
    "nl": ("de huur van december 2026", "Ook nog open", "januari 2027", "Totaal nog te betalen", "Dank u wel",
           "Terug naar Mijn huur"),
    "en": ("the rent for December 2026", "Other months to pay", "January 2027", "Total still to pay", "Thank you",
           "Back to My rent"),
    "tr": ("Aralık 2026 ayının kirasıdır", "Ödenmemiş diğer aylar", "Ocak 2027", "Toplam ödenecek tutar",
           "Teşekkür ederiz", "Kiram sayfasına dönün"),
    "ar": ("إيجار شهر ديسمبر 2026", "أشهر أخرى لم تُدفع بعد", "يناير 2027", "المجموع المتبقي", "شكراً لكم",
           "العودة إلى صفحة إيجاري"),
    "pl": ("czynsz za grudzień 2026", "Inne nieopłacone miesiące", "styczeń 2027", "Łącznie do zapłaty",
           "Dziękujemy", "Powrót do strony Mój czynsz"),
}


@pytest.mark.parametrize("language", list(PAGE_WORDS))
async def test_the_payment_page_says_what_it_pays_in_the_tenants_language_and_its_done_page_leads_home(
    runtime: Any, make_tenant: Any, language: str,
) -> None:
    from herinnering.adapters.templates import money
    from herinnering.services.tenants.tenant_page import issue_token

    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636, language=language)
    covers, others, open_label, total_label, thanks, home = PAGE_WORDS[language]
    async with runtime.db.begin() as connection:
        await payments.record(connection, runtime.settings, [
            Transaction(source="api", source_key=f"return:{p}", kind=TransactionKind.RETURN, amount_cents=65636,
                        contract_id="HC-100101", period=p, reason_code="AC04") for p in ("2026-12", "2027-01")],
            runtime.clock.now())
        token = await issue_token(connection, runtime.settings, tenant.id, runtime.clock.now())
    base = runtime.settings.server.public_url
    code, _, location = await fetch("GET", f"{base}/mijn-huur/{token}/betalen")
    assert code == 303 and location.startswith("/pay/") and f"huur={token}" in location
    code, page, _ = await fetch("GET", base + location)
    assert code == 200 and f'lang="{language}"' in page and ('dir="rtl"' in page) == (language == "ar")
    for words in (covers, others, open_label, total_label, "HC-100101", "020 123 4567", runtime.settings.organisation.name):
        assert words in page, words
    assert money(65636, language) in page and money(2 * 65636, language) in page  # this month; both months

    code, _, done_at = await fetch("POST", base + location.split("?")[0], data={"action": "pay", "bank": "ING",
                                                                                 "huur": token})
    assert code == 303 and done_at.endswith(f"/klaar?huur={token}")
    code, done, _ = await fetch("GET", base + done_at)
    assert code == 200 and thanks in done and home in done and f"/mijn-huur/{token}" in done
    assert money(65636, language) in done  # what is still open: January

    code, done, _ = await fetch("GET", base + done_at.replace(token, "Z" * len(token)))
    assert code == 200 and "/mijn-huur/" not in done  # a token of nobody (or of another tenant) links nowhere
