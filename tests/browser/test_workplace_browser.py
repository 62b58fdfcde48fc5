"""The officers' workplace in Debian's chromium (Playwright, headless) against the running app:
axe-core finds nothing on any screen at desktop and phone width; two officers on one thread
(the second is asked first and both see the owner change live); a canned Turkish reply fills
its variables; a threat before the 14-day letter is refused and goes once the letter is posted; the inbox works by keyboard
alone; the Arabic tenant page shows "020 123 4567" in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe

from herinnering.adapters.db.conversation_tables import threads
from herinnering.adapters.db.tables import messages
from herinnering.clock import local_day
from herinnering.demo.workplace_scene import build, log_in, screens
from herinnering.services.legal.letters import generate, make_post_batch, mark_batch_posted
from tests.integration.conversations import rows, thread_of

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


async def violations(page: Any) -> list[str]:
    """Every axe-core violation, whatever its impact."""
    results = await Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


async def test_every_screen_and_state_has_no_accessibility_violation_at_desktop_and_phone_width(
    runtime: Any, chromium_page: Any, artifacts: Path,
) -> None:
    """One walk through every screen and state (officers', team lead's, and the tenant's own pages
    in all five languages); at each, axe-core runs at both widths on the same page."""
    page, base = chromium_page, runtime.settings.server.public_url
    scene = await build(runtime)
    found: dict[str, list[str]] = {}
    seen = []
    async for screen in screens(runtime, scene, page, base):
        seen.append(screen)
        for width, (w, h) in WIDTHS.items():
            await page.set_viewport_size({"width": w, "height": h})
            problems = await violations(page)
            # the experiments pages have their own layout (issue 19's area); axe checks them, the width does not yet
            if screen != "experiments" and await page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth + 1"):
                problems.append("the page scrolls sideways")
            if problems:
                found[f"{screen} ({width})"] = problems
                await page.screenshot(path=str(artifacts / f"axe-{screen}-{width}.png"), full_page=True,
                                      timeout=30000)
        await page.set_viewport_size({"width": 1366, "height": 900})
    languages = ("nl", "en", "tr", "ar", "pl")
    paying = ("nl", "tr", "ar")  # the direct-debit tenants (en, pl) are debited again, not asked to pay
    for expected in ["recollection", "recollection-file-made", "recollection-handed", "tenant-arrangement-forms",
                     "tenant-arrangement-changed", "tenant-arrangement-cancelled", "arrangements",
                     *(f"{kind}-{lang}" for kind in ("mijn-huur", "pay") for lang in languages),
                     *(f"mijn-huur-{lang}-statement" for lang in languages),
                     *(f"pay-done-{lang}" for lang in paying),
                     *(f"mijn-huur-{lang}-recollect" for lang in ("en", "pl"))]:
        assert expected in seen, expected
    assert found == {}


async def _page_for(browser: Any, base: str, email: str) -> Any:
    context = await browser.new_context(viewport={"width": 1366, "height": 900}, locale="nl-NL")
    page = await context.new_page()
    page.set_default_timeout(5000)
    await log_in(page, base, email)
    return page


async def test_two_officers_on_one_thread_the_second_is_asked_and_both_see_the_owner_live(
    runtime: Any, chromium_page: Any, artifacts: Path,
) -> None:
    base = runtime.settings.server.public_url
    scene = await build(runtime)
    thread = await thread_of(runtime.db, scene.tenants["HC-204518"].id)
    anna = chromium_page
    await log_in(anna, base, "anna@delinde.nl")
    bram = await _page_for(anna.context.browser, base, "bram@delinde.nl")
    url = f"{base}/inbox/threads/{thread.id}"
    await anna.goto(url)
    await bram.goto(url)
    await anna.locator("#presence", has_text="Bram Visser").wait_for()  # who else has it open

    await anna.click("#take-over")
    await anna.wait_for_url("**notice=take-over")
    await bram.locator("#owner", has_text="Anna de Boer").wait_for()  # live, without a reload
    assert "Overnemen van Anna de Boer" in await bram.inner_text("#take-over")

    await bram.click("#take-over")
    await bram.locator("#confirm-take-over").wait_for()  # asked first
    [row] = await rows(runtime.db, threads, threads.c.id == thread.id)
    assert row.assigned_to == scene.officers["anna@delinde.nl"]
    await bram.screenshot(path=str(artifacts / "two-officers-asked.png"), full_page=True)
    await bram.click("#confirm-take-over-button")
    await bram.wait_for_url("**notice=take-over")
    [row] = await rows(runtime.db, threads, threads.c.id == thread.id)
    assert row.assigned_to == scene.officers["bram@delinde.nl"]
    await anna.locator("#owner", has_text="Bram Visser").wait_for()
    assert await anna.locator("#send-reply").is_disabled()
    assert await anna.locator("#reply-lost").is_visible()
    await bram.context.close()


async def test_a_canned_turkish_reply_fills_its_variables_and_a_threat_is_refused(
    runtime: Any, chromium_page: Any,
) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    scene = await build(runtime)
    thread = await thread_of(runtime.db, scene.tenants["HC-204518"].id)
    await log_in(page, base, "anna@delinde.nl")
    await page.goto(f"{base}/inbox/threads/{thread.id}")
    await page.click("#take-over")
    assert "Turks" in await page.inner_text("#reply-to") and "SMS" in await page.inner_text("#reply-to")
    await page.select_option("#canned", "betaallink")
    await page.locator("#sms-size", has_text="UCS-2").wait_for()
    text = await page.input_value("#reply-text")
    assert text.startswith("Sayın Fatma Yılmaz") and "656,36" in text and "/mijn-huur/" in text
    assert "Aralık" in text and "{{" not in text  # the date in Turkish, every variable filled
    assert "sms" in (await page.inner_text("#sms-size")).lower()

    await page.fill("#reply-text", "Als u niet betaalt, schakelen we de deurwaarder in.")
    await page.click("#send-reply")
    alert = page.locator("[role=alert]#notice")
    await alert.wait_for()
    assert "deurwaarder" in await alert.inner_text() and "veertiendagenbrief" in await alert.inner_text()
    assert await rows(runtime.db, messages, messages.c.kind == "officer_reply") == []

    fatma = scene.tenants["HC-204518"]  # once her 14-day letter is posted, the bailiff may be named
    await generate(runtime, fatma, "veertiendagenbrief", by="test")
    batch = await make_post_batch(runtime, by="test")
    await mark_batch_posted(runtime, batch.batch_id, local_day(runtime.clock.now(), runtime.settings), by="test")
    await page.fill("#reply-text", "Als u niet betaalt, schakelen we de deurwaarder in.")
    await page.click("#send-reply")
    await page.wait_for_url("**notice=reply")
    [sent] = await rows(runtime.db, messages, messages.c.kind == "officer_reply")
    assert "deurwaarder" in sent.body and sent.tenant_id == fatma.id


async def test_the_inbox_works_with_the_keyboard_alone(runtime: Any, chromium_page: Any) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    scene = await build(runtime)
    await log_in(page, base, "anna@delinde.nl")
    await page.goto(base + "/inbox")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"
    await page.keyboard.press("j")
    first = await page.evaluate("document.activeElement.getAttribute('href')")
    assert first.startswith("/inbox/threads/")
    await page.keyboard.press("j")
    second = await page.evaluate("document.activeElement.getAttribute('href')")
    assert second != first
    await page.keyboard.press("k")
    assert await page.evaluate("document.activeElement.getAttribute('href')") == first
    await page.keyboard.press("Enter")
    await page.wait_for_url(base + first)
    await page.keyboard.press("?")
    assert await page.locator("#help").is_visible()
    await page.keyboard.press("o")
    await page.wait_for_url("**notice=take-over")
    await page.keyboard.press("r")
    assert await page.evaluate("document.activeElement.id") == "reply-text"
    await page.keyboard.press("Escape")
    await page.keyboard.press("n")
    assert await page.evaluate("document.activeElement.id") == "note-text"
    await page.keyboard.type("Gebeld, belt terug")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**notice=note")
    await page.keyboard.press("b")
    await page.wait_for_url("**notice=hand-back")
    assert (await thread_of(runtime.db, scene.tenants["HC-204518"].id)).owner == "bot"


async def test_the_arabic_tenant_page_shows_the_phone_number_in_order(runtime: Any, chromium_page: Any) -> None:
    from herinnering.services.tenants.tenant_page import issue_token, page_url

    page = chromium_page
    await page.set_viewport_size({"width": 390, "height": 844})
    scene = await build(runtime, days=1)
    ahmed = scene.tenants["HC-204519"]
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, ahmed.id,
                                                           runtime.clock.now()))
    await page.goto(url)
    assert await page.get_attribute("html", "dir") == "rtl"
    number = page.locator("footer bdi")
    assert await number.inner_text() == "020 123 4567"
    lefts = await number.evaluate("""el => { const text = el.firstChild; const r = document.createRange();
        return Array.from(text.textContent).map((c, i) => { r.setStart(text, i); r.setEnd(text, i + 1);
        return r.getBoundingClientRect().left; }); }""")
    assert lefts == sorted(lefts)  # left to right on the screen: 0, 2, 0, 1, 2, 3 …, never reversed
