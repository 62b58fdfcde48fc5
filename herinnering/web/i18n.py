"""One language at a time on the officers' pages: Dutch by default, English by a switch.

The officer's choice is kept on their account (`users.language`) and, so that every page and
every live fragment renders in it without another query, in a cookie set at login and by the
switch (POST /taal, web/auth.py). A middleware puts the language of the request in a context
variable that the template global `t(nl, en)` (and the `t` macro in web/_macros.html.j2) reads;
web/words.py puts it, with the officers' words, into the page templates.
"""

from __future__ import annotations

from contextvars import ContextVar

from aiohttp import web

from herinnering.web.keys import RUNTIME
from herinnering.web.reminders.webhooks import Handler

LANGUAGES = ("nl", "en")
COOKIE = "herinnering_lang"
_LANGUAGE: ContextVar[str] = ContextVar("officer_language", default="nl")


def current_language() -> str:
    return _LANGUAGE.get()


def t(nl: str, en: str) -> str:
    """The label in the officer's language, never both."""
    return en if _LANGUAGE.get() == "en" else nl


def chosen(value: str | None) -> str:
    return value if value in LANGUAGES else "nl"


@web.middleware
async def language(request: web.Request, handler: Handler) -> web.StreamResponse:
    _LANGUAGE.set(chosen(request.cookies.get(COOKIE)))
    return await handler(request)


def remember(request: web.Request, response: web.StreamResponse, lang: str) -> None:
    response.set_cookie(COOKIE, chosen(lang), max_age=365 * 24 * 3600, path="/", httponly=True, samesite="Lax",
                        secure=request.app[RUNTIME].settings.server.public_url.startswith("https://"))
