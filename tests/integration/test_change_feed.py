"""The change feed for the ERP and the bank over real HTTP, on SQLite and PostgreSQL: a change
made on "mijn huur" appears once, an old cursor gives the same changes with the same ids, the
push is signed, retried and given up into the dead-letter view, and the CSV export matches."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.change_tables import erp_change_deliveries
from herinnering.services import changes
from herinnering.services.privacy import api_tokens
from herinnering.services.tenants.tenant_page import issue_token, page_url
from tests.integration.test_cli import herinnering

SECRET = "a-shared-secret-of-the-erp"


async def feed(runtime: Any, token: str, after: int = 0, **query: Any) -> tuple[int, Any]:
    url = f"{runtime.settings.server.public_url}/api/changes"
    async with aiohttp.ClientSession() as session, session.get(
            url, params={"after": str(after), **query}, headers={"Authorization": f"Bearer {token}"}) as answer:
        return answer.status, await answer.json()


async def choose_day_on_the_tenant_page(runtime: Any, tenant: Any, day: int) -> None:
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                           runtime.clock.now()))
    async with aiohttp.ClientSession() as session, session.post(url + "/dag", data={"day": str(day)}) as answer:
        assert answer.status == 200


async def test_a_day_chosen_on_mijn_huur_appears_once_with_the_month_it_applies_from(
        runtime: Any, make_tenant: Any, tmp_path: Path) -> None:
    tenant = await make_tenant(collection_day=1)
    token = await api_tokens.create(runtime, "erp")
    await choose_day_on_the_tenant_page(runtime, tenant, 20)

    status, page = await feed(runtime, token)
    assert status == 200
    [change] = [c for c in page["changes"] if c["kind"] == "collection_day_changed"]
    assert change["contract_id"] == tenant.external_id
    assert change["data"]["old_day"] == 1 and change["data"]["new_day"] == 20
    assert change["data"]["applies_from"] == "2027-01" and change["id"].startswith("chg-")
    assert page["cursor"] == change["cursor"] and page["more"] is False

    # nothing new: the same cursor comes back, no change twice
    status, again = await feed(runtime, token, after=page["cursor"])
    assert (status, again["changes"], again["cursor"]) == (200, [], page["cursor"])

    # the ERP that reads files gets the same change, same id, as CSV
    result = herinnering("changes", "export", "--format", "csv", cwd=tmp_path,
                         env={"HERINNERING_DATABASE_URL": runtime.settings.database.url})
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    [line] = [r for r in rows if r["kind"] == "collection_day_changed"]
    assert line["id"] == change["id"] and line["contract_id"] == tenant.external_id
    assert json.loads(line["data"])["applies_from"] == "2027-01"
    assert f"--after {page['cursor']}" in result.stderr


async def test_an_old_cursor_gives_the_same_changes_with_the_same_ids(runtime: Any, make_tenant: Any) -> None:
    first, second = await make_tenant(collection_day=1), await make_tenant(collection_day=1)
    token = await api_tokens.create(runtime, "erp")
    await choose_day_on_the_tenant_page(runtime, first, 15)
    _, page_one = await feed(runtime, token)
    await choose_day_on_the_tenant_page(runtime, second, 20)
    async with runtime.db.begin() as connection:  # an officer's pause and a STOP are changes too
        await event_log.append(connection, [
            event_log.event(second.id, "tenant_paused", runtime.clock.now(), until="2027-01-31", reason="ziekte"),
            event_log.event(second.id, "tenant_opted_out", runtime.clock.now(), source="keyword"),
        ])
    _, everything = await feed(runtime, token)
    _, replay = await feed(runtime, token)
    assert replay == everything
    assert [c["kind"] for c in everything["changes"]] == [
        "collection_day_changed", "collection_day_changed", "pause_started", "opted_out"]
    assert everything["changes"][0] == page_one["changes"][0]  # same id, same cursor, same data
    _, rest = await feed(runtime, token, after=page_one["cursor"])
    assert rest["changes"] == everything["changes"][1:]
    # a pause reason is free text: it stays here unless the ERP's owner agreed to receive it
    assert "reason" not in everything["changes"][2]["data"]
    _, paged = await feed(runtime, token, limit=2)
    assert paged["more"] is True and paged["changes"] == everything["changes"][:2]


async def test_the_feed_needs_a_token_and_a_cursor_it_gave(runtime: Any) -> None:
    status, answer = await feed(runtime, "hrn_wrong")
    assert status == 401 and "token" in answer["error"]
    token = await api_tokens.create(runtime, "erp")
    assert (await feed(runtime, token, after=-1))[0] == 422  # type: ignore[arg-type]
    assert (await feed(runtime, token, limit=0))[0] == 422


async def test_a_change_that_commits_late_is_not_skipped_by_a_reader_ahead_of_it(
        runtime: Any, make_tenant: Any) -> None:
    """Ids are handed out at insert, commits happen in any order: the cursor must not jump over
    a change that was still being written when a reader came by."""
    if runtime.db.dialect != "postgresql":
        return  # SQLite has one writer at a time: a late commit cannot overtake
    early, late = await make_tenant(), await make_tenant()
    token = await api_tokens.create(runtime, "erp")
    now = runtime.clock.now()
    async with runtime.db.engine.connect() as slow:
        transaction = await slow.begin()
        await event_log.append(slow, [event_log.event(early.id, "tenant_opted_out", now, source="keyword")])
        async with runtime.db.begin() as fast:
            await event_log.append(fast, [event_log.event(late.id, "tenant_opted_out", now, source="keyword")])
        _, first = await feed(runtime, token)
        assert [c["contract_id"] for c in first["changes"]] == [late.external_id]
        await transaction.commit()
    _, second = await feed(runtime, token, after=first["cursor"])
    assert [c["contract_id"] for c in second["changes"]] == [early.external_id]


@asynccontextmanager
async def receiver(statuses: list[int]) -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """The ERP's webhook on a free port: answers the given statuses in turn (the last one after)."""
    received: list[dict[str, Any]] = []

    async def take(request: web.Request) -> web.Response:
        body = await request.read()
        stamp, _, mac = request.headers["Herinnering-Signature"].partition(",v1=")
        expected = hmac.new(SECRET.encode(), f"{stamp.removeprefix('t=')}.".encode() + body,
                            hashlib.sha256).hexdigest()
        received.append({"valid": hmac.compare_digest(mac, expected), "body": json.loads(body)})
        return web.Response(status=statuses[min(len(received), len(statuses)) - 1])

    app = web.Application()
    app.router.add_post("/erp", take)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/erp", received
    finally:
        await runner.cleanup()


