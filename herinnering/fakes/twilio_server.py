"""A local stand-in for Twilio's REST API 2010-04-01 Messages resource, served over HTTP.

It owns the wire: the routes the official `twilio` client calls (create, list, fetch Messages,
with Twilio's JSON, error bodies, auth and paging), the `/_fake/` admin endpoints, and
starting/stopping the server. Development and tests point the official client at it through
`RoutedAsyncHttpClient`, so the adapter code that talks to the real Twilio runs unchanged.
The state it serves, and the status callbacks, live in `twilio_state`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from yarl import URL

from herinnering.fakes import twilio_inbound
from herinnering.fakes.twilio_faults import (
    FakeConfigError,
    Fault,
    NumberRule,
    error_body,
    faults_from_json,
    number_rule_from_json,
)
from herinnering.fakes.twilio_message import (
    API_VERSION,
    FakeMessage,
    count_segments,
    request_fields,
    sign,
)
from herinnering.fakes.twilio_state import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_AUTH_TOKEN",
    "FakeMessage",
    "FakeTwilio",
    "Fault",
    "NumberRule",
    "count_segments",
    "create_app",
    "running_fake_twilio",
    "serve",
    "sign",
]

log = logging.getLogger(__name__)
_DATE_FILTERS = (("DateSent", "="), ("DateSent<", "<="), ("DateSent>", ">="))

STATE_KEY = web.AppKey("fake_twilio_state", FakeTwilio)
_SESSION_KEY = web.AppKey("fake_twilio_session", aiohttp.ClientSession)


def _twilio_error(status: int, code: int | None = None, message: str | None = None) -> web.Response:
    return web.json_response(error_body(status, code, message), status=status)


def _denied(request: web.Request, state: FakeTwilio) -> web.Response | None:
    """Basic auth must be this account's SID and token, and the path must name that account."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        user = password = ""
    if (
        scheme.lower() == "basic"
        and hmac.compare_digest(user, state.account_sid)
        and hmac.compare_digest(password, state.auth_token)
        and request.match_info.get("account_sid") == state.account_sid
    ):
        return None
    body = {**error_body(401, 20003), "detail": "Your AccountSid or AuthToken was incorrect."}
    return web.json_response(
        body, status=401, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
    )


