"""tenant centred: re-collections, collection-day changes, dialogs, tenant page tokens

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recollections",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), nullable=False),
        sa.Column("reason_code", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("collect_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("notice_message_id", ID, nullable=True),
        sa.Column("exported_at", AT, nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_recollections_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["notice_message_id"], ["messages.id"],
                                name=op.f("fk_recollections_notice_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recollections")),
        sa.UniqueConstraint("end_to_end_id", name=op.f("uq_recollections_end_to_end_id")),
        sa.UniqueConstraint("tenant_id", "period", "attempt", name=op.f("uq_recollections_tenant_id_period_attempt")),
    )
    op.create_index("ix_recollections_state_collect_on", "recollections", ["state", "collect_on"])
    op.create_table(
        "collection_day_changes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("old_day", sa.SmallInteger(), nullable=False),
        sa.Column("new_day", sa.SmallInteger(), nullable=False),
        sa.Column("effective_period", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("reversed_at", AT, nullable=True),
        sa.Column("reversed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_collection_day_changes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_day_changes")),
    )
    op.create_index("ix_collection_day_changes_tenant_id", "collection_day_changes", ["tenant_id"])
    op.create_table(
        "dialogs",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_dialogs_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_dialogs")),
    )
    op.create_table(
        "tenant_page_tokens",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("last_used_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_page_tokens_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_page_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_tenant_page_tokens_token_hash")),
    )
    op.create_table(
        "tenant_segments",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("segment", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_segments_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("tenant_id", "day", name=op.f("pk_tenant_segments")),
    )


def downgrade() -> None:
    op.drop_table("tenant_segments")
    op.drop_table("tenant_page_tokens")
    op.drop_table("dialogs")
    op.drop_index("ix_collection_day_changes_tenant_id", table_name="collection_day_changes")
    op.drop_table("collection_day_changes")
    op.drop_index("ix_recollections_state_collect_on", table_name="recollections")
    op.drop_table("recollections")
