"""thread presence: who has a conversation open or is typing in it, shared by every web process

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "thread_presence",
        sa.Column("thread_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("typing", sa.Boolean(), nullable=False),
        sa.Column("seen_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_thread_presence_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_thread_presence_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_thread_presence")),
    )
    op.create_index("ix_thread_presence_expires_at", "thread_presence", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_thread_presence_expires_at", table_name="thread_presence")
    op.drop_table("thread_presence")
