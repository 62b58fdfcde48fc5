"""Every table of herinnering on one `metadata`: import this, not a single tables module,
wherever the whole schema matters (Alembic, the schema test). Every module that defines a
`Table` is listed here (tests/unit/test_schema_registry.py checks it)."""

from __future__ import annotations

from herinnering.adapters.db import (  # noqa: F401  (imported to register their tables)
    change_tables,
    circuit_store,
    collection_tables,
    consent_tables,
    conversation_tables,
    experiment_tables,
    legal_tables,
    link_tables,
    payment_tables,
    security_tables,
    tenant_tables,
)
from herinnering.adapters.db.tables import metadata

__all__ = ["metadata"]
