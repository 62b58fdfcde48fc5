"""message media: the attachments of inbound messages (Twilio's MediaUrlN and MediaContentTypeN)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_media",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("thread_message_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["thread_message_id"], ["thread_messages.id"],
                                name=op.f("fk_message_media_thread_message_id_thread_messages"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_media")),
        sa.UniqueConstraint("thread_message_id", "position", name=op.f("uq_message_media_thread_message_id_position")),
    )


def downgrade() -> None:
    op.drop_table("message_media")
