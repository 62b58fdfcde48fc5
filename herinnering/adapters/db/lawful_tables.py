"""Tables of the lawful area: the letters sent, and the municipality's answers to signals.

`letters` keeps every written reminder and 14-day letter as sent — the Dutch (legal) text, the
translation the tenant read, the costs it named and the dates it set in motion (presumed
receipt, end of the term, costs due) — as proof; one letter per case and kind (unique), so
costs can never be announced twice for the same arrears. `municipal_feedback` holds each
answer of a municipality to a Wgs signal once (unique `source_key`).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from herinnering.adapters.db.tables import Cents, Id, UtcDateTime, metadata

letters = Table(
    "letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("kind", String(32), nullable=False),  # veertiendagenbrief | written_reminder
    Column("channel", String(16), nullable=False),  # letter | email
    Column("language", String(8), nullable=False),  # the translation's language (the Dutch text is the legal one)
    Column("sent_on", Date, nullable=False),
    Column("received_on", Date),  # presumed receipt (14-day letter)
    Column("term_ends_on", Date),
    Column("costs_due_from", Date),
    Column("principal_cents", Cents, nullable=False),
    Column("costs_cents", Cents, nullable=False),  # including VAT; 0 for a written reminder
    Column("body", Text, nullable=False),  # the Dutch text as sent
    Column("translation", Text),
    Column("pdf_sha256", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("case_id", "kind"),
    Index("ix_letters_tenant_id", "tenant_id"),
)

municipal_feedback = Table(
    "municipal_feedback",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("status", String(16), nullable=False),  # domain/early_warning.py Feedback
    Column("answered_on", Date, nullable=False),
    Column("note", Text, nullable=False),
    Column("source_key", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_municipal_feedback_case_id", "case_id"),
)
