"""whatsapp consent: the opt-in record (business, channel, date, text agreed to, how)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "whatsapp_consents",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("business_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("agreed_at", AT, nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_whatsapp_consents_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapp_consents")),
    )
    with op.batch_alter_table("whatsapp_consents", schema=None) as batch_op:
        batch_op.create_index("ix_whatsapp_consents_tenant_id", ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("whatsapp_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_whatsapp_consents_tenant_id")
    op.drop_table("whatsapp_consents")
