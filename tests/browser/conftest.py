"""Playwright driving Debian's chromium, headless, against the running app.

Without /usr/bin/chromium (or HERINNERING_CHROMIUM) the browser tests are skipped with the
reason shown; CI sets HERINNERING_REQUIRE_BROWSER=1 so a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HERINNERING_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRE = os.environ.get("HERINNERING_REQUIRE_BROWSER") == "1"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).parent / "artifacts"


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
async def chromium_page() -> AsyncIterator[Any]:
    problem = _missing()
    if problem:
        if REQUIRE:
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 860}, locale="nl-NL")
            page = await context.new_page()
            page.set_default_timeout(5000)
            yield page
            await context.close()
        finally:
            await browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def db_url(sqlite_template: Path, tmp_path: Path) -> str:
    """The browser flow runs on SQLite only (the HTTP tests cover PostgreSQL)."""
    from tests.conftest import fresh_sqlite

    return fresh_sqlite(sqlite_template, tmp_path / "browser.db")
