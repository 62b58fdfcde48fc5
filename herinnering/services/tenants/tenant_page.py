"""Use cases of the personal "mijn huur" page: its unguessable, expiring link, and what it shows.

A token is 32 random bytes (URL-safe); only its SHA-256 is stored, so a copy of the database
opens no page. A token works until it expires (`self_service.page_link_days`) and only while
the tenant is active. `page_data` gathers balance, open months, the next debit date, the
payment arrangement, and any collection-day change in progress.

A month whose re-collection is in a pain.008 file (made, or handed to the bank) is debited
again whatever the tenant does, so the page offers no payment for it: paying as well would
pay twice. Before the file is made the month stays payable, with the payment page's warning
(a month paid by then is left out of the file, `returns.left_out_because`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    arrangement_store,
    outbox,
    tenant_page_store,
    tenant_store,
)
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates
from herinnering.config import Settings
from herinnering.domain.reminders.planning import Period, debit_date, next_window_opening
from herinnering.domain.reminders.states import MessageState
from herinnering.services.payments import balance, returns
from herinnering.services.tenants.self_service import current_day, day_changes


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(connection: AsyncConnection, settings: Settings, tenant_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    await tenant_page_store.add_token(connection, token_hash(token), tenant_id, now,
                                      now + timedelta(days=settings.self_service.page_link_days))
    await event_log.append(connection, [event_log.event(tenant_id, "tenant_page_link_made", now,
                                                        days=settings.self_service.page_link_days)])
    return token


def page_url(settings: Settings, token: str) -> str:
    return f"{settings.server.public_url}/mijn-huur/{token}"


async def send_page_link(connection: AsyncConnection, settings: Settings, tenant: Row[Any], now: datetime) -> int | None:
    """A message with a fresh link to the tenant's page; returns the message id."""
    token = await issue_token(connection, settings, tenant.id, now)
    rows = await outbox.insert_planned(connection, [{
        "tenant_id": tenant.id, "kind": "tenant_page_link", "period": now.strftime("%Y-%m"),
        "idempotency_key": f"tenant_page_link:{token_hash(token)[:32]}", "channel": tenant.channel,
        "template": MessageTemplates.name("tenant_page_link", tenant.channel, tenant.language), "variant": "default",
        "state": MessageState.PLANNED.value, "send_at": next_window_opening(now, settings.reminders.planning_rules()),
        "not_after": None, "attempts": 0, "context": {"page_url": page_url(settings, token)},
        "created_at": now, "updated_at": now,
    }])
    return int(rows[0].id) if rows else None


async def tenant_for_token(connection: AsyncConnection, token: str, now: datetime) -> Row[Any] | None:
    """The tenant a valid token opens; None for an unknown, expired or inactive one."""
    if not token or len(token) > 100:
        return None
    row = await tenant_page_store.token(connection, token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    tenant = await tenant_store.by_id(connection, row.tenant_id)
    if tenant is None or not tenant.active:
        return None
    await tenant_page_store.mark_used(connection, row.id, now)
    return tenant


@dataclass
class PageData:
    balance_cents: int
    open_months: list[tuple[str, int]] = field(default_factory=list)  # (period, outstanding cents)
    next_debit: date | None = None
    collection_day: int = 1
    pending_day: tuple[int, str] | None = None  # (new day, from period) not yet in force
    arrangement: list[tuple[int, date, int, str]] = field(default_factory=list)  # (number, due, cents, state)
    oldest_open: str | None = None  # the oldest open month the tenant can pay now (see the module docstring)
    recollect: dict[str, tuple[date, bool]] = field(default_factory=dict)  # period: (debited again on, in a file)


async def page_data(connection: AsyncConnection, settings: Settings, tenant: Row[Any], today: date) -> PageData:
    months = await balance.periods(connection, tenant.id)
    data = PageData(balance_cents=await balance.outstanding(connection, tenant.id))
    data.open_months = [(m.period, m.outstanding_cents) for m in months if m.outstanding_cents > 0]
    coming = await returns.coming(connection, tenant.id, today)
    data.recollect = {period: (row.collect_on, row.state == "exported") for period, row in coming.items()
                      if any(period == p for p, _ in data.open_months)}
    data.oldest_open = next((p for p, _ in data.open_months if not data.recollect.get(p, (None, False))[1]), None)
    period = Period.of(today)
    for _ in range(3):
        day = await current_day(connection, tenant, period)
        debit = debit_date(period, day)
        if debit >= today:
            data.next_debit, data.collection_day = debit, day
            break
        period = period.next()
    this_month = str(Period.of(today))
    pending = [c for c in await day_changes(connection, tenant.id)
               if c.state == "scheduled" and c.effective_period > this_month]
    if pending:
        data.pending_day = (pending[-1].new_day, pending[-1].effective_period)
    plan = await arrangement_store.latest_active_id(connection, tenant.id)
    if plan is not None:
        rows = await arrangement_store.parts_of(connection, plan)
        data.arrangement = [(r.number, r.due_on, r.amount_cents, r.state) for r in rows]
    return data
