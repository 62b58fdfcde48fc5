"""Tables of the payments area: the state of each rent period and every transaction taken in.

`payment_periods` holds one row per tenant and period (amount due, amount paid, status, the
last return reason): the current truth the ladder reads. `payment_transactions` holds every
source transaction that changed it — a CAMT entry, an ERP line, an API call, a paid link —
under a unique `source_key` (the bank's reference, a hash of the CSV row, the caller's id),
so importing the same file twice finds every key taken and changes nothing. Transactions that
match no tenant are kept too (tenant empty) so an officer can place them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)

from herinnering.adapters.db.tables import Cents, Id, UtcDateTime, metadata

payment_periods = Table(
    "payment_periods",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(7), nullable=False),  # "2026-12"
    Column("amount_due_cents", Cents, nullable=False),
    Column("amount_paid_cents", Cents, nullable=False),
    Column("status", String(16), nullable=False),  # domain.payments.PaymentStatus
    Column("reason_code", String(8)),  # the last ISO return reason (AM04, MD06 …)
    Column("source", String(16), nullable=False),  # what changed it last: camt, erp, api, link
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "period"),
)

payment_transactions = Table(
    "payment_transactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source_key", String(200), nullable=False, unique=True),  # idempotency: one row per source transaction
    Column("source", String(16), nullable=False),  # camt, erp, api, link
    Column("kind", String(16), nullable=False),  # payment, return, statement (domain.payment_state.TransactionKind)
    Column("tenant_id", Id, ForeignKey("tenants.id")),  # empty: matched no tenant
    Column("period", String(7)),
    Column("amount_cents", Cents, nullable=False),
    Column("reason_code", String(8)),
    Column("reference", String(140)),  # end-to-end id, mandate id or the caller's id: how it was matched
    Column("booked_on", Date),  # the bank's booking date (or the ERP's payment date): the payment's date
    Column("value_on", Date),  # the value date, when the source gives it
    Column("data", JSON, nullable=False),  # what the source said, for an officer (no names, no IBANs)
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_payment_transactions_tenant_id_period", "tenant_id", "period"),
)

payer_accounts = Table(
    "payer_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("iban", String(34), nullable=False),  # without spaces, upper case
    Column("label", String(80), nullable=False),  # who pays: "partner", "budgetbeheer gemeente", "schuldhulp"
    Column("created_by", String(254), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("iban", "tenant_id"),
    Index("ix_payer_accounts_iban", "iban"),
)
