"""recollection batches: each pain.008 file as made, and when it was handed to the bank

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recollection_batches",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("collect_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("total_cents", ID, nullable=False),
        sa.Column("end_to_end_ids", sa.Text(), nullable=False),
        sa.Column("xml", sa.LargeBinary(), nullable=False),
        sa.Column("xml_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("handed_by", sa.String(length=64), nullable=True),
        sa.Column("handed_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recollection_batches")),
    )


def downgrade() -> None:
    op.drop_table("recollection_batches")
