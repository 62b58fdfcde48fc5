"""collection ladder: arrears cases, ladder steps, pauses, arrangements, MVI steps; tenant contact columns

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)
TENANT_COLUMNS = (
    ("email", 254), ("address", 200), ("postal_code", 10), ("city", 100), ("municipality", 100),
)


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for name, length in TENANT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table(
        "arrears_cases",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("missed_on", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=8), nullable=True),
        sa.Column("amount_due_cents", sa.Integer(), nullable=False),
        sa.Column("amount_paid_cents", sa.Integer(), nullable=False),
        sa.Column("opened_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.Column("closed_at", AT, nullable=True),
        sa.Column("signalled_at", AT, nullable=True),
        sa.Column("signalled_cents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_arrears_cases_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrears_cases")),
        sa.UniqueConstraint("tenant_id", "period", name=op.f("uq_arrears_cases_tenant_id_period")),
    )
    with op.batch_alter_table("arrears_cases", schema=None) as batch_op:
        batch_op.create_index("ix_arrears_cases_state", ["state"], unique=False)
    op.create_table(
        "ladder_steps",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), nullable=False),
        sa.Column("message_id", ID, nullable=True),
        sa.Column("task_id", ID, nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["arrears_cases.id"], name=op.f("fk_ladder_steps_case_id_arrears_cases")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_ladder_steps_message_id_messages")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_ladder_steps_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ladder_steps")),
        sa.UniqueConstraint("case_id", "step", name=op.f("uq_ladder_steps_case_id_step")),
    )
    op.create_table(
        "pauses",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("ended_at", AT, nullable=True),
        sa.Column("ended_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_pauses_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pauses")),
    )
    with op.batch_alter_table("pauses", schema=None) as batch_op:
        batch_op.create_index("ix_pauses_tenant_id", ["tenant_id"], unique=False)
    op.create_table(
        "arrangements",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("periods", sa.Text(), nullable=False),
        sa.Column("baseline_paid_cents", sa.Integer(), nullable=False),
        sa.Column("every", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_arrangements_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangements")),
    )
    with op.batch_alter_table("arrangements", schema=None) as batch_op:
        batch_op.create_index("ix_arrangements_tenant_id", ["tenant_id"], unique=False)
    op.create_table(
        "instalments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("arrangement_id", ID, nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reminder_message_id", ID, nullable=True),
        sa.Column("paid_at", AT, nullable=True),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(
            ["arrangement_id"], ["arrangements.id"], name=op.f("fk_instalments_arrangement_id_arrangements")
        ),
        sa.ForeignKeyConstraint(
            ["reminder_message_id"], ["messages.id"], name=op.f("fk_instalments_reminder_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalments")),
        sa.UniqueConstraint("arrangement_id", "number", name=op.f("uq_instalments_arrangement_id_number")),
    )
    op.create_table(
        "mvi_steps",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occurred_at", AT, nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["arrears_cases.id"], name=op.f("fk_mvi_steps_case_id_arrears_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mvi_steps")),
        sa.UniqueConstraint("source_key", name=op.f("uq_mvi_steps_source_key")),
    )
    with op.batch_alter_table("mvi_steps", schema=None) as batch_op:
        batch_op.create_index("ix_mvi_steps_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    for table in ("mvi_steps", "instalments", "arrangements", "pauses", "ladder_steps", "arrears_cases"):
        op.drop_table(table)
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for name, _ in reversed(TENANT_COLUMNS):
            batch_op.drop_column(name)
