"""erp round trip: the change feed for the ERP and the bank, and its webhook deliveries

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payer_accounts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_payer_accounts_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payer_accounts")),
        sa.UniqueConstraint("iban", "tenant_id", name=op.f("uq_payer_accounts_iban_tenant_id")),
    )
    op.create_index("ix_payer_accounts_iban", "payer_accounts", ["iban"])
    with op.batch_alter_table("payment_transactions") as batch:
        batch.add_column(sa.Column("value_on", sa.Date(), nullable=True))
    op.create_table(
        "erp_changes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("contract_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_erp_changes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_changes")),
        sa.UniqueConstraint("position", name=op.f("uq_erp_changes_position")),
    )
    op.create_index("ix_erp_changes_tenant_id", "erp_changes", ["tenant_id"])
    op.create_table(
        "erp_change_deliveries",
        sa.Column("change_id", ID, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", AT, nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["erp_changes.id"],
                                name=op.f("fk_erp_change_deliveries_change_id_erp_changes")),
        sa.PrimaryKeyConstraint("change_id", name=op.f("pk_erp_change_deliveries")),
        sa.UniqueConstraint("position", name=op.f("uq_erp_change_deliveries_position")),
    )
    op.create_index("ix_erp_change_deliveries_state_next_attempt_at", "erp_change_deliveries",
                    ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_erp_change_deliveries_state_next_attempt_at", table_name="erp_change_deliveries")
    op.drop_table("erp_change_deliveries")
    op.drop_index("ix_erp_changes_tenant_id", table_name="erp_changes")
    op.drop_table("erp_changes")
    with op.batch_alter_table("payment_transactions") as batch:
        batch.drop_column("value_on")
    op.drop_index("ix_payer_accounts_iban", table_name="payer_accounts")
    op.drop_table("payer_accounts")
