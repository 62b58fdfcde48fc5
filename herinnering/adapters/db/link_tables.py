"""Tables of the payment links area.

`payment_links`: one row per link we gave a tenant. `public_id` is the unguessable part of our
own URLs; `provider_ref` is the provider's id (a Mollie `pl_…`, or the sandbox's own id).
`open_key` ("tenant:period:amount") is filled only while the link is open: its unique
constraint is what makes "one open link per tenant, period and amount" hold even when two
callers ask at once; it is emptied when the link is paid, expires or is replaced.

`sandbox_payments`: the sandbox provider's side of the story — what its iDEAL-style page was
told (the bank chosen, paid or cancelled). The webhook reads it back the way it reads Mollie.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from herinnering.adapters.db.tables import Cents, Id, UtcDateTime, metadata

payment_links = Table(
    "payment_links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_id", String(64), nullable=False, unique=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("amount_cents", Cents, nullable=False),
    Column("description", String(140), nullable=False),
    Column("provider", String(16), nullable=False),  # sandbox, mollie
    Column("provider_ref", String(64), unique=True),
    Column("url", Text, nullable=False),
    Column("state", String(16), nullable=False),  # open -> paid | expired | cancelled
    Column("open_key", String(80), unique=True),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime),
    Index("ix_payment_links_tenant_id_period", "tenant_id", "period"),
)

sandbox_payments = Table(
    "sandbox_payments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("ref", String(64), nullable=False, unique=True),  # = payment_links.provider_ref
    Column("status", String(16), nullable=False),  # open, paid, canceled (Mollie's words)
    Column("bank", String(32)),
    Column("amount_cents", Cents, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("paid_at", UtcDateTime),
)
