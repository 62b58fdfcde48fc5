"""Use case: import the ERP's tenant export.

Rows are validated first (pure, `domain.tenant_csv`); valid rows are upserted by contract id
in one transaction per batch. A bad row is reported with its line and reason and never
touches stored data; `dry_run` validates only.

New tenants take a fast path (the 100k-row file of a large corporation is mostly new tenants
on its first import): on PostgreSQL a whole batch goes in as column arrays in one `INSERT …
SELECT FROM unnest(…)` whose RETURNING feeds the `tenant_imported` events in the same statement,
and two batches are written at once (the server works on the other core); on SQLite one plain
executemany. Tenants already stored go through `tenant_store.upsert`, which finds and logs
what changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from herinnering.adapters.db import AsyncConnection, import_store, tenant_store
from herinnering.adapters.db.engine import Database
from herinnering.clock import Clock
from herinnering.config import ReminderSettings
from herinnering.domain.tenants.tenant_csv import (
    ImportRules,
    RowError,
    TenantRecord,
    parse_tenant_csv,
)
from herinnering.errors import CsvFileError, ImportFileError
from herinnering.logging_setup import mask_text, remember_names


@dataclass
class ImportReport:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file as a whole, each said once

    @property
    def error_lines(self) -> int:
        """Lines with at least one error (a line with three bad fields is one line)."""
        return len({error.line for error in self.errors})

    @property
    def valid(self) -> int:
        return self.rows - self.error_lines

    @property
    def unchanged(self) -> int:
        return self.valid - self.inserted - self.updated

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
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    try:
        parsed = parse_tenant_csv(data, import_rules(reminders))
    except CsvFileError as exc:
        raise ImportFileError(str(exc)) from None
    report = ImportReport(rows=len(parsed.records) + len({error.line for error in parsed.errors}),
                          errors=list(parsed.errors), warnings=list(parsed.warnings))
    records = [record for _, record in parsed.records]
    async with db.begin() as connection:
        report.warnings.extend(await shared_phones(connection, parsed.records))
    batches = [records[start:start + batch_size] for start in range(0, len(records), batch_size)]

    async def lane(mine: list[list[TenantRecord]]) -> None:
        for batch in mine:
            if not dry_run:
                async with db.begin() as connection:
                    inserted, updated = await _store(connection, batch, clock.now(), parsed.columns)
                report.inserted += inserted
                report.updated += updated
            if progress:
                progress(len(batch))

    lanes = 2 if db.dialect == "postgresql" and not dry_run else 1
    await asyncio.gather(*(lane(batches[i::lanes]) for i in range(lanes)))
    return report


async def shared_phones(connection: AsyncConnection, lines: Sequence[tuple[int, TenantRecord]]) -> list[str]:
    """One warning per phone number that more than one contract has (in the file, or the file
    and the stored tenants): a STOP from that phone opts every one of them out."""
    holders: dict[str, dict[str, str]] = {}
    for line, record in lines:
        holders.setdefault(record.phone, {}).setdefault(record.external_id, f"line {line}")
    phones = sorted(holders)
    for start in range(0, len(phones), 500):
        for phone, external_id in await import_store.holders_of(connection, phones[start:start + 500]):
            holders[phone].setdefault(external_id, "already stored")
    return [
        f"phone {mask_text(phone)} is shared by contracts "
        + ", ".join(f"{contract} ({where})" for contract, where in sorted(found.items()))
        + ": a STOP from it opts all of them out"
        for phone, found in holders.items() if len(found) > 1
    ]


async def _store(
    connection: AsyncConnection, batch: Sequence[TenantRecord], now: datetime, present: frozenset[str],
) -> tuple[int, int]:
    """(inserted, updated) for one batch: new tenants the fast way, known ones through the upsert."""
    remember_names(record.name for record in batch)  # the log filter masks them from now on (issue 9)
    ids = [record.external_id for record in batch]
    known = await import_store.known_contracts(connection, ids)
    new = [record for record in batch if record.external_id not in known]
    inserted = await import_store.insert_new(connection, new, now) if new else 0
    updated = 0
    if known:
        _, updated = await tenant_store.upsert(connection, [r for r in batch if r.external_id in known], now,
                                               present)
        if present & {"payment_method", "lease_end"}:  # a reminder planned before may no longer fit
            await tenant_store.cancel_stale_reminders(connection, await import_store.ids_of(connection, sorted(known)), now)
    return inserted, updated


async def store_records(db: Database, records: Sequence[TenantRecord], now: datetime) -> dict[str, Any]:
    """Tenant records made in code rather than read from a file (the workplace scene): stored as
    the import stores them; contract id -> the stored tenant."""
    async with db.begin() as connection:
        await tenant_store.upsert(connection, list(records), now)
        return {record.external_id: await tenant_store.by_external_id(connection, record.external_id)
                for record in records}
