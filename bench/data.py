"""Synthetic tenants and messages, written straight into the database by the fastest path
(PostgreSQL COPY; one executemany on SQLite): the benchmark measures planning, not set-up."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.db.tables import tenants

LANGUAGES = ("nl", "nl", "nl", "en", "tr", "ar", "pl")
CHANNELS = ("sms", "sms", "whatsapp")
PG_BENCH_DB = "herinnering_bench"


def tenant_rows(n: int, seed: int = 7) -> Any:
    """n realistic tenants: every collection day 1-25, both channels, several languages."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(n):
        yield {
            "external_id": f"B-{i:08d}", "name": f"Huurder {i}", "phone": f"+316{10_000_000 + i:08d}",
            "channel": rng.choice(CHANNELS), "language": rng.choice(LANGUAGES),
            "monthly_rent_cents": rng.randrange(45_000, 110_000), "collection_day": 1 + i % 25,
            "iban": None, "active": True, "opted_out": False, "created_at": now, "updated_at": now,
        }


def csv_bytes(n: int, seed: int = 11) -> bytes:
    """A valid ERP export of n tenants (the import workload)."""
    rng = random.Random(seed)
    lines = ["contract_id,name,phone,channel,language,monthly_rent,collection_day,iban"]
    for i in range(n):
        euros, cents = rng.randrange(450, 1100), rng.randrange(100)
        lines.append(f'C-{i:08d},Huurder {i},06{10_000_000 + i:08d},{rng.choice(CHANNELS)},'
                     f'{rng.choice(LANGUAGES)},"{euros},{cents:02d}",{1 + i % 25},')
    return ("\n".join(lines) + "\n").encode()


async def fresh_database(url: str) -> Database:
    """An empty, migrated database (PostgreSQL: the public schema dropped and recreated)."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.split("///", 1)[1] + suffix).unlink(missing_ok=True)
    db = Database(url)
    if db.dialect == "postgresql":
        async with db.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(db)
    return db


async def insert_tenants(db: Database, n: int) -> None:
    columns = list(next(tenant_rows(1)))
    if db.dialect == "postgresql":
        async with db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            batch: list[tuple[Any, ...]] = []
            for row in tenant_rows(n):
                batch.append(tuple(row[c] for c in columns))
                if len(batch) == 50_000:
                    await driver.copy_records_to_table("tenants", records=batch, columns=columns)
                    batch = []
            if batch:
                await driver.copy_records_to_table("tenants", records=batch, columns=columns)
            await connection.commit()
        return
    batch_rows: list[dict[str, Any]] = []
    async with db.begin() as connection:
        for row in tenant_rows(n):
            batch_rows.append(row)
            if len(batch_rows) == 20_000:
                await connection.execute(tenants.insert(), batch_rows)
                batch_rows = []
        if batch_rows:
            await connection.execute(tenants.insert(), batch_rows)
