"""The sandbox provider: our own iDEAL-style page plays the bank.

Creating a link costs nothing: the tenant's URL is `/pay/<public id>` on our own app. What the
page is told (a bank chosen, Pay or Cancel) is written to `sandbox_payments` — the provider's
side — and the page then notifies us through the same path a real provider's webhook takes,
which reads that table back through `fetch`. So the sandbox exercises the whole webhook flow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import Database, dialect_insert
from herinnering.adapters.db.link_tables import sandbox_payments
from herinnering.adapters.payment_providers.base import LinkRequest, ProviderLink, ProviderStatus


class SandboxProvider:
    name = "sandbox"

    def __init__(self, public_url: str, db: Database | None = None) -> None:
        self.public_url = public_url.rstrip("/")
        self.db = db

    async def create_link(self, request: LinkRequest) -> ProviderLink:
        return ProviderLink(ref=f"sbx_{request.public_id}", url=f"{self.public_url}/pay/{request.public_id}")

    async def fetch(self, ref: str) -> ProviderStatus | None:
        if self.db is None:
            raise RuntimeError("the sandbox provider needs the database to look a payment up")
        async with self.db.begin() as connection:
            row = (await connection.execute(select(sandbox_payments).where(sandbox_payments.c.ref == ref))).first()
        if row is None:
            return ProviderStatus(ref=ref, status="open", amount_cents=0) if ref.startswith("sbx_") else None
        return ProviderStatus(ref=ref, status=row.status, amount_cents=row.amount_cents, paid_at=row.paid_at,
                              payment_id=f"{ref}:paid" if row.status == "paid" else None)


async def tenant_chose(
    connection: AsyncConnection, ref: str, *, pay: bool, bank: str | None, amount_cents: int, now: datetime
) -> str:
    """Record the tenant's Pay or Cancel on the sandbox's side. Paid stays paid (a second click
    or a reload changes nothing). Returns the sandbox status afterwards."""
    await connection.execute(
        dialect_insert(connection, sandbox_payments).on_conflict_do_nothing(index_elements=["ref"]),
        [{"ref": ref, "status": "open", "bank": bank, "amount_cents": amount_cents, "created_at": now,
          "updated_at": now}],
    )
    values = {"status": "paid", "paid_at": now} if pay else {"status": "canceled"}
    await connection.execute(
        update(sandbox_payments).where(sandbox_payments.c.ref == ref, sandbox_payments.c.status != "paid")
        .values(bank=bank, updated_at=now, **values)
    )
    status = (await connection.execute(select(sandbox_payments.c.status).where(sandbox_payments.c.ref == ref))).scalar()
    return str(status)
