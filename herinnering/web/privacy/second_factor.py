"""Officers' second factor on screen (services/privacy/second_factor.py does the work).

- `/login/code`: after the right password, the six-digit code of the officer's authenticator app.
- `/login/tweestaps`: with `[security] require_totp`, an officer without a second factor sets it
  up as part of logging in.
- `/tweestaps`: any officer sets it up from their own account (or sees since when it is on).

The secret is shown (as an SVG QR code, made here with segno, and as text) only while it is
being set up, in the answer to the officer's own request; never after it is confirmed. Team
leads reset a colleague's second factor on `/gebruikers` (web/privacy/team_accounts.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from aiohttp import web

from herinnering.services.privacy import second_factor, users
from herinnering.services.privacy.second_factor import Enrolment
from herinnering.web import auth
from herinnering.web.keys import RUNTIME

TEMPLATE = "web/second_factor.html.j2"


def qr_svg(uri: str) -> str:
    """The otpauth address as an inline SVG QR code (no image file, no external service)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=2, omitsize=False))


def _enrolment_context(enrolment: Enrolment) -> dict[str, Any]:
    return {"qr": qr_svg(enrolment.uri), "secret": enrolment.grouped}


async def _pending(request: web.Request, stage: str) -> second_factor.Pending:
    found = await second_factor.pending(request.app[RUNTIME], request.cookies.get(auth.PENDING_COOKIE))
    if found is None or found.stage != stage:
        raise web.HTTPSeeOther(location="/login?" + urlencode({"next": _next(request)}))
    auth.use_csrf(request, found.csrf_token)
    return found


def _next(request: web.Request, form: Any = None) -> str:
    return auth.safe_next(str((form or request.query).get("next", "/inbox")))


async def _signed_in(request: web.Request, session: users.Session, next_: str) -> web.Response:
    response = auth.redirect(next_)
    auth.signed_in(request, response, session)
    response.del_cookie(auth.PENDING_COOKIE, path="/")
    return response


def _back_to_login(request: web.Request, next_: str) -> web.Response:
    """Locked out: the pending session is gone; the password must be given again, later."""
    response = auth.redirect("/login?" + urlencode({"next": next_, "error": "locked"}))
    response.del_cookie(auth.PENDING_COOKIE, path="/")
    return response


async def code_get(request: web.Request) -> web.Response:
    await _pending(request, users.CODE)
    return auth.page(request, TEMPLATE, mode="code", action="/login/code", next=_next(request), error=None)


async def code_post(request: web.Request) -> web.Response:
    found = await _pending(request, users.CODE)
    await auth.require_csrf(request, found.csrf_token)
    form = await request.post()
    next_ = _next(request, form)
    try:
        session = await second_factor.sign_in(request.app[RUNTIME], request.cookies.get(auth.PENDING_COOKIE, ""),
                                              str(form.get("code", "")))
    except users.LockedOut:
        return _back_to_login(request, next_)
    except users.LoginError:
        return auth.page(request, TEMPLATE, status=401, mode="code", action="/login/code", next=next_,
                         error="code")
    return await _signed_in(request, session, next_)


async def enrol_get(request: web.Request) -> web.Response:
    found = await _pending(request, users.ENROL)
    enrolment = await second_factor.start_enrolment(request.app[RUNTIME], found.user.id, found.user.email)
    return auth.page(request, TEMPLATE, mode="enrol", action="/login/tweestaps", next=_next(request), error=None,
                     required=True, **_enrolment_context(enrolment))


async def enrol_post(request: web.Request) -> web.Response:
    found = await _pending(request, users.ENROL)
    await auth.require_csrf(request, found.csrf_token)
    form = await request.post()
    next_ = _next(request, form)
    runtime = request.app[RUNTIME]
    try:
        session = await second_factor.enrol_and_sign_in(runtime, request.cookies.get(auth.PENDING_COOKIE, ""),
                                                        str(form.get("code", "")))
    except users.LockedOut:
        return _back_to_login(request, next_)
    except users.LoginError:  # a typing error: the same secret again (still not confirmed, never stored elsewhere)
        enrolment = await _shown_again(request, found.user.id, found.user.email)
        return auth.page(request, TEMPLATE, status=401, mode="enrol", action="/login/tweestaps", next=next_,
                         error="code", required=True, **_enrolment_context(enrolment))
    return await _signed_in(request, session, next_)


async def _shown_again(request: web.Request, user_id: int, email: str) -> Enrolment:
    """The pending secret of an enrolment whose code was mistyped (a new one if there is none)."""
    runtime = request.app[RUNTIME]
    row = await second_factor.account(runtime, user_id)
    if row is None or not row.totp_pending:
        return await second_factor.start_enrolment(runtime, user_id, email)
    return second_factor.enrolment_of(runtime, row.totp_pending, email)


@auth.login_required()
async def account_get(request: web.Request) -> web.Response:
    who = auth.officer(request)
    row = await second_factor.account(request.app[RUNTIME], who.id)
    return auth.page(request, TEMPLATE, mode="status", enabled_at=row.totp_enabled_at if row else None,
                     error=request.query.get("error"), done=request.query.get("done"),
                     required=request.app[RUNTIME].settings.security.require_totp,
                     tz=request.app[RUNTIME].settings.reminders.timezone)


@auth.login_required()
async def account_start(request: web.Request) -> web.Response:
    who = auth.officer(request)
    row = await second_factor.account(request.app[RUNTIME], who.id)
    if row is not None and row.totp_enabled_at is not None:
        return auth.redirect("/tweestaps")  # on already: only a team lead's reset starts again
    enrolment = await second_factor.start_enrolment(request.app[RUNTIME], who.id, who.email)
    return auth.page(request, TEMPLATE, mode="enrol", action="/tweestaps", next="", error=None, required=False,
                     **_enrolment_context(enrolment))


@auth.login_required()
async def account_confirm(request: web.Request) -> web.Response:
    who = auth.officer(request)
    form = await request.post()
    try:
        await second_factor.confirm(request.app[RUNTIME], who.id, who.email, str(form.get("code", "")))
    except users.LockedOut:
        return auth.redirect("/tweestaps?error=locked")
    except users.LoginError:
        enrolment = await _shown_again(request, who.id, who.email)
        return auth.page(request, TEMPLATE, status=401, mode="enrol", action="/tweestaps", next="", error="code",
                         required=False, **_enrolment_context(enrolment))
    return auth.redirect("/tweestaps?done=enabled")


def setup(app: web.Application) -> None:
    app.router.add_get("/login/code", code_get)
    app.router.add_post("/login/code", code_post)
    app.router.add_get("/login/tweestaps", enrol_get)
    app.router.add_post("/login/tweestaps", enrol_post)
    app.router.add_get("/tweestaps", account_get)
    app.router.add_post("/tweestaps", account_confirm)
    app.router.add_post("/tweestaps/start", account_start)
