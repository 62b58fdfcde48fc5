"""The change feed for the ERP and the bank: `GET /api/changes?after=<cursor>&limit=<n>`.

    Authorization: Bearer <a token of `herinnering token create NAME`>   (401 otherwise)
    200 {"changes": [{"id": "chg-41", "cursor": 17, "kind": "collection_day_changed",
                      "contract_id": "HC-100101", "occurred_at": "2026-12-03T09:12:00+00:00",
                      "data": {"old_day": 1, "new_day": 15, "applies_from": "2027-01", …}}, …],
         "cursor": 17, "more": false}

Ask again with `after` = the `cursor` answered: the same cursor always gives the same changes
with the same ids (until a purge removes a tenant), so a receiver that lost an answer asks again.
"""

from __future__ import annotations

from aiohttp import web

from herinnering.services import changes
from herinnering.services.privacy import api_tokens
from herinnering.web.keys import RUNTIME


def _whole(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name, str(default)).strip()
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


async def get_changes(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    if await api_tokens.check(runtime, request.headers.get("Authorization", "")) is None:
        return web.json_response({"error": "missing or wrong API token"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="herinnering"'})
    after, limit = _whole(request, "after", 0), _whole(request, "limit", changes.MAX_PAGE)
    if after is None:
        return web.json_response({"error": "after: expected 0 or a cursor this feed gave"}, status=422)
    if limit is None or not 1 <= limit <= changes.MAX_PAGE:
        return web.json_response({"error": f"limit: expected a whole number from 1 to {changes.MAX_PAGE}"},
                                 status=422)
    page = await changes.feed(runtime.db, runtime.settings.changes, after, limit)
    return web.json_response({"changes": page.changes, "cursor": page.cursor, "more": page.more})


def setup(app: web.Application) -> None:
    app.router.add_get("/api/changes", get_changes)
