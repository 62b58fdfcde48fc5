"""The second factor in Debian's chromium at desktop and phone width: an officer sets it up
while logging in (required by `[security] require_totp`) by typing over the code of the secret
shown, then logs in with a code; a colleague turns it on from their own page; a team lead
resets it. And a tenant's photo and PDF show in the thread, fetched through our own route.
axe-core finds nothing on any of these pages and states, and none scrolls sideways."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from herinnering.adapters.db.conversation_tables import users
from herinnering.demo.workplace_scene import log_in
from herinnering.domain.privacy.second_factor import code_at
from herinnering.services.privacy import users as user_service
from tests.browser.test_workplace_browser import WIDTHS, violations
from tests.integration.conversations import rows

PASSWORD = "correct horse battery staple"


async def _problems(page: Any) -> list[str]:
    found = await violations(page)
    if await page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
        found.append("the page scrolls sideways")
    return found


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_setting_up_and_signing_in_with_a_code_in_the_browser_has_no_accessibility_violation(
    runtime: Any, chromium_page: Any, artifacts: Path, width: str,
) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    await page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    runtime.settings = dataclasses.replace(
        runtime.settings, security=dataclasses.replace(runtime.settings.security, require_totp=True))
    for email, role in (("anna@delinde.nl", "officer"), ("lisa@delinde.nl", "teamlead")):
        await user_service.add_user(runtime, email, PASSWORD, role, name=email.split("@")[0].title())
    found: dict[str, list[str]] = {}

    async def check(screen: str) -> None:
        if problems := await _problems(page):
            found[screen] = problems
            await page.screenshot(path=str(artifacts / f"axe-{screen}-{width}.png"), full_page=True)

    await log_in(page, base, "anna@delinde.nl")
    assert "/login/tweestaps" in page.url
    await page.locator("#qr svg").wait_for()
    await check("second-factor-enrol-at-login")
    secret = (await page.inner_text("#secret")).replace(" ", "")
    await page.fill("#code", "000000" if code_at(secret, runtime.clock.now()) != "000000" else "111111")
    await page.click("#confirm-code")
    await page.locator("#code-error").wait_for()
    await check("second-factor-enrol-wrong-code")
    await page.fill("#code", code_at(secret, runtime.clock.now()))
    await page.click("#confirm-code")
    await page.wait_for_url(base + "/inbox")
    await page.goto(base + "/tweestaps")
    assert "Aan sinds" in await page.inner_text("#totp-status")
    await check("second-factor-status-on")

    runtime.clock.advance(timedelta(seconds=30))  # a code counts once: the next login needs the next one
    await log_in(page, base, "anna@delinde.nl")
    assert "/login/code" in page.url
    await check("second-factor-code")
    await page.fill("#code", "000000" if code_at(secret, runtime.clock.now()) != "000000" else "111111")
    await page.click("#code-form button[type=submit]")
    await page.locator("#code-error").wait_for()
    await check("second-factor-wrong-code")
    await page.fill("#code", code_at(secret, runtime.clock.now()))
    await page.click("#code-form button[type=submit]")
    await page.wait_for_url(base + "/inbox")

    runtime.settings = dataclasses.replace(
        runtime.settings, security=dataclasses.replace(runtime.settings.security, require_totp=False))
    await log_in(page, base, "lisa@delinde.nl")  # not required now: she turns it on herself
    await page.goto(base + "/tweestaps")
    await check("second-factor-status-off")
    await page.click("#start-totp")
    await page.locator("#qr svg").wait_for()
    await check("second-factor-enrol-own-account")
    lisa_secret = (await page.inner_text("#secret")).replace(" ", "")
    await page.fill("#code", code_at(lisa_secret, runtime.clock.now()))
    await page.click("#confirm-code")
    await page.locator("#totp-done").wait_for()
    await page.goto(base + "/gebruikers")
    [anna] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    await page.click(f"form[action='/gebruikers/{anna.id}/totp-reset'] button")
    await page.locator("[role=status]", has_text="anna@delinde.nl").wait_for()
    await check("users-second-factor-reset")
    [anna] = await rows(runtime.db, users, users.c.email == "anna@delinde.nl")
    assert anna.totp_secret is None
    assert found == {}


@pytest.mark.parametrize("width", list(WIDTHS))
async def test_a_tenants_photo_and_pdf_show_in_the_thread_without_an_accessibility_violation(
    runtime: Any, chromium_page: Any, artifacts: Path, fake_twilio: Any, make_tenant: Any, width: str,
) -> None:
    from tests.integration.conversations import tenant_writes, thread_of

    page, base = chromium_page, runtime.settings.server.public_url
    await page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    await user_service.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer", name="Anna")
    tenant = await make_tenant(name="Fatma Yılmaz")
    await tenant_writes(runtime, fake_twilio, tenant.phone, "Hierbij de foto.", channel="whatsapp",
                        attachments=[("image/png", PHOTO), ("application/pdf", b"%PDF-1.4\n%%EOF\n")])
    thread = await thread_of(runtime.db, tenant.id)
    await log_in(page, base, "anna@delinde.nl")
    await page.goto(f"{base}/inbox/threads/{thread.id}")
    image = page.locator(".attachments img")
    await image.wait_for()
    assert await image.evaluate("img => img.complete && img.naturalWidth") == 4  # fetched through our route
    assert await page.locator(".attachment-file", has_text="PDF").count() == 1
    assert fake_twilio.url not in await page.content()
    problems = await _problems(page)
    if problems:
        await page.screenshot(path=str(artifacts / f"axe-thread-attachments-{width}.png"), full_page=True)
    assert problems == []


PHOTO = bytes.fromhex(  # a 4×4 PNG, green
    "89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63e0cef3872306e2"
    "380041030c810cfd75200000000049454e44ae426082")
