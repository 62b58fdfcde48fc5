"""Tables of the security and privacy area: hashed API tokens and anonymous aggregates.

`api_tokens` keeps only the SHA-256 digest of each token (a token is 32 random bytes, so a
fast digest is as safe as a slow password hash and can be checked on every request); the
token itself is printed once by `herinnering token create NAME` and never stored.
`retention_aggregates` is what remains of purged tenants (`herinnering purge`): counts per
month, table, kind, channel and state, without any tenant id — AVG-proof statistics.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, UniqueConstraint

from herinnering.adapters.db.tables import Id, UtcDateTime, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("prefix", String(12), nullable=False),  # the first characters, to recognise a token in a list
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

retention_aggregates = Table(
    "retention_aggregates",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),  # YYYY-MM of the record's own date
    Column("source", String(32), nullable=False),  # messages | payment_periods | tenants
    Column("kind", String(48), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("state", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint("month", "source", "kind", "channel", "state"),
)
