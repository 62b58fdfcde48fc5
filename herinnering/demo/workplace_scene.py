"""A small, realistic day for the officers' workplace: three tenants behind on December's rent
(Turkish, Arabic, Dutch), the ladder run to day 14 (links sent, a call and a letter to do), a
tenant who answers BETAALD, a payment nobody could match, an unknown number writing in, and two
officers. Built through the real services (payments, ladder, dispatcher, inbound), so the pages
show what production would. Used by the browser tests and `herinnering screenshots`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from herinnering.clock import local_day
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.domain.tenants.tenant_csv import TenantRecord
from herinnering.runtime import Runtime
from herinnering.services.conversations import inbound, thread_lookup
from herinnering.services.payments import account
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.privacy import users
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.tenants import actions
from herinnering.services.tenants.importing import store_records

PASSWORD = "correct horse battery staple"
PERIOD = "2026-12"
DAY_ZERO = date(2026, 12, 2)
OFFICERS = (("anna@delinde.nl", "Anna de Boer", "officer"), ("bram@delinde.nl", "Bram Visser", "officer"),
            ("lisa@delinde.nl", "Lisa Smit", "teamlead"))
TENANTS = (
    ("HC-204518", "Fatma Yılmaz", "+31612345678", "tr", 65636),
    ("HC-204519", "Ahmed El Amrani", "+31201234567", "ar", 71200),
    ("HC-204520", "Jan de Vries", "+31687654321", "nl", 74550),
)
# Two direct-debit tenants with a signed mandate whose debit comes back later in the month (AM04,
# MS03): their re-collection is scheduled for after Christmas, so the re-collection screen has a
# file to make; they also read "mijn huur" and the payment page in Polish and English.
DIRECT_DEBIT = (
    ("HC-204521", "Katarzyna Nowak", "+31611122233", "pl", 69800, "NL20INGB0001234567", "MD-204521", "AM04"),
    ("HC-204522", "Emily Clarke", "+31611122244", "en", 81000, "NL44RABO0417164300", "MD-204522", "MS03"),
)
DIRECT_DEBIT_RETURN_DAY = 9  # Friday 11 December
SLOW = 30_000  # ms: a form that makes a file or pays waits on the server, which a loaded CI machine slows down


@dataclass(frozen=True)
class Scene:
    tenants: dict[str, Any]  # by contract id
    officers: dict[str, int]  # by e-mail
    unknown_phone: str


def _morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


async def build(runtime: Runtime, *, days: int = 14) -> Scene:
    runtime.clock.set(_morning(DAY_ZERO) - timedelta(hours=1))
    officers = {email: await users.add_user(runtime, email, PASSWORD, role, name=name)
                for email, name, role in OFFICERS}
    found = await store_records(runtime.db, [
        TenantRecord(external_id=contract, name=name, phone=phone, channel="sms", language=language,
                     monthly_rent_cents=rent, collection_day=1, iban=None)
        for contract, name, phone, language, rent in TENANTS] + [
        TenantRecord(external_id=contract, name=name, phone=phone, channel="sms", language=language,
                     monthly_rent_cents=rent, collection_day=1, iban=iban, payment_method="incasso",
                     mandate_id=mandate, mandate_date=date(2019, 3, 1))
        for contract, name, phone, language, rent, iban, mandate, _ in DIRECT_DEBIT], runtime.clock.now())
    await account.record(runtime, [
        Transaction(source="api", source_key=f"scene:return:{contract}", kind=TransactionKind.RETURN,
                    amount_cents=rent, contract_id=contract, period=PERIOD, reason_code=code, booked_on=DAY_ZERO)
        for (contract, _, _, _, rent), code in zip(TENANTS, ("AM04", "MD06", "AC04"), strict=True)])
    for offset in range(days + 1):
        runtime.clock.set(_morning(DAY_ZERO + timedelta(days=offset)))
        if offset == DIRECT_DEBIT_RETURN_DAY:
            await account.record(runtime, [
                Transaction(source="api", source_key=f"scene:return:{contract}", kind=TransactionKind.RETURN,
                            amount_cents=rent, contract_id=contract, period=PERIOD, reason_code=code,
                            booked_on=runtime.clock.now().date())
                for contract, _, _, _, rent, _, _, code in DIRECT_DEBIT])
        await ladder_tick(runtime)
        await Dispatcher(runtime, "scene").run_until_idle()
    await account.record(runtime, [Transaction(
        source="camt", source_key="scene:camt:unmatched", kind=TransactionKind.PAYMENT, amount_cents=65636,
        references=("HUUR DECEMBER FAM YILMAZ",), booked_on=DAY_ZERO + timedelta(days=days))])
    runtime.clock.set(_morning(DAY_ZERO + timedelta(days=days)) + timedelta(hours=1))
    to = runtime.settings.twilio.sms_from or "DeLinde"
    await inbound.receive(runtime, inbound.Inbound("SMscene1", "+31687654321", to, "BETAALD"))
    await inbound.receive(runtime, inbound.Inbound(
        "SMscene2", "+31612345678", to, "Merhaba, maaşım 20'sinde geliyor. Ödemeyi o zaman yapabilir miyim?"))
    unknown = "+31655500011"
    await inbound.receive(runtime, inbound.Inbound("SMscene3", unknown, to, "Goedemiddag, dit is het nieuwe "
                                                                             "nummer van Ahmed El Amrani."))
    return Scene(found, officers, unknown)


async def log_in(page: Any, base: str, email: str) -> None:
    await page.context.clear_cookies()
    await page.goto(base + "/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()


async def screens(runtime: Runtime, scene: Scene, page: Any, base: str) -> AsyncIterator[str]:
    """Walk a browser page through the main screens and states; yields each screen's name while
    the page shows it (for a screenshot, or an accessibility check)."""
    from playwright.async_api import expect  # the browser tests' extra, not the app's

    threads = {contract: await thread_lookup.of_tenant(runtime, tenant.id) for contract, tenant in scene.tenants.items()}
    tokens = {contract: (await actions.page_link(runtime, contract, send=False))[0] for contract in scene.tenants}
    await page.context.clear_cookies()
    await page.goto(base + "/login")
    yield "login"
    await log_in(page, base, "anna@delinde.nl")
    await page.goto(base + "/werk")
    yield "work-list"
    await page.goto(base + "/inbox")
    yield "inbox"
    fatma = threads["HC-204518"]
    await page.goto(f"{base}/inbox/threads/{fatma.id}")
    yield "thread-with-tenant-panel"
    if await page.locator("#take-over").is_visible():  # not when this officer holds it already
        await page.click("#take-over")
    await page.wait_for_selector("#reply-text")
    await page.select_option("#canned", "betaallink")
    await expect(page.locator("#reply-text")).not_to_have_value("")
    yield "thread-taken-over-canned-reply"
    unknown = await _unknown_thread(runtime, scene)
    await page.goto(f"{base}/inbox/threads/{unknown}")
    yield "thread-unknown-number"
    await page.goto(f"{base}/huurders?q=amrani")
    yield "tenant-search"
    await page.goto(f"{base}/huurders/{scene.tenants['HC-204519'].id}")
    yield "tenant-page"
    await page.goto(f"{base}/templates")
    yield "templates"
    await log_in(page, base, "bram@delinde.nl")
    await page.goto(f"{base}/inbox/threads/{fatma.id}")
    await page.click("#take-over")
    await page.wait_for_selector("#confirm-take-over")
    yield "thread-colleague-asks-first"
    await log_in(page, base, "lisa@delinde.nl")
    for path, name in (("/dashboard", "dashboard"), ("/audit", "audit"), ("/risico", "risk"), ("/gebruikers", "users"), ("/wgs", "wgs"),
                       ("/experiments", "experiments")):
        await page.goto(base + path)
        yield name
    # The direct-debit tenants see their page and the payment page (with its warning) before the
    # re-collection file is made; once it is, their month is debited again and not offered for payment.
    for contract, *_ in DIRECT_DEBIT:
        async for name in _tenant_screens(page, tokens[contract], scene.tenants[contract].language, pay=False):
            yield name
    await log_in(page, base, "lisa@delinde.nl")
    async for name in _recollection_screens(page, base):
        yield name
    await log_in(page, base, "anna@delinde.nl")
    async for name in _arrangement_screens(runtime, scene, page, base):
        yield name
    for contract in ("HC-204519", "HC-204518", "HC-204520", "HC-204521", "HC-204522"):
        async for name in _tenant_screens(page, tokens[contract], scene.tenants[contract].language):
            yield name


async def _recollection_screens(page: Any, base: str) -> AsyncIterator[str]:
    """A team lead's re-collection file: what would go in, the file made, handed to the bank."""
    await page.goto(base + "/herincasso")
    yield "recollection"
    make = page.locator("form[action='/herincasso/bestand'] button")
    if await make.count():
        await make.first.click()
        await page.wait_for_url("**notice=made**", timeout=SLOW)
        yield "recollection-file-made"
        await page.locator("form[action$='/bank'] button").first.click()
        await page.wait_for_url("**notice=handed**", timeout=SLOW)
        yield "recollection-handed"


