"""conversations: threads, thread messages, users, sessions, login attempts, audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _at("created_at", False),
        _at("updated_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _at("created_at", False),
        _at("expires_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id_users"),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        _at("at", False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_table(
        "threads",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("tenant_id", Id),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("unknown", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(16), nullable=False),
        sa.Column("assigned_to", Id),
        sa.Column("needs_reply", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False),
        _at("acknowledged_at"),
        _at("last_inbound_at"),
        _at("last_message_at", False),
        _at("created_at", False),
        _at("updated_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_threads"),
        sa.UniqueConstraint("key", name="uq_threads_key"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_threads_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["assigned_to"], ["users.id"], name="fk_threads_assigned_to_users"),
    )
    op.create_index("ix_threads_last_message_at", "threads", ["last_message_at"])
    op.create_table(
        "thread_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("thread_id", Id, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("user_id", Id),
        sa.Column("provider_sid", sa.String(64)),
        sa.Column("message_id", Id),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(16)),
        sa.Column("data", sa.JSON()),
        _at("created_at", False),
        sa.PrimaryKeyConstraint("id", name="pk_thread_messages"),
        sa.UniqueConstraint("provider_sid", name="uq_thread_messages_provider_sid"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name="fk_thread_messages_thread_id_threads"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_thread_messages_user_id_users"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name="fk_thread_messages_message_id_messages"),
    )
    op.create_index("ix_thread_messages_thread_id_id", "thread_messages", ["thread_id", "id"])
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("user_id", Id),
        sa.Column("user_email", sa.String(200), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("tenant_id", Id),
        sa.Column("thread_id", Id),
        sa.Column("data", sa.JSON(), nullable=False),
        _at("at", False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_audit_log_user_id_users"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_audit_log_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name="fk_audit_log_thread_id_threads"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in ("audit_log", "thread_messages", "threads", "login_attempts", "sessions", "users"):
        op.drop_table(table)
