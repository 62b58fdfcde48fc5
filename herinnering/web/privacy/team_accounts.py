"""Team leads administer accounts (`/gebruikers`): list, invite, disable or enable, reset a
password, remove a lost second factor. A one-time password is shown once, on the answer to the
form that made it."""

from __future__ import annotations

from aiohttp import web

from herinnering.errors import HerinneringError
from herinnering.services.privacy import second_factor, team_accounts, users
from herinnering.web.auth import TEAM_LEADS, login_required, officer, page
from herinnering.web.errors import status_for
from herinnering.web.keys import RUNTIME


async def _render(request: web.Request, status: int = 200, **context: object) -> web.Response:
    found = await team_accounts.accounts(request.app[RUNTIME])
    return page(request, "web/users.html.j2", status=status, accounts=found, roles=users.ROLES,
                tz=request.app[RUNTIME].settings.reminders.timezone, **context)


@login_required(*TEAM_LEADS)
async def users_page(request: web.Request) -> web.Response:
    return await _render(request)


def _user_id(request: web.Request) -> int:
    try:
        return int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


@login_required(*TEAM_LEADS)
async def invite(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", ""))
    try:
        password = await team_accounts.invite(request.app[RUNTIME], officer(request), email,
                                              str(form.get("name", "")), str(form.get("role", "officer")))
    except HerinneringError as exc:
        return await _render(request, status=status_for(exc), error=str(exc))
    return await _render(request, secret_for=email, secret=password)


def _account_action(name: str) -> object:
    @login_required(*TEAM_LEADS)
    async def handler(request: web.Request) -> web.Response:
        runtime, lead, user_id = request.app[RUNTIME], officer(request), _user_id(request)
        try:
            if name == "reset":
                password = await team_accounts.reset_password(runtime, lead, user_id)
                email = await team_accounts.email_of(runtime, user_id)
                return await _render(request, secret_for=email, secret=password)
            if name == "totp-reset":
                email = await second_factor.reset(runtime, lead, user_id)
                return await _render(request, done=name, reset_for=email)
            await team_accounts.set_active(runtime, lead, user_id, name == "enable")
        except HerinneringError as exc:
            return await _render(request, status=status_for(exc), error=str(exc))
        return await _render(request, done=name)

    return handler


def setup(app: web.Application) -> None:
    app.router.add_get("/gebruikers", users_page)
    app.router.add_post("/gebruikers", invite)
    for name in ("disable", "enable", "reset", "totp-reset"):
        app.router.add_post(f"/gebruikers/{{user_id}}/{name}", _account_action(name))  # type: ignore[arg-type]
