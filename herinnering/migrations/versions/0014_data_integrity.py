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
# Every amount in cents: INTEGER overflowed at 21,474,836.48 euros (a loan credit on the same bank
# statement). SQLite's INTEGER is 64 bits already; PostgreSQL's columns become BIGINT in place.
AMOUNTS = {
    "tenants": ("monthly_rent_cents",),
    "payment_periods": ("amount_due_cents", "amount_paid_cents"),
    "payment_transactions": ("amount_cents",),
    "payment_links": ("amount_cents",),
    "sandbox_payments": ("amount_cents",),
    "arrears_cases": ("amount_due_cents", "amount_paid_cents", "signalled_cents"),
    "arrangements": ("total_cents", "baseline_paid_cents"),
    "instalments": ("amount_cents",),
    "letters": ("principal_cents", "costs_cents"),
    "recollections": ("amount_cents",),
}


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("attempted_at", AT))
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in AMOUNTS.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in AMOUNTS.items():
            for column in columns:
                op.alter_column(table, column, type_=sa.Integer(), existing_type=sa.BigInteger())
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("attempted_at")
