"""arrears case: one case per tenant holding its months; letters generated, then posted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

Before this revision a case was one unpaid month. Each existing case keeps its row, gets its
month in `case_months`, and its `arrears_since` (the month's due date). Where a tenant had
several cases not closed, the oldest one becomes the tenant's one open case: it takes in the
months of the others (so its total is theirs together), their MVI steps are copied onto it
(under a `merged:` source key) so no Wgs step is lost, and the others are closed with
`merged_into` pointing at it — their ladder steps, letters and answers stay where they were,
as history. Letters stored before this revision were counted as sent on the day they were
made; they become `posted` on that day (method `onbekend`) so no running term changes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CENTS = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
AT = sa.DateTime(timezone=True)


def _due_on(period: str, collection_day: int | None, fallback: date) -> date:
    """The month's debit date, as the planner computes it; the missed date if the period is odd."""
    from herinnering.domain.reminders.planning import Period, debit_date

    try:
        return min(debit_date(Period.parse(period), int(collection_day or 1)), fallback)
    except (ValueError, TypeError):
        return fallback


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def upgrade() -> None:
    op.create_table(
        "case_months",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_due_cents", CENTS, nullable=False),
        sa.Column("amount_paid_cents", CENTS, nullable=False),
        sa.Column("reason_code", sa.String(length=8), nullable=True),
        sa.Column("joined_at", AT, nullable=False),
        sa.Column("settled_at", AT, nullable=True),
        sa.Column("updated_at", AT, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["arrears_cases.id"], name=op.f("fk_case_months_case_id_arrears_cases")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_case_months_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_months")),
        sa.UniqueConstraint("case_id", "period", name=op.f("uq_case_months_case_id_period")),
    )
    with op.batch_alter_table("case_months", schema=None) as batch_op:
        batch_op.create_index("ix_case_months_tenant_id", ["tenant_id"], unique=False)
    op.create_table(
        "post_batches",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("letter_count", sa.Integer(), nullable=False),
        sa.Column("listing", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("posted_by", sa.String(length=64), nullable=True),
        sa.Column("posted_at", AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_batches")),
    )
    with op.batch_alter_table("arrears_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrears_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("open_tenant_id", ID, nullable=True))
        batch_op.add_column(sa.Column("merged_into", ID, nullable=True))
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.alter_column("sent_on", new_column_name="generated_on", existing_type=sa.Date(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column("state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("planned_post_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("posted_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("post_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("post_batch_id", ID, nullable=True))
        batch_op.add_column(sa.Column("tracking_number", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("delivery_record", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("posted_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("months", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))

    _move_data(op.get_bind())

    with op.batch_alter_table("arrears_cases", schema=None) as batch_op:
        batch_op.alter_column("arrears_since", existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint("uq_arrears_cases_tenant_id_period", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_arrears_cases_open_tenant_id"), ["open_tenant_id"])
        batch_op.create_foreign_key(batch_op.f("fk_arrears_cases_merged_into_arrears_cases"), "arrears_cases",
                                    ["merged_into"], ["id"])
        batch_op.create_index("ix_arrears_cases_tenant_id", ["tenant_id"], unique=False)
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.alter_column("state", existing_type=sa.String(length=16), nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_letters_post_batch_id_post_batches"), "post_batches",
                                    ["post_batch_id"], ["id"])
        batch_op.create_index("ix_letters_state", ["state"], unique=False)


def _move_data(bind: sa.Connection) -> None:
    """Per-month cases into one case per tenant (see the module docstring); loses nothing."""
    cases = sa.table(
        "arrears_cases", sa.column("id"), sa.column("tenant_id"), sa.column("period"), sa.column("state"),
        sa.column("missed_on"), sa.column("reason_code"), sa.column("amount_due_cents"),
        sa.column("amount_paid_cents"), sa.column("opened_at"), sa.column("updated_at"), sa.column("closed_at"),
        sa.column("arrears_since"), sa.column("open_tenant_id"), sa.column("merged_into"),
    )
    months = sa.table(
        "case_months", sa.column("case_id"), sa.column("tenant_id"), sa.column("period"), sa.column("due_on"),
        sa.column("amount_due_cents"), sa.column("amount_paid_cents"), sa.column("reason_code"),
        sa.column("joined_at"), sa.column("settled_at"), sa.column("updated_at"),
    )
    tenants = sa.table("tenants", sa.column("id"), sa.column("collection_day"))
    mvi = sa.table("mvi_steps", sa.column("id"), sa.column("case_id"), sa.column("step"), sa.column("channel"),
                   sa.column("text"), sa.column("occurred_at"), sa.column("recorded_by"), sa.column("source_key"),
                   sa.column("created_at"))
    letters = sa.table("letters", sa.column("generated_on"), sa.column("state"), sa.column("posted_on"),
                       sa.column("planned_post_on"),
                       sa.column("post_method"), sa.column("posted_by"), sa.column("created_by"))

    days = {row.id: row.collection_day for row in bind.execute(sa.select(tenants.c.id, tenants.c.collection_day))}
    rows = bind.execute(sa.select(cases).order_by(cases.c.tenant_id, cases.c.missed_on, cases.c.id)).fetchall()
    due: dict[int, date] = {}
    for row in rows:
        due[row.id] = _due_on(row.period, days.get(row.tenant_id), _as_date(row.missed_on))
        settled = row.closed_at if row.state == "closed" else None
        bind.execute(months.insert().values(
            case_id=row.id, tenant_id=row.tenant_id, period=row.period, due_on=due[row.id],
            amount_due_cents=row.amount_due_cents, amount_paid_cents=row.amount_paid_cents,
            reason_code=row.reason_code, joined_at=row.opened_at, settled_at=settled, updated_at=row.updated_at))
        bind.execute(sa.update(cases).where(cases.c.id == row.id).values(
            arrears_since=due[row.id], open_tenant_id=row.tenant_id if row.state != "closed" else None))

    not_closed: dict[int, list[sa.Row]] = defaultdict(list)
    for row in rows:
        if row.state != "closed":
            not_closed[row.tenant_id].append(row)
    for tenant_id, group in not_closed.items():
        if len(group) < 2:
            continue
        keeper, others = group[0], group[1:]  # the oldest case holds them all
        bind.execute(sa.update(cases).where(cases.c.id.in_([o.id for o in others])).values(open_tenant_id=None))
        for other in others:
            bind.execute(months.insert().values(
                case_id=keeper.id, tenant_id=tenant_id, period=other.period, due_on=due[other.id],
                amount_due_cents=other.amount_due_cents, amount_paid_cents=other.amount_paid_cents,
                reason_code=other.reason_code, joined_at=other.opened_at, settled_at=None,
                updated_at=other.updated_at))
            for step in bind.execute(sa.select(mvi).where(mvi.c.case_id == other.id)).fetchall():
                bind.execute(mvi.insert().values(
                    case_id=keeper.id, step=step.step, channel=step.channel, text=step.text,
                    occurred_at=step.occurred_at, recorded_by=step.recorded_by,
                    source_key=f"merged:{other.id}:{step.source_key}"[:128], created_at=step.created_at))
            bind.execute(sa.update(cases).where(cases.c.id == other.id).values(
                state="closed", closed_at=_as_moment(other.updated_at), merged_into=keeper.id))
        everything = [keeper, *others]
        open_due = [due[r.id] for r in everything if r.amount_paid_cents < r.amount_due_cents]
        bind.execute(sa.update(cases).where(cases.c.id == keeper.id).values(
            state="open" if any(r.state == "open" for r in everything) else keeper.state,
            amount_due_cents=sum(r.amount_due_cents for r in everything),
            amount_paid_cents=sum(r.amount_paid_cents for r in everything),
            arrears_since=min(open_due or [due[keeper.id]]), open_tenant_id=tenant_id))

    bind.execute(sa.update(letters).values(
        state="posted", posted_on=letters.c.generated_on, planned_post_on=letters.c.generated_on, post_method="onbekend", posted_by=letters.c.created_by))


def downgrade() -> None:
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index("ix_letters_state")
        batch_op.drop_constraint("fk_letters_post_batch_id_post_batches", type_="foreignkey")
        for name in ("pdf", "contact_name", "months", "posted_by", "delivery_record", "tracking_number",
                     "post_batch_id", "post_method", "posted_on", "planned_post_on", "state"):
            batch_op.drop_column(name)
        batch_op.alter_column("generated_on", new_column_name="sent_on", existing_type=sa.Date(),
                              existing_nullable=False)
    with op.batch_alter_table("arrears_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_arrears_cases_tenant_id")
        batch_op.drop_constraint("fk_arrears_cases_merged_into_arrears_cases", type_="foreignkey")
        batch_op.drop_constraint("uq_arrears_cases_open_tenant_id", type_="unique")
        for name in ("merged_into", "open_tenant_id", "arrears_since"):
            batch_op.drop_column(name)
    op.drop_table("post_batches")
    op.drop_table("case_months")