async def _create_message(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if (denied := _denied(request, state)) is not None:
        return denied
    form = await request.post()
    fault = state.faults.popleft() if state.faults else None
    entry: dict[str, Any] = {
        "fields": request_fields(form),
        "status": 201,
        "code": None,
        "sid": None,
    }
    state.requests.append(entry)
    if fault and fault.delay and not fault.stored:
        await asyncio.sleep(fault.delay)
    if fault and not fault.stored and (fault.status or fault.reset):
        return _fault_answer(request, entry, fault)
    if invalid := state.validate(form):
        code, message = invalid
        entry.update(status=400, code=code)
        return _twilio_error(400, code, message)
    accepted = state.accept(form)
    entry["sid"] = accepted.sid
    state.start_delivery(accepted, request.app[_SESSION_KEY])
    if fault and fault.stored:  # stored, but the caller is told it failed, or told nothing
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status or fault.reset:
            return _fault_answer(request, entry, fault)
    return web.json_response(accepted.resource(), status=201)


def _fault_answer(request: web.Request, entry: dict[str, Any], fault: Fault) -> web.Response:
    """The injected error, or a connection dropped without any answer."""
    if fault.reset:
        entry.update(status=None, code="reset")
        assert request.transport is not None
        request.transport.abort()
        raise asyncio.CancelledError  # nothing more can be written; aiohttp closes quietly
    entry.update(status=fault.status, code=fault.body()["code"])
    return web.json_response(fault.body(), status=fault.status, headers=fault.headers())


async def _list_messages(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if (denied := _denied(request, state)) is not None:
        return denied
    query = request.query
    if (refused := _lookup_refused(state, query.get("To"))) is not None:
        return refused
    try:
        days = _date_filters(query)
        size = min(max(int(query.get("PageSize", 50)), 1), 1000)
        page = max(int(query.get("Page", 0)), 0)
    except ValueError as exc:
        return _twilio_error(400, 20001, f"Invalid parameter: {exc}")
    newest_first = sorted(reversed(state.messages), key=lambda m: m.date_created, reverse=True)
    records = [m for m in newest_first if _matches(m, query, days)]
    start = _page_start(records, page, size, query.get("PageToken"))
    chunk = records[start : start + size]
    collection = f"/{API_VERSION}/Accounts/{state.account_sid}/Messages.json"
    kept = {k: query[k] for k in ("To", "From", "DateSent", "DateSent<", "DateSent>") if k in query}

    def page_uri(number: int, token: str | None = None) -> str:
        params = {
            **kept,
            "PageSize": size,
            "Page": number,
            **({"PageToken": token} if token else {}),
        }
        return f"{collection}?{urlencode(params)}"

    more = start + size < len(records)
    return web.json_response(
        {
            "end": start + max(len(chunk), 1) - 1,
            "first_page_uri": page_uri(0),
            "messages": [m.resource() for m in chunk],
            "next_page_uri": page_uri(page + 1, "PA" + chunk[-1].sid) if more and chunk else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": page_uri(page - 1, "PB" + chunk[0].sid)
            if page and chunk
            else None,
            "start": start,
            "uri": str(request.rel_url),
        }
    )


def _date_filters(query: Mapping[str, str]) -> list[tuple[str, date]]:
    """DateSent filters are whole days in GMT; the client sends datetimes, only the day counts."""
    filters = []
    for key, op in _DATE_FILTERS:
        if (raw := query.get(key)) is None:
            continue
        if key == "DateSent" and raw[:2] in ("<=", ">="):
            op, raw = raw[:2], raw[2:]
        try:
            filters.append((op, date.fromisoformat(raw[:10])))
        except ValueError:
            raise ValueError(f"{key}={raw!r} is not YYYY-MM-DD") from None
    return filters


def _matches(message: FakeMessage, query: Mapping[str, str], days: list[tuple[str, date]]) -> bool:
    if "To" in query and message.to != query["To"]:
        return False
    if "From" in query and message.from_ != query["From"]:
        return False
    if not days:
        return True
    if message.date_sent is None:  # not sent yet: Twilio leaves it out of DateSent queries
        return False
    day = message.date_sent.astimezone(UTC).date()
    checks = {"=": day.__eq__, "<=": day.__le__, ">=": day.__ge__}
    return all(checks[op](limit) for op, limit in days)


def _page_start(records: list[FakeMessage], page: int, size: int, token: str | None) -> int:
    """PageToken PA<sid> continues after that message, PB<sid> goes back before it."""
    if token and len(token) > 2:
        index = next((i for i, m in enumerate(records) if m.sid == token[2:]), None)
        if index is not None:
            return index + 1 if token.startswith("PA") else max(index - size, 0)
    return page * size


async def _fetch_message(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if (denied := _denied(request, state)) is not None:
        return denied
    message = state.get(request.match_info["sid"])
    if message is None:
        return _twilio_error(404, 20404, f"The requested resource {request.path} was not found")
    if (refused := _lookup_refused(state, message.to)) is not None:
        return refused
    return web.json_response(message.resource())


def _lookup_refused(state: FakeTwilio, to: str | None) -> web.Response | None:
    rule = state.numbers.get(to) if to else None
    if rule is None or rule.lookup_error is None:
        return None
    return _twilio_error(rule.lookup_error)


async def _unknown_resource(request: web.Request) -> web.Response:
    return _twilio_error(404, 20404, f"The requested resource {request.path} was not found")


# -- admin endpoints under /_fake/ -----------------------------------------------------------


async def _admin_messages(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    return web.json_response(
        {"messages": [m.admin_json() for m in state.messages], "requests": state.requests}
    )


async def _admin_reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].reset()
    return web.json_response({"reset": True})


async def _admin_faults(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if request.method == "POST":
        try:
            state.faults.extend(faults_from_json(await request.json()))
        except (FakeConfigError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"faults": [f.to_json() for f in state.faults]})


async def _admin_numbers(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    if request.method == "POST":
        try:
            rule = number_rule_from_json(await request.json())
        except (FakeConfigError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        state.numbers[rule.to] = rule
    return web.json_response({"numbers": [r.to_json() for r in state.numbers.values()]})


async def _admin_callbacks(request: web.Request) -> web.Response:
    """`{"lost": true}`: statuses still move, but their callbacks reach nobody (a web process
    that is down, or a workload that measures sending alone); `false` posts them again."""
    state = request.app[STATE_KEY]
    if request.method == "POST":
        try:
            lost = (await request.json())["lost"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": 'expected {"lost": true|false}'}, status=400)
        if not isinstance(lost, bool):
            return web.json_response({"error": "lost must be true or false"}, status=400)
        state.callbacks_lost = lost
    return web.json_response({"lost": state.callbacks_lost})


async def _callback_session(app: web.Application) -> AsyncIterator[None]:
    """One client session for all callbacks; on shutdown the callback tasks go first."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        app[_SESSION_KEY] = session
        yield
        await app[STATE_KEY].aclose()


async def _media(request: web.Request) -> web.Response:
    """An attachment a tenant sent (GET), with the account's credentials as Twilio's "HTTP Basic
    Authentication for media" asks; DELETE removes it (as a purge does)."""
    state = request.app[STATE_KEY]
    if (denied := _denied(request, state)) is not None:
        return denied
    found = state.media.get(request.match_info["media_sid"])
    if found is None or found[0] != request.match_info["sid"]:
        return _twilio_error(404, 20404)
    if request.method == "DELETE":
        del state.media[request.match_info["media_sid"]]
        return web.Response(status=204)
    return web.Response(body=found[2], content_type=found[1])


def create_app(state: FakeTwilio) -> web.Application:
    app = web.Application()
    app[STATE_KEY] = state
    app.cleanup_ctx.append(_callback_session)
    account = f"/{API_VERSION}/Accounts/{{account_sid}}"
    app.router.add_post(f"{account}/Messages.json", _create_message)
    app.router.add_get(f"{account}/Messages.json", _list_messages)
    app.router.add_get(f"{account}/Messages/{{sid}}.json", _fetch_message)
    app.router.add_get(f"{account}/Messages/{{sid}}/Media/{{media_sid}}", _media)
    app.router.add_delete(f"{account}/Messages/{{sid}}/Media/{{media_sid}}", _media)
    app.router.add_route("*", f"/{API_VERSION}/{{tail:.*}}", _unknown_resource)
    app.router.add_get("/_fake/messages", _admin_messages)
    app.router.add_post("/_fake/reset", _admin_reset)
    app.router.add_route("*", "/_fake/faults", _admin_faults)
    app.router.add_route("*", "/_fake/numbers", _admin_numbers)
    app.router.add_route("*", "/_fake/callbacks", _admin_callbacks)
    twilio_inbound.register(app, STATE_KEY)  # POST /_fake/inbound: a tenant writes to us
    return app


@asynccontextmanager
async def running_fake_twilio(
    state: FakeTwilio, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve `state` on a real socket and yield its base URL; port 0 picks a free one."""
    # handler_cancellation: a caller that gives up (its timeout) cancels the request, as a
    # request Twilio never finished processing; only a `stored` fault leaves a message behind.
    runner = web.AppRunner(create_app(state), shutdown_timeout=2.0, handler_cancellation=True)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_host, bound_port = runner.addresses[0][:2]
        state.url = str(URL.build(scheme="http", host=bound_host, port=bound_port))
        yield state.url
    finally:
        state.url = None
        await runner.cleanup()


async def serve(
    host: str = "127.0.0.1",
    port: int = 8089,
    account_sid: str = DEFAULT_ACCOUNT_SID,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    *,
    callback_delay: float = 0.05,
    callback_chaos: bool = False,
    seed: int | None = None,
) -> None:
    """Run the fake until cancelled (the `herinnering fake-twilio` command)."""
    state = FakeTwilio(account_sid, auth_token, callback_delay, callback_chaos, seed)
    async with running_fake_twilio(state, host, port) as url:
        log.info("fake Twilio for %s listening on %s", account_sid, url)
        await asyncio.Event().wait()
