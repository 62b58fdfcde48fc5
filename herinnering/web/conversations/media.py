"""`/inbox/media/{media_id}`: a tenant's attachment (a WhatsApp photo, a PDF), for logged-in
officers only. The page links here, never to the provider: the app fetches the file from
Twilio with the account's credentials (adapters/twilio_media.py) and hands it on.

Images of the common kinds and PDFs are shown inline; anything else is a download of bytes
("application/octet-stream"), so no file a tenant sends can run as a page of this site. Each
answer also carries a sandboxing Content-Security-Policy and is never cached.
"""

from __future__ import annotations

import logging

from aiohttp import web

from herinnering.adapters.twilio_media import MediaUnavailable
from herinnering.errors import NotFound
from herinnering.services.conversations import team_threads
from herinnering.web.auth import login_required, officer
from herinnering.web.keys import RUNTIME

log = logging.getLogger(__name__)
INLINE = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
          "application/pdf": "pdf"}


def shown_inline(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in INLINE


@login_required()
async def attachment(request: web.Request) -> web.Response:
    try:
        media_id = int(request.match_info["media_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    try:
        found, media = await team_threads.attachment(request.app[RUNTIME], media_id, officer(request))
    except NotFound:
        raise web.HTTPNotFound(text="attachment not found") from None
    except MediaUnavailable as exc:
        log.warning("attachment %s not available: %s", media_id, exc)
        raise web.HTTPBadGateway(text="De bijlage is niet op te halen bij de provider. / "
                                      "The attachment cannot be fetched from the provider.") from None
    kind = found.content_type.split(";")[0].strip().lower()
    inline = shown_inline(kind)
    name = f"bijlage-{media_id}.{INLINE.get(kind, 'bin')}"
    return web.Response(body=media.data, content_type=kind if inline else "application/octet-stream", headers={
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
    })


def setup(app: web.Application) -> None:
    app.router.add_get("/inbox/media/{media_id}", attachment)
