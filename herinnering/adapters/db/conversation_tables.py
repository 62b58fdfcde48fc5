"""Tables of the conversations area: threads with tenants, their messages, officers' accounts,
sessions, login attempts and the audit log.

`threads` has one row per tenant (or per unknown phone number): its unique `key` makes two
inbound messages arriving at once land in the same thread. `thread_messages` holds what was
said both ways; an inbound row's unique `provider_sid` (Twilio's MessageSid) is what makes a
webhook delivered twice count once, and an outbound row points at its outbox message.
Passwords are stored only as argon2 hashes and session tokens only as SHA-256 digests.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from herinnering.adapters.db.tables import Id, UtcDateTime, metadata

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(200), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # officer | teamlead | admin | viewer (read-only)
    Column("password_hash", String(200), nullable=False),  # argon2id, never the password
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("language", String(2), nullable=False, default="nl", server_default=text("'nl'")),  # of the pages: nl | en
    Column("totp_secret", String(64)),  # two-factor sign-in (RFC 6238, base32), once the officer confirmed it
    Column("totp_pending", String(64)),  # a secret shown for enrolment, not yet confirmed with a code
    Column("totp_enabled_at", UtcDateTime),
    Column("totp_last_step", BigInteger),  # the 30-second step of the last code accepted: a code counts once
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the cookie value
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    # NULL: signed in. "code" / "enrol": the password was right, the second factor is still
    # owed; such a session opens only the second step of logging in, for a few minutes.
    Column("pending", String(8)),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(200), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_login_attempts_email_at", "email", "at"),
)

# One row per e-mail address being tried: the attempts in the current lockout window, counted
# in one atomic upsert *before* a password is checked, so parallel guesses cannot all pass.
login_guards = Table(
    "login_guards",
    metadata,
    Column("email", String(200), primary_key=True),
    Column("window_start", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # tenant:<id> or phone:<E.164>
    Column("tenant_id", Id, ForeignKey("tenants.id")),
    Column("phone", String(20), nullable=False),
    Column("unknown", Boolean, nullable=False, default=False),  # no tenant has this number
    Column("channel", String(16), nullable=False),  # of the last inbound message
    Column("owner", String(16), nullable=False),  # bot | officer (domain/conversations/threads.py)
    Column("assigned_to", Id, ForeignKey("users.id")),
    Column("needs_reply", Boolean, nullable=False, default=False),
    Column("flagged", Boolean, nullable=False, default=False),  # HELP: an officer should call
    Column("unread", Integer, nullable=False, default=0),
    Column("acknowledged_at", UtcDateTime),  # the conversation's one acknowledgement went out
    Column("last_inbound_at", UtcDateTime),
    Column("last_message_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # the team's status: open | waiting (for the tenant) | snoozed (until snoozed_until) | done
    Column("status", String(16), nullable=False, default="open", server_default=text("'open'")),
    Column("snoozed_until", UtcDateTime),
    Index("ix_threads_last_message_at", "last_message_at"),
)

thread_messages = Table(
    "thread_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("thread_id", Id, ForeignKey("threads.id"), nullable=False),
    Column("direction", String(8), nullable=False),  # in | out
    Column("author", String(16), nullable=False),  # tenant | bot | officer
    Column("user_id", Id, ForeignKey("users.id")),
    Column("provider_sid", String(64), unique=True),  # Twilio's MessageSid of an inbound message
    Column("message_id", Id, ForeignKey("messages.id")),  # the outbox row of an outbound one
    Column("channel", String(16), nullable=False),
    Column("body", Text, nullable=False),
    Column("intent", String(16)),
    Column("data", JSON),  # NumMedia, ProfileName, ButtonPayload …
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_thread_messages_thread_id_id", "thread_id", "id"),
)

# What a tenant sent with a message (WhatsApp photos, PDFs, MMS): where the provider keeps it
# and its type. Officers see it only through our authenticated route (web/conversations/media.py), which
# fetches it from the provider; the provider's address never reaches a page.
message_media = Table(
    "message_media",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("thread_message_id", Id, ForeignKey("thread_messages.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),  # Twilio's MediaUrl<position>
    Column("url", String(500), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("thread_message_id", "position"),
)

# Who has a thread open (and is typing in it), shared by every web process: one row per thread
# and officer, refreshed by their live view; a row past `expires_at` means nothing.
thread_presence = Table(
    "thread_presence",
    metadata,
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("typing", Boolean, nullable=False),
    Column("seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Index("ix_thread_presence_expires_at", "expires_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id")),
    Column("user_email", String(200), nullable=False),
    Column("action", String(48), nullable=False),
    Column("tenant_id", Id, ForeignKey("tenants.id")),
    Column("thread_id", Id, ForeignKey("threads.id")),
    Column("data", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_audit_log_at", "at"),
)
