"""The database schema, as SQLAlchemy Core tables.

The spine's tables: `tenants` (kept in sync with the ERP export), `messages` (the durable
outbox: every message exists here before it is sent, and its state only moves forward),
`events` (an append-only log per tenant: what happened, when, and why) and `tasks` (work for
a person: call the tenant, verify a payment, answer a reply). Other areas keep their tables
in their own modules on the same `metadata`; `schema.py` imports them all.
The unique `messages.idempotency_key` is what makes "one reminder per tenant, period and
kind" true even when two planners or two ticks run at once.
Alembic migrations in `herinnering/migrations` create exactly this schema; a test checks it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
Cents = BigInteger().with_variant(Integer(), "sqlite")  # amounts: a bank file may hold millions of euros


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive; we put the zone back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


tenants = Table(
    "tenants",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("external_id", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("phone", String(20), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("monthly_rent_cents", Cents, nullable=False),
    Column("collection_day", SmallInteger, nullable=False),
    Column("iban", String(34)),
    Column("active", Boolean, nullable=False, default=True),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("opted_out_at", UtcDateTime),
    Column("paused_until", Date),
    # The tenant record (README "Tenant columns"): letters, the Wgs signal and municipal answers use it.
    Column("email", String(254)),
    Column("address", String(200)),  # the street line "Kerkstraat 12 A", kept from street + number + addition
    Column("street", String(120)),
    Column("house_number", String(8)),
    Column("house_number_addition", String(16)),
    Column("postal_code", String(10)),  # "1234 AB"
    Column("city", String(100)),
    Column("municipality", String(100)),  # a CBS code ("GM0363") or the name
    Column("lease_start", Date),
    # How the rent is paid (domain/payments/methods.py): incasso | overboeking | other
    Column("payment_method", String(16), nullable=False, default="incasso", server_default="incasso"),
    Column("mandate_id", String(35)),  # the SEPA mandate's own id (MndtId), for pain.008
    Column("mandate_signed_on", Date),  # the mandate's signature date (DtOfSgntr)
    Column("pre_notification_days", SmallInteger),  # a shorter SEPA pre-notification agreed in the mandate
    # WhatsApp (domain/reminders/whatsapp.py): the tenant's own channel choice, the opt-in and the 24-hour window
    Column("channel_preference", String(16)),  # set by the tenant ("SMS" / "WHATSAPP"); wins over the import
    Column("channel_preference_at", UtcDateTime),
    Column("whatsapp_opt_in_at", UtcDateTime),
    Column("whatsapp_opt_in_source", String(32)),  # import, keyword, officer …
    Column("whatsapp_last_inbound_at", UtcDateTime),  # the window closes 24 hours after this
    # The lease's last day (import "einddatum", or `end-contract`): nothing is planned for a later
    # debit date, and `herinnering purge` counts retention from here.
    Column("contract_ended_on", Date),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id")),  # empty for a reply to an unknown number
    Column("kind", String(32), nullable=False),
    Column("period", String(16), nullable=False),
    Column("idempotency_key", String(128), nullable=False, unique=True),
    Column("channel", String(16), nullable=False),
    Column("template", String(64), nullable=False),
    Column("variant", String(32), nullable=False, default="default"),
    Column("state", String(16), nullable=False),
    Column("send_at", UtcDateTime, nullable=False),
    Column("not_after", UtcDateTime),
    Column("debit_date", Date),
    Column("recipient", String(40)),
    Column("context", JSON),  # template variables fixed when the message was created (link, amount…)
    Column("body", Text),
    Column("segments", SmallInteger),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UtcDateTime),
    Column("claimed_by", String(64)),
    Column("claimed_at", UtcDateTime),
    Column("attempted_at", UtcDateTime),  # the last claim to send: a provider message older than this is not ours
    Column("provider_sid", String(64), unique=True),
    Column("provider_status", String(32)),
    Column("error_code", Integer),
    Column("error_message", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    Column("failed_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Index("ix_messages_state_send_at", "state", "send_at"),
    Index("ix_messages_tenant_id", "tenant_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id")),
    Column("message_id", Id, ForeignKey("messages.id")),
    Column("type", String(48), nullable=False),
    Column("data", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Index("ix_events_tenant_id_id", "tenant_id", "id"),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id")),
    Column("kind", String(48), nullable=False),  # e.g. call_tenant, verify_payment, reply_needed
    Column("title", String(200), nullable=False),
    Column("state", String(16), nullable=False, default="open"),  # open -> done | cancelled
    Column("due_at", UtcDateTime),
    Column("assigned_to", String(64)),
    Column("source", String(48), nullable=False),  # who made it: ladder, bot, officer …
    Column("dedupe_key", String(128), unique=True),  # one task per cause, however often the cause repeats
    Column("data", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("done_at", UtcDateTime),
    Index("ix_tasks_state_due_at", "state", "due_at"),
    Index("ix_tasks_tenant_id", "tenant_id"),
)
