"""workplace: the officer's page language and two-factor secret, the team's thread status

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=False, server_default=sa.text("'nl'")))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    with op.batch_alter_table("threads") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default=sa.text("'open'")))
        batch_op.add_column(sa.Column("snoozed_until", AT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch_op:
        batch_op.drop_column("snoozed_until")
        batch_op.drop_column("status")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("language")
