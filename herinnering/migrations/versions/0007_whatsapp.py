"""whatsapp: the tenant's channel preference, WhatsApp opt-in and last inbound WhatsApp message

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("channel_preference", "channel_preference_at", "whatsapp_opt_in_at", "whatsapp_opt_in_source",
           "whatsapp_last_inbound_at")


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_preference", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("channel_preference_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("whatsapp_opt_in_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("whatsapp_opt_in_source", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("whatsapp_last_inbound_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
