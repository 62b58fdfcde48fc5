"""The one place where herinnering's errors become HTTP status codes (the tree is drawn in
`herinnering/errors.py`).

The middleware answers any `HerinneringError` a handler lets through with its status and
`{"error": message}`; a page handler that shows the message inside its own form asks
`status_for` so the page carries the same status.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from herinnering.errors import (
    BadInput,
    ConfigError,
    Conflict,
    Forbidden,
    HerinneringError,
    LockedOut,
    LoginError,
    MigrationError,
    NotFound,
    ProviderDown,
    TemplateError,
)

log = logging.getLogger(__name__)

STATUS: dict[type[HerinneringError], int] = {
    BadInput: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    LoginError: 401,
    LockedOut: 429,
    ProviderDown: 503,
    ConfigError: 500,
    TemplateError: 500,
    MigrationError: 500,
    HerinneringError: 400,
}


def status_for(error: HerinneringError) -> int:
    """The status of the nearest class in the tree that has one."""
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


@web.middleware
async def errors(request: web.Request,
                 handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except HerinneringError as exc:
        status = status_for(exc)
        if status >= 500:
            log.error("request %s %s failed: %s", request.method, request.path, exc)
        else:
            log.warning("request %s %s refused (%d): %s", request.method, request.path, status, exc)
        headers = {"Retry-After": "60"} if status in (429, 503) else None
        # our side's failures are told in general words: a provider's or driver's details stay in the log
        message = str(exc) if status < 500 else (type(exc).__doc__ or "").strip()
        return web.json_response({"error": message}, status=status, headers=headers)
