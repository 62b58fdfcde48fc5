"""Tables of tenant-centred collection (issue 10): re-collections after a returned debit,
collection-day changes the tenant chose, the self-service dialogs by message, and the tokens
of the personal "mijn huur" page.

`recollections` has one row per tenant, period and attempt (unique): the attempt number is
what caps re-collections, and the end-to-end id names it in the pain.008 file and in the
bank's return. `collection_day_changes` keeps every change with the month it applies from;
a reversed change stays as history. `dialogs` holds at most one open dialog per tenant.
`tenant_page_tokens` stores only a hash of each token: the link in the message is the key.
`tenant_segments` keeps each day's segment per tenant (klantprofielen), so counts over time
can be drawn.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from herinnering.adapters.db.tables import Cents, Id, UtcDateTime, metadata

recollections = Table(
    "recollections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(16), nullable=False),
    Column("attempt", SmallInteger, nullable=False),  # 1 = the first re-collection
    Column("reason_code", String(8), nullable=False),  # the return that caused it
    Column("amount_cents", Cents, nullable=False),
    Column("collect_on", Date, nullable=False),
    Column("state", String(16), nullable=False),  # scheduled -> exported -> returned | cancelled
    Column("end_to_end_id", String(35), nullable=False, unique=True),
    Column("notice_message_id", Id, ForeignKey("messages.id")),  # the SEPA pre-notification
    Column("exported_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "period", "attempt"),
    Index("ix_recollections_state_collect_on", "state", "collect_on"),
)

# One pain.008 file as it was made (the screen's download serves exactly these bytes) and when it
# was handed to the bank. Like `post_batches`, it names no tenant: the file itself does.
recollection_batches = Table(
    "recollection_batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("collect_on", Date, nullable=False),
    Column("state", String(16), nullable=False),  # made -> handed
    Column("payment_count", Integer, nullable=False),
    Column("total_cents", Cents, nullable=False),
    Column("end_to_end_ids", Text, nullable=False),  # the re-collections in it, comma-separated
    Column("xml", LargeBinary, nullable=False),
    Column("xml_sha256", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("handed_by", String(64)),
    Column("handed_at", UtcDateTime),
)

collection_day_changes = Table(
    "collection_day_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("old_day", SmallInteger, nullable=False),
    Column("new_day", SmallInteger, nullable=False),
    Column("effective_period", String(16), nullable=False),  # "2027-02": the first month on the new day
    Column("state", String(16), nullable=False),  # scheduled | reversed | superseded (a later choice)
    Column("source", String(16), nullable=False),  # sms, whatsapp, page, officer
    Column("created_at", UtcDateTime, nullable=False),
    Column("reversed_at", UtcDateTime),
    Column("reversed_by", String(64)),
    Index("ix_collection_day_changes_tenant_id", "tenant_id"),
    # one scheduled change per tenant and first month: a repeated choice (a double POST) adds none
    Index("uq_collection_day_changes_scheduled", "tenant_id", "effective_period", unique=True,
          sqlite_where=text("state = 'scheduled'"), postgresql_where=text("state = 'scheduled'")),
)

dialogs = Table(
    "dialogs",
    metadata,
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("kind", String(16), nullable=False),  # day | arrangement | callback
    Column("step", String(16), nullable=False),
    Column("data", JSON, nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

tenant_page_tokens = Table(
    "tenant_page_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
)

tenant_segments = Table(
    "tenant_segments",
    metadata,
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("day", Date, primary_key=True),  # one snapshot per tenant and day: counts over time
    Column("segment", SmallInteger, nullable=False),  # domain/tenants/segments.py Segment
    Column("reason", String(200), nullable=False),
)

pre_debit_opt_outs = Table(
    "pre_debit_opt_outs",
    metadata,
    # the tenant's own "no reminder before the debit, please" (keyword or officer on their request);
    # the planner honours it only while the tenant is in a segment that allows it ([segments.cadence])
    Column("tenant_id", Id, ForeignKey("tenants.id"), primary_key=True),
    Column("source", String(16), nullable=False),  # keyword, officer
    Column("created_at", UtcDateTime, nullable=False),
)
