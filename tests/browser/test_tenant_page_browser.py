"""The tenant's "mijn huur" page in a real browser (Playwright + chromium, headless) on a small
phone's screen: pay, choose a new collection day, ask for an arrangement and a call-back; a
wrong or expired link is refused; axe-core finds no serious or critical WCAG 2.1 AA problem."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe

from herinnering.adapters.db.tables import tasks
from herinnering.adapters.db.tenant_tables import collection_day_changes
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments.intake import intake_api
from herinnering.services.payments.recollection_screen import record_handed
from herinnering.services.payments.returns import export_recollections
from herinnering.services.tenants.tenant_page import issue_token, page_url
from tests.integration.tenant_centred_helpers import rows

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


async def returned_december(runtime: Any, make_tenant: Any, **fields: Any) -> Any:
    from dataclasses import replace

    tenant = await make_tenant(monthly_rent_cents=65636, **fields)
    runtime.settings = replace(runtime.settings, payments=replace(runtime.settings.payments, api_token="t"))
    runtime.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    report = await intake_api(runtime.db, runtime.settings, runtime.clock, {
        "id": "r1", "contract_id": tenant.external_id, "period": "2026-12", "type": "return",
        "amount_cents": 65636, "reason_code": "AM04"})
    assert report.changes[0].status is PaymentStatus.RETURNED
    return tenant


async def link_for(runtime: Any, tenant: Any) -> str:
    async with runtime.db.begin() as connection:
        return page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                            runtime.clock.now()))


async def serious(page: Any) -> list[str]:
    results = await Axe().run(page, options=WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


async def test_the_tenant_pays_changes_day_asks_for_an_arrangement_and_a_call_back_on_a_phone(
    runtime: Any, make_tenant: Any, chromium_page: Any, artifacts: Path,
) -> None:
    tenant = await returned_december(runtime, make_tenant)
    page = chromium_page
    await page.set_viewport_size({"width": 360, "height": 740})
    url = await link_for(runtime, tenant)
    await page.goto(url)
    assert await page.locator("h1").inner_text() == "Mijn huur"
    assert "656,36" in await page.locator(".amount").inner_text()
    assert await serious(page) == []
    await page.screenshot(path=str(artifacts / "mijn-huur-phone.png"), full_page=True)
    # nothing scrolls sideways on a small phone
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    await page.click("text=Andere incassodag kiezen")
    await page.select_option("#day", "15")
    await page.click("text=Incassodag opslaan")
    assert "Uw nieuwe incassodag is 15" in await page.locator("[role=status]").inner_text()
    [change] = await rows(runtime.db, collection_day_changes)
    assert (change.new_day, change.source) == (15, "page")

    await page.click("text=Betalingsregeling vragen")
    await page.fill("#amount", "75")
    await page.click("text=Voorstel versturen")
    assert "Een medewerker neemt contact" in await page.locator("[role=status]").inner_text()

    await page.click("text=Bel mij terug")
    await page.check("input[value=evening]")
    await page.click("text=Terugbellen aanvragen")
    assert "We bellen u terug" in await page.locator("[role=status]").inner_text()
    made = {t.kind: t for t in await rows(runtime.db, tasks, tasks.c.source == "tenant")}
    assert made["arrangement_request"].data["proposal_cents"] == 7500
    assert made["call_back"].data["part_of_day"] == "evening"
    assert await serious(page) == []

    await page.click("text=Nu betalen")
    await page.wait_for_url("**/pay/**")
    assert "656,36" in await page.content()


async def test_the_page_speaks_the_tenants_language_right_to_left_for_arabic(
    runtime: Any, make_tenant: Any, chromium_page: Any,
) -> None:
    tenant = await returned_december(runtime, make_tenant, language="ar")
    await chromium_page.goto(await link_for(runtime, tenant))
    assert await chromium_page.get_attribute("html", "dir") == "rtl"
    assert await chromium_page.locator("h1").inner_text() == "إيجاري"
    assert await serious(chromium_page) == []


async def test_a_wrong_or_expired_link_is_refused(runtime: Any, make_tenant: Any, chromium_page: Any) -> None:
    tenant = await returned_december(runtime, make_tenant)
    url = await link_for(runtime, tenant)
    wrong = await chromium_page.goto(url[:-4] + "AAAA")
    assert wrong.status == 404 and "werkt niet" in await chromium_page.content()
    runtime.clock.set(runtime.clock.now() + timedelta(days=runtime.settings.self_service.page_link_days, seconds=1))
    expired = await chromium_page.goto(url)
    assert expired.status == 404
    assert await serious(chromium_page) == []


async def test_a_month_the_bank_debits_again_is_explained_not_offered_on_a_laptop_and_a_phone(
    runtime: Any, make_tenant: Any, chromium_page: Any, artifacts: Path,
) -> None:
    mandate = {"iban": "NL73SNSB0485919859", "mandate_id": "DL-MND-2019-0042", "mandate_date": date(2019, 2, 14)}
    tenants = {"nl": await returned_december(runtime, make_tenant, **mandate),
               "ar": await make_tenant(monthly_rent_cents=65636, language="ar", **mandate)}
    await intake_api(runtime.db, runtime.settings, runtime.clock, {
        "id": "r2", "contract_id": tenants["ar"].external_id, "period": "2026-12", "type": "return",
        "amount_cents": 65636, "reason_code": "AM04"})
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, date(2026, 12, 16))
    assert len(export.included) == 2
    await record_handed(runtime, export.batch_id, "lisa@delinde.nl")
    for language, tenant in tenants.items():
        url = await link_for(runtime, tenant)
        for width, height in ((1366, 900), (390, 844)):
            await chromium_page.set_viewport_size({"width": width, "height": height})
            await chromium_page.goto(url)
            notice = await chromium_page.locator("#recollect-1").inner_text()
            assert runtime.settings.organisation.phone in notice
            assert await chromium_page.locator("a.pay").count() == 0
            assert await chromium_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert await serious(chromium_page) == []
            await chromium_page.screenshot(path=str(artifacts / f"mijn-huur-recollect-{language}-{width}.png"),
                                           full_page=True)
        if language == "nl":
            assert "op woensdag 16 december opnieuw af van uw rekening" in notice
