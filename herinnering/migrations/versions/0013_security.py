"""security: an atomic login lockout counter, and one scheduled collection-day change per
tenant and first month (a repeated choice on "mijn huur" adds none)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)
SCHEDULED = sa.text("state = 'scheduled'")


def upgrade() -> None:
    op.create_table(
        "login_guards",
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("window_start", AT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_login_guards")),
    )
    # Repeated choices stored before this revision: the newest of each (tenant, first month)
    # stays scheduled, the older ones become "superseded" (kept as history, as before).
    op.execute(sa.text(
        "UPDATE collection_day_changes SET state = 'superseded' WHERE state = 'scheduled' AND id < ("
        "SELECT MAX(newer.id) FROM collection_day_changes AS newer WHERE newer.state = 'scheduled' "
        "AND newer.tenant_id = collection_day_changes.tenant_id "
        "AND newer.effective_period = collection_day_changes.effective_period)"))
    op.create_index("uq_collection_day_changes_scheduled", "collection_day_changes", ["tenant_id", "effective_period"],
                    unique=True, sqlite_where=SCHEDULED, postgresql_where=SCHEDULED)


def downgrade() -> None:
    op.drop_index("uq_collection_day_changes_scheduled", table_name="collection_day_changes")
    op.drop_table("login_guards")
