"""The experiment report in a real browser (Playwright + Debian's chromium, headless), as a team
lead reads it on a laptop (1366x900) and on a phone (390x844): the conclusion first, in Dutch,
the uplift chart, nothing scrolling sideways, and axe-core finds no serious or critical WCAG
2.1 AA problem. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe

from herinnering.domain.reminders.planning import Period
from herinnering.services.experiments import simulation
from herinnering.services.privacy import users

PASSWORD = "correct horse battery staple"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}


async def serious(page: Any) -> list[str]:
    results = await Axe().run(page, options=WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


async def test_a_team_lead_reads_the_report_on_a_laptop_and_a_phone(
    runtime: Any, chromium_page: Any, artifacts: Path,
) -> None:
    spec = simulation.Spec(tenants=1200, base_rate=0.70, uplift=0.08, seed=5)
    await simulation.simulate(runtime.db, runtime.settings, runtime.templates, spec, Period(2027, 1))
    declared = replace(simulation.experiment(spec, datetime(2026, 11, 22).date(), datetime(2027, 3, 4).date()),
                       title="Herinnering vooraf: vriendelijke toon")
    runtime.settings = replace(runtime.settings, experiments=(declared,))
    runtime.clock.set(datetime(2027, 2, 20, 9, 0, tzinfo=UTC))
    await users.add_user(runtime, "lead@delinde.nl", PASSWORD, "teamlead", name="Lotte de Vries")

    page, base = chromium_page, runtime.settings.server.public_url
    await page.set_viewport_size({"width": 1366, "height": 900})
    await page.goto(base + "/login")
    await page.fill("input[name=email]", "lead@delinde.nl")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    await page.goto(base + "/experiments/simulation")
    assert await page.locator("h1").inner_text() == "Herinnering vooraf: vriendelijke toon"
    first = page.locator("p.conclusion").first
    text = await first.inner_text()
    assert text.startswith("CONCLUSIE") or text.startswith("Conclusie")
    assert "Variant kind:" in text and "%-punt meer huurders betaald op de incassodag" in text
    assert "kans dat kind beter is:" in text
    assert await page.locator("img[alt^='Verschil per variant']").count() == 1
    assert "paid_by_debit_date" not in await page.content()
    assert await serious(page) == []
    await page.screenshot(path=str(artifacts / "experiment-laptop.png"), full_page=True)

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.reload()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await serious(page) == []
    await page.screenshot(path=str(artifacts / "experiment-phone.png"), full_page=True)
