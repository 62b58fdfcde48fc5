"""The WhatsApp opt-in as a record (Meta's opt-in rules, AVG art. 7: show what was agreed to).

One row per tenant's opt-in: the business the tenant agreed to hear from, the channel, when,
the exact text shown or confirmed (rendered from templates/consent/<lang>/whatsapp.j2 at that
moment), and how it was given (import, keyword, officer, tenant_page). `source` keeps the
detail the timeline event has ("keyword via sms"). The foreign key puts it in the tenant's
export and purge (adapters/db/tenant_data.py).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text

from herinnering.adapters.db.tables import Id, UtcDateTime, metadata

whatsapp_consents = Table(
    "whatsapp_consents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tenant_id", Id, ForeignKey("tenants.id"), nullable=False),
    Column("business_name", String(200), nullable=False),
    Column("channel", String(16), nullable=False),  # whatsapp
    Column("agreed_at", UtcDateTime, nullable=False),
    Column("method", String(16), nullable=False),  # import | keyword | officer | tenant_page
    Column("source", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_whatsapp_consents_tenant_id", "tenant_id"),
)
