"""CLI of the officers' workplace.

    herinnering screenshots [--out DIR]   the main screens at 1366x900 and 390x844, as PNG files

One walk through the screens (the walk changes things: a file is made, an arrangement agreed, a
month paid), each screen shot at both widths before the walk moves on.

It builds the workplace scene (herinnering/demo/workplace_scene.py) in a fresh SQLite file with the
shipped fake Twilio server, serves the web app on a free port and drives Debian's chromium
(Playwright; `pip install -e '.[test]'`, never `playwright install`) through the screens."""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
from datetime import UTC, datetime, time
from pathlib import Path

from herinnering.bootstrap import open_runtime
from herinnering.clock import SettableClock
from herinnering.commands.common import console
from herinnering.config import Settings
from herinnering.demo.workplace_scene import DAY_ZERO, build, screens
from herinnering.errors import ConfigError
from herinnering.fakes.twilio_server import FakeTwilio, running_fake_twilio
from herinnering.web.app import serving

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def chromium_path() -> str:
    found = os.environ.get("HERINNERING_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise ConfigError(f"no chromium at {found} (apt-get install -y chromium, or set HERINNERING_CHROMIUM)")
    return found


async def cmd_screenshots(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise ConfigError("screenshots need the playwright package: pip install -e '.[test]'") from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clock = SettableClock(datetime.combine(DAY_ZERO, time(8), tzinfo=UTC))
    fake = FakeTwilio(account_sid="AC" + "5c" * 16, auth_token=secrets.token_hex(16), callback_delay=0.0, clock=clock)
    with tempfile.TemporaryDirectory() as folder:
        async with running_fake_twilio(fake) as twilio_url:
            settings = settings.with_database(f"sqlite+aiosqlite:///{folder}/screens.db").with_twilio(
                account_sid=fake.account_sid, auth_token=fake.auth_token, sms_from="DeLinde",
                whatsapp_from="whatsapp:+3197010203040", api_base_url=twilio_url)
            async with open_runtime(settings, clock) as runtime, serving(runtime, "127.0.0.1", 0) as url:
                runtime.settings = runtime.settings.with_server(public_url=url)
                scene = await build(runtime)
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                                               args=CHROMIUM_ARGS)
                    try:
                        context = await browser.new_context(viewport=WIDTHS["desktop"], locale="nl-NL")
                        page = await context.new_page()
                        async for screen in screens(runtime, scene, page, url):
                            for width_name, size in WIDTHS.items():  # one walk, each screen at both widths
                                await page.set_viewport_size(size)
                                path = out / f"{screen}-{width_name}.png"
                                await page.screenshot(path=str(path), full_page=True)
                                console.print(f"{path}")
                            await page.set_viewport_size(WIDTHS["desktop"])
                        await context.close()
                    finally:
                        await browser.close()
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("screenshots", help="PNGs of the officers' main screens at desktop and phone width")
    p.add_argument("--out", default="screenshots", help="the folder for the PNG files (default: screenshots)")
    p.set_defaults(run=cmd_screenshots)
