"""Tables of the collection area: arrears cases, their ladder steps, pauses, arrangements and
the MVI record.

`arrears_cases` holds one row per arrears case: all of one tenant's unpaid months together,
with its state (open → in_arrangement → closed), its total (`amount_due_cents` and
`amount_paid_cents` are the sums over its months) and `arrears_since`, the oldest unpaid due
date. A tenant has at most one case that is not closed: `open_tenant_id` holds the tenant id
while the case is open or in an arrangement and is empty once it closes, and it is unique, so
two intakes racing for the same tenant cannot open two cases. `case_months` lists the months a
case holds (amount, due date, return reason); a month settled inside an open case keeps its row
with `settled_at` set. A case that migration 0016 folded into an older one keeps its history
and points to it (`merged_into`). `ladder_steps` has one row per case and step (unique):
inserting it is how a tick claims a step, so a step happens once however many ticks run.
`pauses` is the pauzeknop's history (`tenants.paused_until` is what the dispatcher reads);
`arrangements` and `instalments` are the betalingsregelingen; `mvi_steps` records each
"maatschappelijk verantwoorde incasso" step with its text, channel and time, as proof for the
municipality and a judge. Its unique `source_key` makes recording the same fact twice a no-op.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from herinnering.adapters.db.tables import Cents, Id, UtcDateTime, metadata

arrears_cases = Table(
    "arrears_cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(16), nullable=False),  # the month that opened the case (its label)
    Column("state", String(16), nullable=False),  # open | in_arrangement | closed
    Column("missed_on", Date, nullable=False),  # the day the case opened: day 0 of its one ladder
    Column("arrears_since", Date, nullable=False),  # the oldest unpaid due date of its months
    Column("reason_code", String(8)),
    Column("amount_due_cents", Cents, nullable=False),
    Column("amount_paid_cents", Cents, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime),
    Column("signalled_at", UtcDateTime),  # passed to the municipality (Wgs vroegsignalering)
    Column("signalled_cents", Cents),
    Column("open_tenant_id", Id, unique=True),  # tenant_id while not closed: one open case per tenant
    Column("merged_into", Id, ForeignKey("arrears_cases.id")),
    Index("ix_arrears_cases_state", "state"),
    Index("ix_arrears_cases_tenant_id", "tenant_id"),
)

case_months = Table(
    "case_months",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(16), nullable=False),
    Column("due_on", Date, nullable=False),  # the month's debit (due) date
    Column("amount_due_cents", Cents, nullable=False),
    Column("amount_paid_cents", Cents, nullable=False),
    Column("reason_code", String(8)),  # the bank's last return reason for this month
    Column("joined_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),  # paid in full while the case went on
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "period"),
    Index("ix_case_months_tenant_id", "tenant_id"),
)

ladder_steps = Table(
    "ladder_steps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("step", String(32), nullable=False),
    Column("done_on", Date, nullable=False),  # the local day the step was carried out
    Column("attempt", SmallInteger, nullable=False),  # > 1 when redone after a pause cancelled it
    Column("message_id", Id, ForeignKey("messages.id")),
    Column("task_id", Id, ForeignKey("tasks.id")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "step"),
)

pauses = Table(
    "pauses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("until", Date),  # last paused day; empty: open-ended, until resumed
    Column("reason", Text, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("ended_by", String(64)),
    Index("ix_pauses_tenant_id", "tenant_id"),
)

arrangements = Table(
    "arrangements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("state", String(16), nullable=False),  # active | completed | cancelled
    Column("total_cents", Cents, nullable=False),
    Column("periods", Text, nullable=False),  # the covered rent periods, comma-separated
    Column("baseline_paid_cents", Cents, nullable=False),  # paid on those periods when agreed
    Column("every", String(8), nullable=False),  # week | 2weeks | month
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_arrangements_tenant_id", "tenant_id"),
)

instalments = Table(
    "instalments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("arrangement_id", Id, ForeignKey("arrangements.id"), nullable=False),
    Column("number", SmallInteger, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount_cents", Cents, nullable=False),
    Column("state", String(16), nullable=False),  # open | paid | missed
    Column("reminder_message_id", Id, ForeignKey("messages.id")),
    Column("paid_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("arrangement_id", "number"),
)

mvi_steps = Table(
    "mvi_steps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("step", String(32), nullable=False),  # domain/legal/mvi.py MviStep
    Column("channel", String(16), nullable=False),  # letter, email, phone, visit, sms, whatsapp …
    Column("text", Text, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("source_key", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_mvi_steps_case_id", "case_id"),
)
