"""Payment links: make one for a tenant's month (settling a paid one is `paid_links.py`).

The ladder calls, inside its own transaction:

    link = await create_payment_link(connection, settings, *, tenant_id, period, amount_cents, now,
                                     provider=None) -> PaymentLink   # .id .public_id .url .expires_at

It is idempotent per (tenant, period, amount) while an unexpired unpaid link exists (a unique
`open_key` guarantees it under concurrency); a link for another amount of the same month is
cancelled when a new one is made, so a tenant never holds two payable links for one month.
`provider=None` builds the configured provider (`[payments] provider`).

"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_date

from herinnering.adapters.db import AsyncConnection, Row, payment_link_store, tenant_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db import payment_round_store as round_store
from herinnering.adapters.db.engine import Database
from herinnering.adapters.payment_providers import (
    LinkRequest,
    PaymentProvider,
    build_provider,
)
from herinnering.config import Settings
from herinnering.domain.reminders.planning import Period
from herinnering.errors import BadInput, Conflict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentLink:
    id: int
    public_id: str
    tenant_id: int
    period: str
    amount_cents: int
    description: str
    provider: str
    url: str
    state: str                # open, paid, expired, cancelled
    expires_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, row: Row[Any]) -> PaymentLink:
        return cls(id=row.id, public_id=row.public_id, tenant_id=row.tenant_id, period=row.period,
                   amount_cents=row.amount_cents, description=row.description, provider=row.provider,
                   url=row.url, state=row.state, expires_at=row.expires_at, paid_at=row.paid_at)

    def usable(self, now: datetime) -> bool:
        return self.state == "open" and now < self.expires_at


def describe(period: str, contract_id: str) -> str:
    month = format_date(Period.parse(period).first_day(), "MMMM yyyy", locale="nl_NL")
    return f"Huur {month}, contract {contract_id}"


async def create_payment_link(
    connection: AsyncConnection, settings: Settings, *, tenant_id: int, period: str, amount_cents: int,
    now: datetime, provider: PaymentProvider | None = None,
) -> PaymentLink:
    if amount_cents <= 0:
        raise BadInput(f"a payment link needs an amount above 0 (got {amount_cents} cents)")
    period = str(Period.parse(period))
    open_key = f"{tenant_id}:{period}:{amount_cents}"
    await payment_link_store.expire_overdue(connection, tenant_id, period, now)
    existing = link_of(await payment_link_store.by_open_key(connection, open_key))
    if existing is not None:
        return existing
    replaced = await payment_link_store.cancel_open(connection, tenant_id, period, now)
    contract = (await tenant_store.contract_ids(connection, [tenant_id]))[tenant_id]
    provider = provider or build_provider(settings)
    public_id = secrets.token_urlsafe(24)
    base = settings.server.public_url
    request = LinkRequest(
        public_id=public_id, amount_cents=amount_cents, description=describe(period, contract),
        expires_at=now + timedelta(days=settings.payments.link_expiry_days),
        redirect_url=f"{base}/pay/{public_id}/klaar",
        webhook_url=f"{base}/webhooks/{provider.name}?link={public_id}",
        idempotency_key=f"herinnering-link-{public_id}",
    )
    made = await provider.create_link(request)
    inserted = await payment_link_store.insert_open(
        connection, {"public_id": public_id, "tenant_id": tenant_id, "period": period, "amount_cents": amount_cents,
          "description": request.description, "provider": provider.name, "provider_ref": made.ref, "url": made.url,
          "state": "open", "open_key": open_key, "expires_at": request.expires_at, "created_at": now,
          "updated_at": now})
    if inserted is None:  # someone else made the same link a moment ago: theirs counts
        winner = link_of(await payment_link_store.by_open_key(connection, open_key))
        if winner is None:  # pragma: no cover - the conflicting row is there by definition
            raise Conflict("a payment link conflicted and then vanished; try again")
        return winner
    await event_log.append(connection, [event_log.event(
        tenant_id, "payment_link_created", now, period=period, amount_cents=amount_cents, provider=provider.name,
        link_id=inserted, expires_at=request.expires_at.isoformat(), replaced=replaced,
    )])
    link = link_of(await payment_link_store.by_id(connection, inserted))
    assert link is not None
    return link


async def create_payment_links(connection: AsyncConnection, settings: Settings,
                               wanted: Sequence[tuple[int, str, int, datetime]]) -> list[str]:
    """Links for many (tenant, period, amount, now) at once — a statement's returned debits —
    as `payment_link_url` makes them one by one: each link's URL, "" where none was made. A
    month holding an open link goes the one-link way (it may be reused or replaced); the
    others, which nothing can replace, are made and stored with one statement."""
    urls = [""] * len(wanted)
    held = await round_store.with_open_link(connection, [(t, str(Period.parse(p))) for t, p, amount, _ in wanted
                                                         if amount > 0])
    contracts = {row.id: row.external_id for row in (await round_store.tenants_by_id(
        connection, (t for t, *_ in wanted))).values()}
    provider = build_provider(settings)
    base = settings.server.public_url
    made: list[tuple[int, dict[str, Any]]] = []
    for index, (tenant_id, period, amount, now) in enumerate(wanted):
        if amount <= 0:
            continue
        period = str(Period.parse(period))
        if (tenant_id, period) in held:
            urls[index] = await payment_link_url(connection, settings, tenant_id, period, amount, now) or ""
            continue
        public_id = secrets.token_urlsafe(24)
        request = LinkRequest(
            public_id=public_id, amount_cents=amount, description=describe(period, contracts[tenant_id]),
            expires_at=now + timedelta(days=settings.payments.link_expiry_days),
            redirect_url=f"{base}/pay/{public_id}/klaar",
            webhook_url=f"{base}/webhooks/{provider.name}?link={public_id}",
            idempotency_key=f"herinnering-link-{public_id}",
        )
        try:
            link = await provider.create_link(request)
        except Exception:  # as payment_link_url: a provider outage must not stop the ladder
            log.exception("could not create a payment link for tenant %s, %s; sending without one",
                          contracts[tenant_id], period)
            continue
        made.append((index, {
            "public_id": public_id, "tenant_id": tenant_id, "period": period, "amount_cents": amount,
            "description": request.description, "provider": provider.name, "provider_ref": link.ref, "url": link.url,
            "state": "open", "open_key": f"{tenant_id}:{period}:{amount}", "expires_at": request.expires_at,
            "created_at": now, "updated_at": now}))
    ids = await round_store.insert_links(connection, [row for _, row in made])
    stored = [(index, row) for index, row in made if row["open_key"] in ids]
    await event_log.append(connection, [event_log.event(
        row["tenant_id"], "payment_link_created", row["created_at"], period=row["period"],
        amount_cents=row["amount_cents"], provider=row["provider"], link_id=ids[row["open_key"]],
        expires_at=row["expires_at"].isoformat(), replaced=[]) for _, row in stored])
    for index, row in stored:
        urls[index] = row["url"]
    for index, row in made:  # someone else made the same link a moment ago: theirs counts
        if row["open_key"] not in ids:
            tenant_id, period, amount, now = wanted[index]
            urls[index] = await payment_link_url(connection, settings, tenant_id, period, amount, now) or ""
    return urls


async def payment_link_url(
    connection: AsyncConnection, settings: Settings, tenant_id: int, period: str, amount_cents: int, now: datetime
) -> str | None:
    """A payment link's URL for the outstanding amount, for a message or letter; none (logged)
    when the provider fails — the message then tells the tenant whom to call."""
    if amount_cents <= 0:
        return None
    try:
        link = await create_payment_link(
            connection, settings, tenant_id=tenant_id, period=period, amount_cents=amount_cents, now=now)
    except Exception:  # a provider outage must not stop the ladder; the message still points to a person
        log.exception("could not create a payment link for tenant %s, %s; sending without one",
                      await _contract_of(connection, tenant_id), period)
        return None
    return str(link.url) if link is not None else None


async def _contract_of(connection: AsyncConnection, tenant_id: int) -> str:
    """The contract id for a log line (people search logs by it); the database id if it cannot be read."""
    try:
        found = await tenant_store.contract_ids(connection, [tenant_id])
        return str(found.get(tenant_id) or f"#{tenant_id}")
    except Exception:  # the transaction may be failing already; the log line must still be written
        return f"#{tenant_id}"


def link_of(row: Row[Any] | None) -> PaymentLink | None:
    return PaymentLink.of(row) if row else None


async def link_by_public_id(connection: AsyncConnection, public_id: str) -> PaymentLink | None:
    return link_of(await payment_link_store.by_public_id(connection, public_id))


async def links_of(connection: AsyncConnection, tenant_id: int) -> list[PaymentLink]:
    return [PaymentLink.of(row) for row in await payment_link_store.of_tenant(connection, tenant_id)]


async def find(db: Database, public_id: str) -> PaymentLink | None:
    """The link a tenant opened, by its public id."""
    async with db.begin() as connection:
        return await link_by_public_id(connection, public_id)
