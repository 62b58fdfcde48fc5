"""Twilio's webhooks. Each request must carry a valid X-Twilio-Signature for our public URL,
otherwise it gets 403 and changes nothing. Parameters are validated over whatever arrives
(Twilio adds fields without notice)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from herinnering.adapters.twilio_sender import valid_signature
from herinnering.runtime import Runtime
from herinnering.services.reminders.status import StatusWriter, record_status

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def read_form(request: web.Request) -> dict[str, str]:
    """The posted form; a malformed body (say, multipart without a boundary) is a 400, not a 500."""
    try:
        posted = await request.post()
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"the body is not a readable form: {exc}") from None
    return {key: str(value) for key, value in posted.items()}


async def signed_form(request: web.Request, runtime: Runtime) -> dict[str, str]:
    form = await read_form(request)
    url = runtime.settings.server.public_url + request.path_qs
    if not valid_signature(runtime.settings.twilio.auth_token, url, form,
                           request.headers.get("X-Twilio-Signature", "")):
        log.warning("rejected a webhook with a missing or wrong signature on %s", request.path)
        raise web.HTTPForbidden(text="invalid X-Twilio-Signature")
    # A NUL cannot be stored in PostgreSQL text and means nothing in a message: keep it visible.
    return {key: value.replace("\x00", "\ufffd") for key, value in form.items()}


def _int(value: str | None, limit: int = 2**31) -> int | None:
    """A number the database can hold (Integer columns; ids up to 2**63), else None."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and -limit < number < limit else None


def status_callback(key: web.AppKey[Runtime]) -> Handler:
    writers: dict[int, StatusWriter] = {}  # one per database of this app (PostgreSQL): reports written together

    async def handler(request: web.Request) -> web.Response:
        runtime = request.app[key]
        if runtime.db.dialect == "postgresql" and id(runtime.db) not in writers:
            writers[id(runtime.db)] = StatusWriter(runtime.db, runtime.clock)
        form = await signed_form(request, runtime)
        sid = form.get("MessageSid") or form.get("SmsSid")
        status = form.get("MessageStatus") or form.get("SmsStatus")
        if not sid or not status:
            raise web.HTTPBadRequest(text="MessageSid and MessageStatus are required")
        await record_status(
            runtime.db, runtime.clock, message_id=_int(request.query.get("m"), 2**63), sid=sid,
            status=status.lower(), error_code=_int(form.get("ErrorCode")), settings=runtime.settings,
            writer=writers.get(id(runtime.db)),
        )
        return web.Response(status=204)

    return handler
