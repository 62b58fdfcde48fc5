"""Tables of one area, on the shared metadata (filled in by that area's issue)."""

from __future__ import annotations

from herinnering.adapters.db.tables import metadata  # noqa: F401
