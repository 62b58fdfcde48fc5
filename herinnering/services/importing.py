"""Use case: import the ERP's tenant export.

Rows are validated first (pure, `domain.tenant_csv`); valid rows are upserted by contract id
in one transaction per batch. A bad row is reported with its line and reason and never
touches stored data; `dry_run` validates only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.engine import Database
from herinnering.clock import Clock
from herinnering.config import ReminderSettings
from herinnering.domain.tenant_csv import CsvFileError, ImportRules, RowError, parse_tenant_csv
from herinnering.errors import ImportFileError


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.rows - len(self.errors) - self.inserted - self.updated

    @property
    def ok(self) -> bool:
        return not self.errors


def import_rules(reminders: ReminderSettings) -> ImportRules:
    return ImportRules(
        collection_days=reminders.collection_days,
        languages=reminders.languages,
        default_language=reminders.default_language,
    )


async def import_tenants(
    db: Database,
    data: bytes,
    reminders: ReminderSettings,
    clock: Clock,
    *,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    try:
        parsed = parse_tenant_csv(data, import_rules(reminders))
    except CsvFileError as exc:
        raise ImportFileError(str(exc)) from None
    report = ImportReport(rows=len(parsed.records) + len(parsed.errors), errors=list(parsed.errors))
    records = [record for _, record in parsed.records]
    for start in range(0, len(records), batch_size):
        batch = records[start:start + batch_size]
        if not dry_run:
            async with db.begin() as connection:
                inserted, updated = await tenant_store.upsert(connection, batch, clock.now())
            report.inserted += inserted
            report.updated += updated
        if progress:
            progress(len(batch))
    return report
