"""A provider says a payment link is paid: the payment is recorded.

A provider notifies us with an id only; `handle_notification` finds our link, asks the provider
about that link (never trusting the call itself) and, when it is paid, records the payment in
one transaction: the link becomes `paid` (single-use: it cannot be paid twice), the month's
state moves, and the change is published (`payment_changes.publish_payment`) — the ladder
stops at once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from herinnering.adapters.db import AsyncConnection, payment_link_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.engine import Database
from herinnering.adapters.payment_providers import PaymentProvider, ProviderStatus
from herinnering.config import Settings
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.services.payments import payments
from herinnering.services.payments.links import PaymentLink, link_of

log = logging.getLogger(__name__)


async def handle_notification(
    db: Database, settings: Settings, provider: PaymentProvider, notified_id: str, now: datetime,
    *, link_hint: str | None = None,
) -> str:
    """A provider said "something changed about `notified_id`". Returns what we did:
    "paid", "unchanged" or "unknown" (an id we never issued: ignored)."""
    async with db.begin() as connection:
        link = link_of(await payment_link_store.by_provider_ref(connection, notified_id, provider.name))
        if link is None and link_hint:
            link = link_of(await payment_link_store.by_public_id(connection, link_hint, provider.name))
        ref = None
        if link is not None:
            ref = await payment_link_store.provider_ref(connection, link.id)
    if link is None or not ref:
        log.info("payment notification for an unknown id from %s", provider.name)
        return "unknown"
    status = await provider.fetch(ref)  # the truth comes from the provider, never from the call
    if status is None or not status.paid:
        return "unchanged"
    async with db.begin() as connection:
        return await settle_paid(connection, settings, link, status, now)


async def settle_paid(
    connection: AsyncConnection, settings: Settings, link: PaymentLink, status: ProviderStatus, now: datetime
) -> str:
    if not await payment_link_store.set_paid(connection, link.id, status.paid_at or now, now):
        return "unchanged"  # paid before: a repeated webhook or a second click
    transaction = Transaction(
        source="link", source_key=f"link:{link.provider}:{status.ref}", kind=TransactionKind.PAYMENT,
        amount_cents=status.amount_cents or link.amount_cents, period=link.period,
        data={"link_id": link.id, "provider": link.provider, "payment_id": status.payment_id},
    )
    await event_log.append(connection, [event_log.event(
        link.tenant_id, "payment_link_paid", now, period=link.period, amount_cents=transaction.amount_cents,
        provider=link.provider, link_id=link.id,
    )])
    await payments.record_for_tenant(connection, settings, link.tenant_id, transaction, now)
    return "paid"
