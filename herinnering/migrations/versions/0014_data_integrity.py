"""data integrity: when a message's send was attempted (reconciliation), amounts as BIGINT cents

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("attempted_at", AT))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("attempted_at")