async def _arrangement_screens(runtime: Runtime, scene: Scene, page: Any, base: str) -> AsyncIterator[str]:
    """An officer agrees an arrangement, opens its change and cancel forms, changes it; the team's
    list; and another tenant's arrangement cancelled."""
    first = (local_day(runtime.clock.now(), runtime.settings) + timedelta(days=12)).isoformat()
    for contract, cancel in (("HC-204520", False), ("HC-204521", True)):
        await page.goto(f"{base}/huurders/{scene.tenants[contract].id}")
        if not await page.locator(".arrangement").count():
            await page.fill("#arr-count", "3")
            await page.fill("#arr-first", first)
            await page.click("#arrangement-form button[type=submit]")
            await page.wait_for_url("**notice=arrangement**", timeout=SLOW)
        arrangement = page.locator(".arrangement").first
        for summary in await arrangement.locator("summary").all():
            await summary.click()
        if cancel:
            await arrangement.locator("input[name=reason]").last.fill("Huurder betaalt liever in een keer")
            await arrangement.locator("button.danger").click()
            await page.wait_for_url("**notice=cancelled**", timeout=SLOW)
            yield "tenant-arrangement-cancelled"
            continue
        yield "tenant-arrangement-forms"
        await arrangement.locator("input[name=count]").fill("4")
        await arrangement.locator("input[name=first]").fill(first)
        await arrangement.locator("input[name=reason]").first.fill("Ander inkomen vanaf januari")
        await arrangement.locator("form[action$='/wijzigen'] button").click()
        await page.wait_for_url("**notice=changed**", timeout=SLOW)
        yield "tenant-arrangement-changed"
        await page.goto(base + "/regelingen")
        yield "arrangements"