async def test_the_push_is_signed_retried_on_500_and_lands_in_the_dead_letter_view(
        runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(collection_day=1)
    await choose_day_on_the_tenant_page(runtime, tenant, 20)
    async with receiver([500]) as (url, received):
        runtime.settings = replace(runtime.settings, changes=replace(runtime.settings.changes,
            webhook_url=url, webhook_secret=SECRET, max_attempts=3, retry_base_seconds=60, retry_max_seconds=600))
        report = await changes.push_once(runtime)
        assert (report.queued, report.retried, report.delivered) == (1, 1, 0)
        assert (await changes.push_once(runtime)).retried == 0  # not due yet: the backoff holds
        for _ in range(2):
            runtime.clock.set(runtime.clock.now() + timedelta(minutes=15))
            await changes.push_once(runtime)
        assert len(received) == 3 and all(r["valid"] for r in received)
        assert received[0]["body"] == received[2]["body"]  # the same change, the same id, each time
    dead = await changes.dead_letters(runtime.db, include_notes=False)
    assert [(d["kind"], d["contract_id"], d["attempts"], d["last_error"]) for d in dead] == [
        ("collection_day_changed", tenant.external_id, 3, "HTTP 500")]

    async with receiver([200]) as (url, received):
        runtime.settings = replace(runtime.settings, changes=replace(runtime.settings.changes, webhook_url=url))
        assert await changes.retry_dead(runtime, [dead[0]["id"]]) == 1
        report = await changes.push_once(runtime)
        assert report.delivered == 1 and len(received) == 1 and received[0]["valid"]
        assert (await changes.push_once(runtime)).delivered == 0  # delivered once, not again
    async with runtime.db.begin() as connection:
        states = (await connection.execute(select(erp_change_deliveries.c.state))).scalars().all()
    assert states == ["delivered"]


async def test_a_receiver_that_does_not_answer_is_retried_like_a_refusal(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with runtime.db.begin() as connection:
        await event_log.append(connection, [event_log.event(tenant.id, "contract_ended", runtime.clock.now(),
                                                            on="2027-01-31")])
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)  # hangs up at once
    port = server.sockets[0].getsockname()[1]
    runtime.settings = replace(runtime.settings, changes=replace(runtime.settings.changes,
        webhook_url=f"http://127.0.0.1:{port}/erp", webhook_secret=SECRET, timeout_seconds=2))
    try:
        report = await changes.push_once(runtime)
    finally:
        server.close()
    assert report.retried == 1
    async with runtime.db.begin() as connection:
        [row] = (await connection.execute(select(erp_change_deliveries))).fetchall()
    assert row.state == "pending" and row.attempts == 1 and row.last_error
