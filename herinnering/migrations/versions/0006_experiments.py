"""experiments: definitions, assignments, exposures and outcomes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("key", name=op.f("uq_experiments_key")),
    )
    op.create_table(
        "experiment_assignments",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("experiment_key", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_experiment_assignments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_assignments")),
        sa.UniqueConstraint(
            "experiment_key", "tenant_id", name=op.f("uq_experiment_assignments_experiment_key_tenant_id")
        ),
    )
    op.create_table(
        "experiment_exposures",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("experiment_key", sa.String(length=32), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("message_id", _id(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("exposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_experiment_exposures_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_experiment_exposures_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_exposures")),
        sa.UniqueConstraint("message_id", name=op.f("uq_experiment_exposures_message_id")),
    )
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.create_index("ix_experiment_exposures_key_variant", ["experiment_key", "variant"], unique=False)
        batch_op.create_index("ix_experiment_exposures_tenant_period", ["tenant_id", "period"], unique=False)
    op.create_table(
        "experiment_outcomes",
        sa.Column("id", _id(), autoincrement=True, nullable=False),
        sa.Column("exposure_id", _id(), nullable=False),
        sa.Column("experiment_key", sa.String(length=32), nullable=False),
        sa.Column("variant", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", _id(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("converted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["exposure_id"], ["experiment_exposures.id"],
            name=op.f("fk_experiment_outcomes_exposure_id_experiment_exposures"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_experiment_outcomes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_outcomes")),
        sa.UniqueConstraint("exposure_id", name=op.f("uq_experiment_outcomes_exposure_id")),
    )
    with op.batch_alter_table("experiment_outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_experiment_outcomes_key_variant", ["experiment_key", "variant"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("experiment_outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_experiment_outcomes_key_variant")
    op.drop_table("experiment_outcomes")
    with op.batch_alter_table("experiment_exposures", schema=None) as batch_op:
        batch_op.drop_index("ix_experiment_exposures_tenant_period")
        batch_op.drop_index("ix_experiment_exposures_key_variant")
    op.drop_table("experiment_exposures")
    op.drop_table("experiment_assignments")
    op.drop_table("experiments")
