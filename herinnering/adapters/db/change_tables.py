"""Tables of the change feed: what the ERP and the bank must hear of, and its delivery.

`erp_changes` gets a row in the same transaction as the event it comes from (see
`change_store.record`), so a change is never published without having happened nor lost after
it did. Rows are numbered twice: `id` when inserted (the change's stable id, which a receiver
uses to drop a change it already has) and `position` by the sequencer once the row is visible
to every reader. Only the second is safe as a cursor: two transactions can commit their ids out
of order, so a reader paging by id could skip a row that commits late; positions are handed out
under one lock to rows already committed, in order, so nothing lands behind a cursor.

`erp_change_deliveries` is the push to the configured webhook: one row per change with its
attempts; `dead` rows are the dead-letter view.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Table

from herinnering.adapters.db.tables import Id, UtcDateTime, metadata

erp_changes = Table(
    "erp_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("position", BigInteger, unique=True),  # empty until the sequencer numbers it: the feed's cursor
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),  # export and purge follow it
    Column("contract_id", String(64), nullable=False),
    Column("event_type", String(48), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("data", JSON, nullable=False),  # domain.changes.change_data with notes; stripped when served
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_erp_changes_tenant_id", "tenant_id"),
)

erp_change_deliveries = Table(
    "erp_change_deliveries",
    metadata,
    Column("change_id", Id, ForeignKey("erp_changes.id"), primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # pending -> delivered | dead | skipped
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", String(300)),  # "HTTP 500", "timeout" …: never the receiver's body
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_erp_change_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
)
