"""The ceiling for status callbacks: the least a correct handler can do.

An aiohttp handler that reads the form, checks X-Twilio-Signature with twilio's own
RequestValidator and runs one asyncpg UPDATE per callback (forward only, no event, no
middleware, no SQLAlchemy). herinnering's `serve --no-worker` is measured against it by the
same load generator in the same run. Run as `python -m bench.peers.bare_webhook URL PORT TOKEN
PUBLIC_URL`.
"""

from __future__ import annotations

import sys

import asyncpg
from aiohttp import web
from twilio.request_validator import RequestValidator

UPDATE = ("UPDATE messages SET state = 'delivered', delivered_at = now(), provider_status = $2, updated_at = now()"
          " WHERE provider_sid = $1 AND state IN ('sending', 'sent')")


def app(database_url: str, token: str, public_url: str) -> web.Application:
    validator = RequestValidator(token)
    application = web.Application()

    async def pool(application: web.Application):  # type: ignore[no-untyped-def]
        application["pool"] = await asyncpg.create_pool(database_url, min_size=32, max_size=32)
        yield
        await application["pool"].close()

    async def status(request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        if not validator.validate(public_url + request.path_qs, form, request.headers.get("X-Twilio-Signature", "")):
            return web.Response(status=403)
        await request.app["pool"].execute(UPDATE, form["MessageSid"], form["MessageStatus"])
        return web.Response(status=204)

    async def ready(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    application.cleanup_ctx.append(pool)
    application.router.add_post("/webhooks/twilio/status", status)
    application.router.add_get("/readyz", ready)
    return application


if __name__ == "__main__":
    url, port, token, public = sys.argv[1:5]
    web.run_app(app(url.replace("postgresql+asyncpg://", "postgresql://"), token, public),
                host="127.0.0.1", port=int(port), print=None, access_log=None)
