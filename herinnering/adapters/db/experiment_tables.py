"""Tables of the experiments area: what ran, who got which variant, who saw it, who paid.

- `experiments`: one row per experiment that exposed anyone, with the definition it ran with
  (the configuration may change later; the report shows what was true then).
- `experiment_assignments`: a tenant's variant, stored on the first exposure; from then on it
  wins over the hash, so a tenant keeps the variant for the life of the experiment.
- `experiment_exposures`: one row per message actually accepted by the provider (not when
  planned), with the moment and the deadline by which a payment counts as a conversion.
- `experiment_outcomes`: at most one conversion per exposure (a database constraint), written
  when a payment arrives after the exposure and in time (kept for the per-segment split).
- `experiment_phases`: the variants and weights each phase ran with; a change of either
  starts a new phase, and each exposure names its phase (the report is per phase).
- `experiment_payment_changes`: every payment status change of an exposed tenant's month
  (paid, returned, …) with its moment: the report judges each month from this timeline (the
  state at the deadline, undone by a return within the return window).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from herinnering.adapters.db.tables import Id, UtcDateTime, metadata

experiments = Table(
    "experiments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

experiment_assignments = Table(
    "experiment_assignments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("experiment_key", String(32), nullable=False),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("variant", String(32), nullable=False),
    Column("assigned_at", UtcDateTime, nullable=False),
    UniqueConstraint("experiment_key", "tenant_id"),
)

experiment_exposures = Table(
    "experiment_exposures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("experiment_key", String(32), nullable=False),
    Column("variant", String(32), nullable=False),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("message_id", Id, ForeignKey("messages.id"), nullable=False, unique=True),
    Column("period", String(16), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("exposed_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=False),  # a payment up to this moment converts
    Column("phase", Integer, nullable=False, server_default="1"),
    Column("paid_at_exposure", Boolean),  # the month was already paid when the message went (empty: unknown)
    Index("ix_experiment_exposures_key_variant", "experiment_key", "variant"),
    Index("ix_experiment_exposures_tenant_period", "tenant_id", "period"),
)

experiment_outcomes = Table(
    "experiment_outcomes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("exposure_id", Id, ForeignKey("experiment_exposures.id"), nullable=False, unique=True),
    Column("experiment_key", String(32), nullable=False),
    Column("variant", String(32), nullable=False),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("metric", String(32), nullable=False),
    Column("converted_at", UtcDateTime, nullable=False),  # when the tenant paid
    Column("source", String(16), nullable=False),  # camt, erp, api, link, simulation
    Index("ix_experiment_outcomes_key_variant", "experiment_key", "variant"),
)

experiment_phases = Table(
    "experiment_phases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("experiment_key", String(32), nullable=False),
    Column("phase", Integer, nullable=False),
    Column("definition", JSON, nullable=False),  # variants (name, template, weight) and coverage
    Column("started_at", UtcDateTime, nullable=False),
    UniqueConstraint("experiment_key", "phase"),
)

experiment_payment_changes = Table(
    "experiment_payment_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("period", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # domain.payments.PaymentStatus
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("source", String(16), nullable=False),
    Index("ix_experiment_payment_changes_tenant_period", "tenant_id", "period"),
)
