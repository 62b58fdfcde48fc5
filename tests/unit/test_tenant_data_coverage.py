"""Export and purge cover every table: each is reached from `tenants` (a foreign key, or a link
named in LINKED_WITHOUT_KEY) or named in NOT_TENANT_DATA with its reason. A new table without
that decision fails here."""

from __future__ import annotations

from herinnering.adapters.db.schema import metadata
from herinnering.adapters.db.tenant_data import LINKED_WITHOUT_KEY, NOT_TENANT_DATA, _conditions


def test_every_table_is_covered_by_export_and_purge_or_exempted_with_a_reason() -> None:
    reached = {table.name for table in _conditions([1])}
    undecided = sorted(table.name for table in metadata.sorted_tables
                       if table.name not in reached and table.name not in NOT_TENANT_DATA)
    assert undecided == [], (f"tables neither reached from tenants nor in NOT_TENANT_DATA: {undecided}; "
                             "give them a foreign key, a LINKED_WITHOUT_KEY entry or a reason")
    assert sorted(set(NOT_TENANT_DATA) & reached) == []  # an exemption for a tenant's table would hide it
    assert all(reason.strip() for reason in NOT_TENANT_DATA.values())
    assert set(NOT_TENANT_DATA) <= set(metadata.tables)  # no stale exemptions
    assert "sandbox_payments" in reached and set(LINKED_WITHOUT_KEY) <= reached
