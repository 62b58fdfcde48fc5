"""An officer's browser over real HTTP (own cookies, CSRF token picked up from pages) and a
logged-in officer, for every test of the staff pages."""

from __future__ import annotations

import re
from typing import Any

import aiohttp

from herinnering.services.privacy import users as user_service

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """An HTTP client with its own cookies, like one officer's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path) as response:
            text = await response.text()
            if found := _CSRF.search(text):
                self.csrf = found.group(1)
            return response.status, text

    async def post(self, path: str, csrf: str | None = None, **form: str) -> tuple[int, str]:
        data = {**form, **({"csrf": self.csrf if csrf is None else csrf} if csrf != "" else {})}
        async with self.session.post(self.base + path, data=data, allow_redirects=False) as response:
            return response.status, response.headers.get("Location", "") or await response.text()

    async def log_in(self, email: str, password: str = PASSWORD) -> int:
        await self.get("/login")
        status, _ = await self.post("/login", email=email, password=password)
        await self.get("/inbox")
        return status


async def officer(runtime: Any, browser: Any, email: str = "anna@delinde.nl", role: str = "officer") -> Browser:
    await user_service.add_user(runtime, email, PASSWORD, role, name=email.split("@")[0].title())
    b = browser()
    assert await b.log_in(email) == 303
    return b
