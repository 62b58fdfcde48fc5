"""Officers' sessions in the web app: the login page, the session cookie, roles and CSRF, and
the switch of the pages' language (POST /taal).

Login is the default: the `access` middleware refuses an anonymous request to every route
that is not in `PUBLIC` (each entry says why it must be public), so a new page is
protected without anyone remembering to. Logged-in requests carry the officer; a POST must
carry the session's CSRF token, and the read-only role ("viewer") may look but never POST.

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
from urllib.parse import urlencode

from aiohttp import web
from yarl import URL

from herinnering.services.conversations.threads import Officer
from herinnering.services.privacy import users
from herinnering.web import i18n
from herinnering.web.keys import PAGES, RUNTIME

log = logging.getLogger(__name__)
SESSION_COOKIE = "herinnering_session"
LOGIN_CSRF_COOKIE = "herinnering_login_csrf"
PENDING_COOKIE = "herinnering_second_factor"  # a correct password, waiting for the code
_OFFICER = web.RequestKey("officer", Officer)
_CSRF = web.RequestKey("csrf", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEAM_LEADS = ("teamlead", "admin")
READ_ONLY = "viewer"
# POSTs the read-only role may make: they change only the officer's own session or preferences.
OWN_SETTINGS = {"/logout": "ends one's own session", "/taal": "one's own page language",
                "/tweestaps": "one's own second factor", "/tweestaps/start": "one's own second factor"}

# Routes (their canonical path in the route table) that answer without an officer's login.
PUBLIC: dict[str, str] = {
    "/login": "the login form itself",
    "/login/code": "the second step of logging in; the handler requires the pending session of a correct password",
    "/login/tweestaps": "setting up the required second factor while logging in; the handler requires the pending "
                        "session of a correct password",
    "/taal": "the pages' language before logging in (a cookie only; with a session it needs the CSRF token)",
    "/health": "readiness probe of the orchestrator; says only whether the database answers",
    "/readyz": "readiness probe of the orchestrator; says only whether the database answers",
    "/healthz": "liveness probe; says only whether the process answers and the provider circuit state",
    "/metrics": "Prometheus scrapes without a login; counts labelled by route name, no personal data",
    "/openapi.json": "the description of the machine API for connector builders; holds no data",
    "/static": "style sheet and scripts of the pages; no data",
    "/webhooks/twilio/status": "Twilio's delivery reports; each must carry a valid X-Twilio-Signature",
    "/webhooks/twilio/inbound": "tenants' messages via Twilio; each must carry a valid X-Twilio-Signature",
    "/webhooks/sandbox": "the payment sandbox's notification; only an id, the status is asked of the provider",
    "/webhooks/mollie": "Mollie's notification; only an id, the status is asked of Mollie itself",
    "/api/payments": "for ERP and bank connectors; the handler requires a named API token (Bearer)",
    "/api/changes": "the change feed for the ERP and the bank; the handler requires a named API token (Bearer)",
    "/api/tenants/{contract_id}": "one tenant's record for the ERP's connector; the handler requires a named API "
                                  "token (Bearer)",
    "/mijn-huur/{token}": "the tenant's own page; the unguessable, expiring token in the link is the key",
    "/mijn-huur/{token}/betalen": "the tenant's own page (payment); the token is the key",
    "/mijn-huur/{token}/dag": "the tenant's own page (collection day); the token is the key",
    "/mijn-huur/{token}/regeling": "the tenant's own page (arrangement request); the token is the key",
    "/mijn-huur/{token}/bellen": "the tenant's own page (call-back request); the token is the key",
    "/mijn-huur/{token}/bezwaar": "the tenant's own page (objection to the Wgs signal); the token is the key",
    "/mijn-huur/{token}/overzicht.pdf": "the tenant's own account statement as PDF; the token is the key",
    "/pay/{public_id}": "the tenant's payment page; the unguessable link id is the key",
    "/pay/{public_id}/klaar": "where the tenant lands after paying; the link id is the key",
}


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


def route_name(request: web.Request) -> str | None:
    """The canonical path of the matched route ("/inbox/threads/{thread_id}"), None when nothing matched."""
    match = request.match_info
    if match.http_exception is not None or match.route.resource is None:
        return None
    return match.route.resource.canonical


async def _authenticate(request: web.Request) -> tuple[Officer, str]:
    """The session's officer and CSRF token, stored on the request; refuses an anonymous caller."""
    if _OFFICER in request:
        return request[_OFFICER], request[_CSRF]
    found = await users.current(request.app[RUNTIME], request.cookies.get(SESSION_COOKIE))
    if found is None:
        if request.method in ("GET", "HEAD") and not request.path.endswith(".json"):
            raise web.HTTPSeeOther(location="/login?" + urlencode({"next": request.path_qs}))
        raise web.HTTPUnauthorized(text="log in first")
    request[_OFFICER], request[_CSRF] = found
    return found


