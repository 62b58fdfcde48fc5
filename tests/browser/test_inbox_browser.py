"""The officer's inbox in a real browser (Playwright + chromium, headless) against the running
app: log in, see a tenant's SMS appear live, take over, reply, hand back; forged forms are
refused and an officer cannot open the audit log. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from herinnering.services.privacy import users
from herinnering.services.reminders.dispatch import Dispatcher
from tests.integration.conversations import tenant_writes as send_sms
from tests.integration.conversations import thread_of

PASSWORD = "correct horse battery staple"


async def log_in(page: Any, base: str, email: str) -> None:
    await page.goto(base + "/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(base + "/inbox")


async def test_an_officer_sees_a_reply_arrive_takes_over_answers_and_hands_back(
    runtime: Any, make_tenant: Any, fake_twilio: Any, chromium_page: Any, artifacts: Path,
) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    await users.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer", name="Anna de Boer")
    fatma = await make_tenant(name="Fatma Yılmaz", external_id="HC-204518")
    await log_in(page, base, "anna@delinde.nl")
    assert "Geen gesprekken" in await page.inner_text("#threads")

    started = time.monotonic()
    await send_sms(runtime, fake_twilio, fatma.phone, "Ik kan de huur pas op de 5e betalen, kan dat?")
    row = page.locator("tr.thread", has_text="Fatma Yılmaz")
    await row.wait_for(timeout=1000)  # live, without a reload, within a second
    assert time.monotonic() - started < 1.0
    assert "kan dat?" in await row.inner_text() and await page.inner_text("#unread") == "1"
    await page.screenshot(path=str(artifacts / "inbox.png"), full_page=True)

    await row.locator("a").click()
    thread = await thread_of(runtime.db, fatma.id)
    await page.wait_for_url(f"{base}/inbox/threads/{thread.id}")
    await page.click("#take-over")
    await page.wait_for_url(f"**/inbox/threads/{thread.id}?notice=take-over")
    assert (await thread_of(runtime.db, fatma.id)).owner == "officer"

    await send_sms(runtime, fake_twilio, fatma.phone, "Hallo?")  # the bot stays silent now
    await page.locator("#conversation .msg", has_text="Hallo?").wait_for(timeout=2000)
    answer = "Dag mevrouw Yılmaz, de 5e is goed. Ik zet het voor u vast. Groet, Anna"
    await page.fill("textarea[name=text]", answer)
    await page.click("#send-reply")
    await page.wait_for_url("**notice=reply")
    await Dispatcher(runtime, "w").run_until_idle()
    assert [m["body"] for m in fake_twilio.messages].count(answer) == 1
    assert sum("Een medewerker" in m["body"] for m in fake_twilio.messages) == 1  # only the first acknowledgement
    await page.reload()
    await page.screenshot(path=str(artifacts / "thread.png"), full_page=True)

    await page.click("#hand-back")
    await page.wait_for_url("**notice=hand-back")
    assert (await thread_of(runtime.db, fatma.id)).owner == "bot"
    await send_sms(runtime, fake_twilio, fatma.phone, "Dank u wel!")
    await Dispatcher(runtime, "w").run_until_idle()
    assert "Een medewerker neemt contact met u op" in fake_twilio.messages[-1]["body"]


async def test_a_forged_csrf_token_is_refused_and_an_officer_cannot_open_the_audit_log(
    runtime: Any, make_tenant: Any, fake_twilio: Any, chromium_page: Any,
) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    await users.add_user(runtime, "anna@delinde.nl", PASSWORD, "officer")
    fatma = await make_tenant()
    await send_sms(runtime, fake_twilio, fatma.phone, "Vraag over mijn huur")
    thread = await thread_of(runtime.db, fatma.id)
    await log_in(page, base, "anna@delinde.nl")
    await page.goto(f"{base}/inbox/threads/{thread.id}")
    await page.eval_on_selector_all("input[name=csrf]", "els => els.forEach(e => e.value = 'forged')")
    async with page.expect_response(f"**/inbox/threads/{thread.id}/take-over") as answer:
        await page.click("#take-over")
    assert (await answer.value).status == 403
    assert (await thread_of(runtime.db, fatma.id)).owner == "bot"

    response = await page.goto(base + "/audit")
    assert response.status == 403 and "alleen voor teamleiders" in await page.inner_text("body")
