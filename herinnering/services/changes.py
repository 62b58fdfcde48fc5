"""Use cases of the change feed: what the ERP and the bank must hear of, pulled or pushed.

Delivery is at least once: a receiver may see a change twice (a push whose answer was lost, a
pull from an old cursor) and drops it by its `id`, which never changes. Order is the feed's
`cursor`; a retried push may arrive after a later one, so a receiver that cares orders by cursor.

The push signs each POST like Stripe and GitHub do: `Herinnering-Signature: t=<unix time>,
v1=<hex HMAC-SHA256 of "<t>.<body>" with the shared secret>`, so the receiver can check both
who sent it and that it is fresh.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp

from herinnering.adapters.csv_files import SafeWriter
from herinnering.adapters.db import Row, change_store
from herinnering.adapters.db.engine import Database
from herinnering.config import ChangeFeedSettings
from herinnering.domain.changes import change_data
from herinnering.domain.reminders.retry import RetryPolicy
from herinnering.errors import BadInput
from herinnering.runtime import Runtime

log = logging.getLogger(__name__)

MAX_PAGE = 1000
SIGNATURE_HEADER = "Herinnering-Signature"
CSV_COLUMNS = ("id", "cursor", "kind", "contract_id", "occurred_at", "data")


@dataclass(frozen=True)
class FeedPage:
    changes: list[dict[str, Any]]
    cursor: int       # pass as `after` for the next page (unchanged when nothing new)
    more: bool        # another page is ready now


@dataclass(frozen=True)
class PushReport:
    queued: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0


def change_id(row_id: int) -> str:
    return f"chg-{row_id}"


def as_json(row: Row[Any], include_notes: bool) -> dict[str, Any] | None:
    """One change as the contract has it (web/openapi.py: Change), or None when it is only a note."""
    data = change_data(row.event_type, row.data, include_notes)
    if data is None:
        return None
    return {"id": change_id(row.id), "cursor": row.position, "kind": row.kind, "contract_id": row.contract_id,
            "occurred_at": row.occurred_at.isoformat(), "data": data}


async def feed(db: Database, settings: ChangeFeedSettings, after: int, limit: int = MAX_PAGE) -> FeedPage:
    if after < 0:
        raise BadInput(f"after: {after} is not a cursor; expected 0 or a cursor the feed gave")
    limit = max(1, min(limit, MAX_PAGE))
    async with db.begin() as connection:
        await change_store.sequence(connection)
    async with db.begin() as connection:
        rows = await change_store.page(connection, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].position if rows else after
    items = [item for row in rows if (item := as_json(row, settings.include_notes)) is not None]
    return FeedPage(items, cursor, more)


async def export_all(db: Database, settings: ChangeFeedSettings, after: int) -> tuple[list[dict[str, Any]], int]:
    """Every change after `after`, page by page; and the cursor to start from next time."""
    found: list[dict[str, Any]] = []
    cursor = after
    while True:
        page = await feed(db, settings, cursor)
        found.extend(page.changes)
        cursor = page.cursor
        if not page.more:
            return found, cursor


def csv_text(changes: Sequence[dict[str, Any]]) -> str:
    """The feed as CSV for an ERP that reads files: one row per change, `data` as JSON."""
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")  # no cell runs as a formula in a spreadsheet
    writer.writerow(CSV_COLUMNS)
    for c in changes:
        writer.writerow([c["id"], c["cursor"], c["kind"], c["contract_id"], c["occurred_at"],
                         json.dumps(c["data"], ensure_ascii=False, sort_keys=True)])
    return out.getvalue()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


async def push_once(runtime: Runtime, session: aiohttp.ClientSession | None = None) -> PushReport:
    """Queue what is new, then send what is due, one batch per POST, until nothing is due."""
    settings = runtime.settings.changes
    if not settings.webhook_url:
        return PushReport()
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await change_store.sequence(connection)
    async with runtime.db.begin() as connection:
        queued = await change_store.enqueue_deliveries(connection, now, limit=10_000)
    own = session is None
    session = session or aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.timeout_seconds))
    totals = {"delivered": 0, "retried": 0, "dead": 0}
    try:
        while True:
            async with runtime.db.begin() as connection:
                rows = await change_store.due_deliveries(connection, now, settings.batch_size)
            if not rows:
                break
            outcome = await _deliver(runtime, session, rows, now)
            totals[outcome] += len(rows)
            if outcome != "delivered":
                break  # the receiver is not taking changes now; keep the order, try later
    finally:
        if own:
            await session.close()
    return PushReport(queued, **totals)


async def _deliver(runtime: Runtime, session: aiohttp.ClientSession, rows: list[Row[Any]], now: datetime) -> str:
    settings = runtime.settings.changes
    items = [(row, as_json(row, settings.include_notes)) for row in rows]
    changes = [item for _, item in items if item is not None]
    skipped = [row.id for row, item in items if item is None]
    ids = [row.id for row, item in items if item is not None]
    if skipped:
        async with runtime.db.begin() as connection:
            await change_store.settle(connection, skipped, "skipped", now)
    if not changes:
        return "delivered"
    body = json.dumps({"changes": changes}, ensure_ascii=False).encode()
    stamp = int(now.timestamp())
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(settings.webhook_secret, stamp, body)}
    error = None
    try:
        async with session.post(settings.webhook_url, data=body, headers=headers, allow_redirects=False) as answer:
            if not 200 <= answer.status < 300:
                error = f"HTTP {answer.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        error = type(exc).__name__
    async with runtime.db.begin() as connection:
        if error is None:
            await change_store.settle(connection, ids, "delivered", now)
            return "delivered"
        attempts = max(row.attempts for row, item in items if item is not None) + 1
        policy = RetryPolicy(settings.max_attempts, settings.retry_base_seconds, settings.retry_max_seconds)
        next_at = policy.next_attempt(attempts, now)
        if next_at is None:
            await change_store.settle(connection, ids, "dead", now, attempts=attempts, error=error)
            log.warning("change feed push: %d changes dead after %d attempts (%s)", len(ids), attempts, error)
            return "dead"
        await change_store.settle(connection, ids, "pending", now, attempts=attempts, next_attempt_at=next_at,
                                  error=error)
        log.info("change feed push refused (%s); attempt %d, again at %s", error, attempts, next_at.isoformat())
        return "retried"


async def dead_letters(db: Database, include_notes: bool) -> list[dict[str, Any]]:
    async with db.begin() as connection:
        rows = await change_store.deliveries(connection, "dead")
    return [{**(as_json(row, include_notes) or {}), "attempts": row.attempts, "last_error": row.last_error,
             "failed_at": row.updated_at.isoformat()} for row in rows]


async def retry_dead(runtime: Runtime, ids: Sequence[str] | None) -> int:
    """Dead deliveries back in the queue: the ones named (`chg-12`) or all of them."""
    numbers = None
    if ids is not None:
        try:
            numbers = [int(i.removeprefix("chg-")) for i in ids]
        except ValueError:
            raise BadInput(f"a change id looks like chg-12; got {', '.join(ids)}") from None
    async with runtime.db.begin() as connection:
        return await change_store.retry(connection, numbers, runtime.clock.now())


async def delivery_counts(db: Database) -> dict[str, int]:
    async with db.begin() as connection:
        return await change_store.count_by_state(connection)


async def push_job(runtime: Runtime) -> None:
    """The scheduler's push: one process at a time; a receiver that is down is tried again later."""
    async with runtime.db.try_lock("changes-push") as mine:
        if mine:
            report = await push_once(runtime)
            if report.delivered or report.dead:
                log.info("change feed push: %d delivered, %d dead", report.delivered, report.dead)
