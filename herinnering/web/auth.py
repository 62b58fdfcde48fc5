"""Officers' sessions in the web app: the login page, the session cookie, roles and CSRF.

The session cookie is HttpOnly, SameSite=Lax, and Secure when the app is served over https.
Every form carries a CSRF token: the session's own once logged in, and before that (the login
form) a random token that must match a cookie set with the form. A POST without the right
token gets 403 and changes nothing.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from herinnering.services import users
from herinnering.services.threads import Officer
from herinnering.web import i18n
from herinnering.web.keys import PAGES, RUNTIME

log = logging.getLogger(__name__)
SESSION_COOKIE = "herinnering_session"
LOGIN_CSRF_COOKIE = "herinnering_login_csrf"
_OFFICER = web.RequestKey("officer", Officer)
_CSRF = web.RequestKey("csrf", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEAM_LEADS = ("teamlead", "admin")


def _secure(request: web.Request) -> bool:
    return request.app[RUNTIME].settings.server.public_url.startswith("https://")


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="Lax",
                        secure=_secure(request))


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    runtime = request.app[RUNTIME]
    html = request.app[PAGES].get_template(template).render(
        organisation=runtime.settings.organisation, officer=request.get(_OFFICER), csrf=request.get(_CSRF, ""),
        **context,
    )
    return web.Response(text=html, content_type="text/html", status=status)


def officer(request: web.Request) -> Officer:
    found = request.get(_OFFICER)
    assert isinstance(found, Officer), "handler not wrapped in login_required"
    return found


def login_required(*roles: str) -> Callable[[Handler], Handler]:
    """Only for logged-in officers (of `roles`, when given); POSTs must carry the CSRF token."""

    def wrap(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            found = await users.current(request.app[RUNTIME], request.cookies.get(SESSION_COOKIE))
            if found is None:
                if request.method == "GET" and "json" not in request.path:
                    raise web.HTTPSeeOther(location=f"/login?next={request.path_qs}")
                raise web.HTTPUnauthorized(text="log in first")
            request[_OFFICER], request[_CSRF] = found
            if roles and found[0].role not in roles:
                log.warning("officer %s (role %s) refused %s", found[0].id, found[0].role, request.path)
                await users.audit_refused(request.app[RUNTIME], found[0], request.path)
                return page(request, "web/forbidden.html.j2", status=403)
            if request.method == "POST":
                await require_csrf(request, found[1])
            return await handler(request)

        return wrapped

    return wrap


async def require_csrf(request: web.Request, expected: str) -> None:
    form = await request.post()
    given = str(form.get("csrf", "")) or request.headers.get("X-CSRF-Token", "")
    if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("refused a form without a valid CSRF token on %s", request.path)
        raise web.HTTPForbidden(text="CSRF-token ontbreekt of klopt niet / missing or invalid CSRF token")


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/inbox"


async def login_form(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(32)
    request[_CSRF] = token
    response = page(request, "web/login.html.j2", status=status, error=error,
                    next=_safe_next(request.query.get("next", "/inbox")))
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


async def login_get(request: web.Request) -> web.Response:
    return await login_form(request)


async def login_post(request: web.Request) -> web.StreamResponse:
    await require_csrf(request, request.cookies.get(LOGIN_CSRF_COOKIE, ""))
    form = await request.post()
    runtime = request.app[RUNTIME]
    try:
        session = await users.log_in(runtime, str(form.get("email", "")), str(form.get("password", "")))
    except users.LockedOut:
        return await login_form(request, "locked", status=429)
    except users.LoginError:
        return await login_form(request, "wrong", status=401)
    response = redirect(_safe_next(str(form.get("next", "/inbox"))))
    set_cookie(request, response, SESSION_COOKIE, session.token,
               max_age=runtime.settings.conversations.session_hours * 3600)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    i18n.remember(request, response, session.officer.language)  # the pages in the officer's own language
    return response


@login_required()
async def logout(request: web.Request) -> web.StreamResponse:
    await users.log_out(request.app[RUNTIME], request.cookies.get(SESSION_COOKIE, ""), officer(request))
    response = redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_get)
    app.router.add_post("/login", login_post)
    app.router.add_post("/logout", logout)
