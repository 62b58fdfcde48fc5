"""One language at a time on the officers' pages: Dutch by default, English by a switch.

The officer's choice is kept on their account (`users.language`) and, so that every page and
every live fragment renders in it without another query, in a cookie set at login and by the
switch. A middleware puts the language of the request in a context variable that the template
global `t(nl, en)` (and the `t` macro in web/_macros.html.j2) reads.
"""

from __future__ import annotations

from contextvars import ContextVar

from aiohttp import web
from yarl import URL

from herinnering.web.keys import PAGES, RUNTIME
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


async def switch(request: web.Request) -> web.StreamResponse:
    """POST /taal: the officer's language, kept on their account (and in the cookie)."""
    from herinnering.services.privacy import users
    from herinnering.web.auth import SESSION_COOKIE, require_csrf

    runtime = request.app[RUNTIME]
    found = await users.current(runtime, request.cookies.get(SESSION_COOKIE))
    form = await request.post()
    lang = chosen(str(form.get("lang", "")))
    if found is not None:
        await require_csrf(request, found[1])
        await users.set_language(runtime, found[0].id, lang)
    back = _back(request)
    response = web.Response(status=303, headers={"Location": back})
    remember(request, response, lang)
    return response


def _back(request: web.Request) -> str:
    """Back to the page the switch was pressed on (its path on this site), else the work list."""
    referer = URL(request.headers.get("Referer", ""))
    if referer.host is not None and referer.host != request.url.host:
        return "/werk"
    path = referer.path_qs if referer.path else ""
    return path if path.startswith("/") and not path.startswith("//") and path != "/taal" else "/werk"


def setup(app: web.Application) -> None:
    from herinnering.web.words import GLOBALS

    app[PAGES].globals.update(t=t, current_language=current_language, **GLOBALS)
    app.router.add_post("/taal", switch)