async def _refuse(request: web.Request, who: Officer, reason: str) -> web.Response:
    log.warning("officer %s (role %s) refused %s %s: %s", who.id, who.role, request.method, request.path, reason)
    await users.audit_refused(request.app[RUNTIME], who, request.path)
    return page(request, "web/forbidden.html.j2", status=403, reason=reason)


@web.middleware
async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Login by default: every route outside `PUBLIC` needs a session; POSTs need its CSRF
    token and a role that may act. Unmatched paths go on to their 404."""
    name = route_name(request)
    if name is None or name in PUBLIC:
        return await handler(request)
    who, csrf = await _authenticate(request)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if who.role == READ_ONLY and name not in OWN_SETTINGS:
            return await _refuse(request, who, "read_only")
        await require_csrf(request, csrf)
    return await handler(request)


def login_required(*roles: str) -> Callable[[Handler], Handler]:
    """Only for officers of `roles` (any role when none given). The `access` middleware has
    already refused anonymous callers and POSTs without the CSRF token; this wrapper checks
    again when it runs without the middleware."""

    def wrap(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            checked = _OFFICER in request
            who, csrf = await _authenticate(request)
            if roles and who.role not in roles:
                return await _refuse(request, who, "team_leads")
            if request.method == "POST" and not checked:
                await require_csrf(request, csrf)
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


def safe_next(target: str) -> str:
    """Where to go after logging in: only a path on this site. Browsers read a backslash as a
    slash and drop tabs and newlines, so "/\\evil.example/" or "/<TAB>/evil.example/" would
    lead to another host: anything but a plain same-origin path becomes the inbox."""
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ch.isspace() or not ch.isprintable() for ch in target)):
        return "/inbox"
    return target


async def login_form(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    token = secrets.token_urlsafe(32)
    request[_CSRF] = token
    response = page(request, "web/login.html.j2", status=status, error=error,
                    next=safe_next(request.query.get("next", "/inbox")))
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
    return response


async def login_get(request: web.Request) -> web.Response:
    return await login_form(request, "locked" if request.query.get("error") == "locked" else None)


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
    next_ = safe_next(str(form.get("next", "/inbox")))
    if session.second_factor is not None:  # the password was right; the code (or setting one up) is next
        step = "/login/code" if session.second_factor == users.CODE else "/login/tweestaps"
        response = redirect(step + "?" + urlencode({"next": next_}))
        set_cookie(request, response, PENDING_COOKIE, session.token, max_age=users.PENDING_MINUTES * 60)
        response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response
    response = redirect(next_)
    signed_in(request, response, session)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def signed_in(request: web.Request, response: web.StreamResponse, session: users.Session) -> None:
    """The session cookie of a signed-in officer, and the pages in their own language."""
    set_cookie(request, response, SESSION_COOKIE, session.token,
               max_age=request.app[RUNTIME].settings.conversations.session_hours * 3600)
    i18n.remember(request, response, session.officer.language)


def use_csrf(request: web.Request, token: str) -> None:
    """The CSRF token the page's forms carry (a pending login's own, before a session exists)."""
    request[_CSRF] = token


@login_required()
async def logout(request: web.Request) -> web.StreamResponse:
    await users.log_out(request.app[RUNTIME], request.cookies.get(SESSION_COOKIE, ""), officer(request))
    response = redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def switch_language(request: web.Request) -> web.StreamResponse:
    """POST /taal: the officer's language, kept on their account (and in the cookie, web/i18n.py)."""
    runtime = request.app[RUNTIME]
    found = await users.current(runtime, request.cookies.get(SESSION_COOKIE))
    form = await request.post()
    lang = i18n.chosen(str(form.get("lang", "")))
    if found is not None:
        await require_csrf(request, found[1])
        await users.set_language(runtime, found[0].id, lang)
    response = web.Response(status=303, headers={"Location": _back(request)})
    i18n.remember(request, response, lang)
    return response


def _back(request: web.Request) -> str:
    """Back to the page the switch was pressed on (its path on this site), else the work list."""
    referer = URL(request.headers.get("Referer", ""))
    if referer.host is not None and referer.host != request.url.host:
        return "/werk"
    path = referer.path_qs if referer.path else ""
    return path if path.startswith("/") and not path.startswith("//") and path != "/taal" else "/werk"


def setup(app: web.Application) -> None:
    app.router.add_get("/login", login_get)
    app.router.add_post("/login", login_post)
    app.router.add_post("/logout", logout)
    app.router.add_post("/taal", switch_language)
