"""Mollie payment links through the official client (mollie-api-python).

The client is synchronous (requests), so every call runs in a thread. A link is created with
its amount, description, redirect and webhook URLs, `expiresAt` (Mollie links never expire
otherwise) and an `Idempotency-Key`. `fetch` reads the payment link back; a webhook may carry
either the link's id (`pl_…`) or the id of the payment made through it (`tr_…`), and both are
looked up at Mollie. `Client(api_endpoint=...)` points it at the shipped fake in development.
Mollie's errors become `PaymentProviderError` here.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import NotFoundError

from herinnering.adapters.payment_providers.base import (
    LinkRequest,
    PaymentProviderError,
    ProviderLink,
    ProviderStatus,
)
from herinnering.domain.payments.state import euros


class MollieProvider:
    name = "mollie"

    def __init__(self, api_key: str, api_endpoint: str = "", timeout: float = 10) -> None:
        self.client = Client(api_endpoint=api_endpoint, timeout=int(max(1, timeout)))
        try:
            self.client.set_api_key(api_key)
        except MollieError as exc:
            raise PaymentProviderError(f"payments.mollie_api_key: {exc}") from None

    async def create_link(self, request: LinkRequest) -> ProviderLink:
        data = {
            "amount": {"currency": "EUR", "value": euros(request.amount_cents)},
            "description": request.description,
            "redirectUrl": request.redirect_url,
            "webhookUrl": request.webhook_url,
            "expiresAt": request.expires_at.astimezone(UTC).isoformat(timespec="seconds"),
            "allowedMethods": ["ideal"],
        }
        link = await self._call(self.client.payment_links.create, data, idempotency_key=request.idempotency_key)
        url = link.payment_link
        if not link.id or not url:
            raise PaymentProviderError("Mollie answered a payment link without an id or URL")
        return ProviderLink(ref=link.id, url=url)

    async def fetch(self, ref: str) -> ProviderStatus | None:
        try:
            if ref.startswith("tr_"):
                payment = await self._call(self.client.payments.get, ref)
                return ProviderStatus(ref=ref, status=payment.status or "open", amount_cents=_cents(payment.amount),
                                      paid_at=_moment(payment.paid_at), payment_id=payment.id)
            if ref.startswith("pl_"):
                link = await self._call(self.client.payment_links.get, ref)
                paid_at = _moment(link.paid_at)  # expiry is ours to judge, with our clock
                return ProviderStatus(ref=ref, status="paid" if paid_at else "open", amount_cents=_cents(link.amount), paid_at=paid_at,
                                      payment_id=link.id if paid_at else None)
        except _NotFound:
            return None
        return None

    async def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except NotFoundError:
            raise _NotFound() from None
        except MollieError as exc:
            raise PaymentProviderError(f"Mollie: {exc}") from None


class _NotFound(Exception):
    pass


def _cents(amount: Any) -> int:
    if not isinstance(amount, dict) or "value" not in amount:
        return 0
    return int(Decimal(str(amount["value"])) * 100)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