async def _tenant_screens(page: Any, url: str, language: str, *, pay: bool = True) -> AsyncIterator[str]:
    """The tenant's own pages in their language: mijn huur (with the statement opened; with the
    notice when a month is debited again), the payment page it leads to, and the done page after
    paying (`pay=False`: the payment page only)."""
    await page.context.clear_cookies()
    await page.goto(url, timeout=SLOW)
    button = page.locator("a.button.pay")
    # a month in a re-collection file: a notice that the bank debits it again, and nothing to pay
    recollected = await page.locator("[id^=recollect-]").count() > 0 and not await button.count()
    yield f"mijn-huur-{language}-recollect" if recollected else f"mijn-huur-{language}"
    statement = page.locator("#overzicht summary")
    if await statement.count() and not recollected:
        await statement.click()
        yield f"mijn-huur-{language}-statement"
    if await button.count():
        await button.click()
        await page.wait_for_url("**/pay/**", timeout=SLOW)
        yield f"pay-{language}"
        if not pay:
            return
        await page.select_option("#bank", "ING")
        await page.click("button.pay")
        await page.wait_for_url("**/klaar**", timeout=SLOW)
        yield f"pay-done-{language}"


async def _unknown_thread(runtime: Runtime, scene: Scene) -> int:
    found = await thread_lookup.of_phone(runtime, scene.unknown_phone)
    assert found is not None, "the unknown number's message started a thread"
    return found
