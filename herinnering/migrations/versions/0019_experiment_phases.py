"""experiment phases: phases, each month's payment timeline, the phase and paid-at-exposure of
each exposure. Existing data: every experiment's stored definition becomes its phase 1, and
every recorded conversion becomes a `paid` change at its moment (nothing is lost).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "experiment_phases",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("experiment_key", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("started_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_phases")),
        sa.UniqueConstraint("experiment_key", "phase", name=op.f("uq_experiment_phases_experiment_key_phase")),
    )
    op.create_table(
        "experiment_payment_changes",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", AT, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_experiment_payment_changes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_payment_changes")),
    )
    with op.batch_alter_table("experiment_payment_changes", schema=None) as batch_op:
        batch_op.create_index("ix_experiment_payment_changes_tenant_period", ["tenant_id", "period"], unique=False)
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phase", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("paid_at_exposure", sa.Boolean(), nullable=True))
    op.execute(
        "INSERT INTO experiment_phases (experiment_key, phase, definition, started_at) "
        "SELECT key, 1, definition, created_at FROM experiments"
    )
    op.execute(
        "INSERT INTO experiment_payment_changes (tenant_id, period, status, occurred_at, source) "
        "SELECT o.tenant_id, e.period, 'paid', o.converted_at, o.source "
        "FROM experiment_outcomes o JOIN experiment_exposures e ON e.id = o.exposure_id"
    )


def downgrade() -> None:
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.drop_column("paid_at_exposure")
        batch_op.drop_column("phase")
    with op.batch_alter_table("experiment_payment_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_experiment_payment_changes_tenant_period")
    op.drop_table("experiment_payment_changes")
    op.drop_table("experiment_phases")
