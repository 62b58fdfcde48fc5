"""The payment provider port: make a link, and tell what became of it.

A provider knows nothing of tenants or periods: it gets an amount, a description, where to
send the tenant afterwards and where to notify us, and it answers with its own reference and
the URL for the tenant. A webhook only ever carries that reference: we then ask the provider
(`fetch`) and act on what it says, so a forged call changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from herinnering.errors import PaymentProviderError  # noqa: F401 (re-exported: payment_providers.PaymentProviderError)


@dataclass(frozen=True)
class LinkRequest:
    public_id: str            # our unguessable id of the link
    amount_cents: int
    description: str          # "Huur december 2026, contract HC-100101"
    expires_at: datetime
    redirect_url: str         # where the tenant lands after paying
    webhook_url: str          # where the provider tells us something changed
    idempotency_key: str      # the same request twice makes one link


@dataclass(frozen=True)
class ProviderLink:
    ref: str                  # the provider's id (Mollie "pl_…")
    url: str                  # what the tenant opens


@dataclass(frozen=True)
class ProviderStatus:
    ref: str
    status: str               # open, paid, expired, canceled (Mollie's words)
    amount_cents: int
    paid_at: datetime | None = None
    payment_id: str | None = None  # the provider's payment that paid the link

    @property
    def paid(self) -> bool:
        return self.status == "paid"


class PaymentProvider(Protocol):
    name: str

    async def create_link(self, request: LinkRequest) -> ProviderLink: ...

    async def fetch(self, ref: str) -> ProviderStatus | None:
        """What the provider says about a link now; None when it does not know the reference."""
        ...
