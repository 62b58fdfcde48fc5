"""Tables of the lawful area: the letters, the post batches they go out in, and the
municipality's answers to signals.

`letters` keeps every written reminder and 14-day letter — the Dutch (legal) text, the
translation the tenant read, the months and total it named, the costs, and the PDF exactly as
posted with its hash — as proof; one letter per case and kind (unique), so costs can never be
announced twice for the same arrears. A letter is first `generated`; only once `posted` (in a
post batch, by registered mail with its track-and-trace number, or by e-mail with the
provider's delivery record) does it carry a posting date and the dates that run from it
(presumed receipt, end of the term, costs due). `post_batches` holds one printable PDF of
letters and the list of what is in it. `municipal_feedback` holds each answer of a
municipality to a Wgs signal once (unique `source_key`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    Column("generated_on", Date, nullable=False),
    Column("state", String(16), nullable=False),  # generated | posted
    Column("planned_post_on", Date),  # the posting date the letter's stated dates assume
    Column("posted_on", Date),  # the posting date: every term runs from here
    Column("post_method", String(16)),  # batch | registered | email
    Column("post_batch_id", Id, ForeignKey("post_batches.id")),
    Column("tracking_number", String(64)),  # registered mail's track-and-trace number
    Column("delivery_record", Text),  # e-mail: the provider's delivery record
    Column("posted_by", String(64)),
    Column("months", JSON),  # the case's months the letter lists: [{period, due_on, open_cents}]
    Column("contact_name", String(200)),
    Column("pdf", LargeBinary),  # the PDF exactly as posted (sha256 in pdf_sha256)
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
    Index("ix_letters_state", "state"),
)

post_batches = Table(
    "post_batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("state", String(16), nullable=False),  # printed | posted
    Column("letter_count", Integer, nullable=False),
    Column("listing", Text, nullable=False),  # what is in it, one line per letter
    Column("pdf", LargeBinary, nullable=False),  # the letters' own PDFs, one after the other
    Column("pdf_sha256", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("posted_on", Date),
    Column("posted_by", String(64)),
    Column("posted_at", UtcDateTime),
)

municipal_feedback = Table(
    "municipal_feedback",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("arrears_cases.id"), nullable=False),
    Column("status", String(16), nullable=False),  # domain/legal/early_warning.py Feedback
    Column("answered_on", Date, nullable=False),
    Column("note", Text, nullable=False),
    Column("source_key", String(128), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_municipal_feedback_case_id", "case_id"),
)
