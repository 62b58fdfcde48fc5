"""fleet: the provider circuit shared by every process (`provider_circuits`, one row per
provider), so /healthz on the web process reports what the workers' breakers decided. A new
table: no existing data changes.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provider_circuits",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", AT, nullable=True),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_provider_circuits")),
    )


def downgrade() -> None:
    op.drop_table("provider_circuits")
