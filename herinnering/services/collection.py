"""The collection ladder's entry point: what happens after a payment changes.

Payment intake and payment links call `on_payment_change` in the same transaction that
stored the change. (The ladder part of the payments issue fills this in; until then it only
does nothing, which is safe: no message is sent.)
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.config import Settings
from herinnering.domain.payments import PaymentChange


async def on_payment_change(connection: AsyncConnection, settings: Settings, change: PaymentChange) -> None:
    """Open, advance or close the arrears case for this tenant and period."""
