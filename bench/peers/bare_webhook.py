"""The ceilings for Twilio's webhooks: the least a correct handler can do.

Aiohttp handlers that read the form, check X-Twilio-Signature with twilio's own
RequestValidator and run one asyncpg statement per request, nothing else (no event, no
middleware, no SQLAlchemy): a status callback is one forward-only UPDATE; an inbound message
is one INSERT that stores it once in its tenant's thread (found by the sender's number) and
answers empty TwiML. herinnering's `serve --no-worker` is measured against them by the same
load generator in the same run. Run as `python -m bench.peers.bare_webhook URL PORT TOKEN
PUBLIC_URL`.
"""

from __future__ import annotations

import sys

import asyncpg
from aiohttp import web
from twilio.request_validator import RequestValidator

STORE = ("INSERT INTO thread_messages (thread_id, direction, author, provider_sid, channel, body, created_at)"
         " SELECT threads.id, 'in', 'tenant', $1, 'sms', $3, now() FROM tenants"
         " JOIN threads ON threads.tenant_id = tenants.id WHERE tenants.phone = $2 ORDER BY tenants.id LIMIT 1"
         " ON CONFLICT (provider_sid) DO NOTHING")
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
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

    async def inbound(request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        if not validator.validate(public_url + request.path_qs, form, request.headers.get("X-Twilio-Signature", "")):
            return web.Response(status=403)
        await request.app["pool"].execute(STORE, form["MessageSid"], form["From"].removeprefix("whatsapp:"),
                                          form.get("Body", ""))
        return web.Response(text=TWIML, content_type="text/xml")

    async def ready(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    application.cleanup_ctx.append(pool)
    application.router.add_post("/webhooks/twilio/status", status)
    application.router.add_post("/webhooks/twilio/inbound", inbound)
    application.router.add_get("/readyz", ready)
    return application


if __name__ == "__main__":
    url, port, token, public = sys.argv[1:5]
    web.run_app(app(url.replace("postgresql+asyncpg://", "postgresql://"), token, public),
                host="127.0.0.1", port=int(port), print=None, access_log=None)
