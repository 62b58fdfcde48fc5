"""lawful: letters as sent (14-day letter, written reminder) and the municipality's answers to signals

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "letters",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("term_ends_on", sa.Date(), nullable=True),
        sa.Column("costs_due_from", sa.Date(), nullable=True),
        sa.Column("principal_cents", sa.Integer(), nullable=False),
        sa.Column("costs_cents", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("translation", sa.Text(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_letters_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["case_id"], ["arrears_cases.id"], name=op.f("fk_letters_case_id_arrears_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("case_id", "kind", name=op.f("uq_letters_case_id_kind")),
    )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index("ix_letters_tenant_id", ["tenant_id"], unique=False)
    op.create_table(
        "municipal_feedback",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["arrears_cases.id"],
                                name=op.f("fk_municipal_feedback_case_id_arrears_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipal_feedback")),
        sa.UniqueConstraint("source_key", name=op.f("uq_municipal_feedback_source_key")),
    )
    with op.batch_alter_table("municipal_feedback", schema=None) as batch_op:
        batch_op.create_index("ix_municipal_feedback_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("municipal_feedback")
    op.drop_table("letters")
