"""Importing the ERP export into the database: bad rows reported, good rows kept, stored data safe."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.tables import tenants
from herinnering.clock import SettableClock
from herinnering.config import Settings
from herinnering.resources import config_dir
from herinnering.services.tenants.importing import import_tenants

HEADER = b"contract_id,name,phone,channel,language,monthly_rent,collection_day,iban\n"


async def stored(db: Database) -> dict[str, Any]:
    async with db.begin() as connection:
        return {row.external_id: row for row in await connection.execute(select(tenants))}


async def run(db: Database, settings: Settings, clock: SettableClock, data: bytes, **kw: Any) -> Any:
    return await import_tenants(db, data, settings.reminders, clock, **kw)


async def test_the_sample_file_imports_fifty_tenants_and_a_second_run_changes_nothing(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    data = (config_dir() / "sample-tenants.csv").read_bytes()
    first = await run(database, settings, clock, data)
    assert (first.inserted, first.updated, first.errors) == (50, 0, [])
    second = await run(database, settings, clock, data)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 50)
    assert len(await stored(database)) == 50


async def test_bad_rows_are_reported_good_rows_kept_and_earlier_data_left_intact(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    await run(database, settings, clock, HEADER + b'HC-1,Anna de Vries,0612345678,sms,nl,"700,00",5,\n')
    before = (await stored(database))["HC-1"]
    data = HEADER + (
        b'HC-1,Anna de Vries,0612,sms,nl,"999,00",5,\n'                    # line 2: invalid phone
        b'HC-2,Bram Bakker,0687654321,sms,nl,"650,00",26,\n'               # line 3: day 26
        b'HC-3,Chantal Smit,,sms,nl,"600,00",3,\n'                         # line 4: phone missing
        b'HC-4,Ren\xe9 Jansen,0611122233,sms,nl,"610,00",4,\n'              # line 5: Latin-1 byte in UTF-8
        + 'HC-5,Dilan Kaya-Öztürk,06-22233344,whatsapp,tr,"720,50",15,\n'.encode()  # line 6: good (UTF-8)
    )
    report = await run(database, settings, clock, data)
    assert sorted(error.line for error in report.errors) == [2, 3, 4, 5]
    assert report.inserted == 1 and not report.ok
    after = await stored(database)
    assert set(after) == {"HC-1", "HC-5"}
    assert after["HC-1"].phone == before.phone and after["HC-1"].monthly_rent_cents == 70000
    assert after["HC-5"].phone == "+31622233344" and after["HC-5"].monthly_rent_cents == 72050


async def test_a_dry_run_stores_nothing(database: Database, settings: Settings, clock: SettableClock) -> None:
    report = await run(database, settings, clock, HEADER + b'HC-9,Eva Visser,0612345678,sms,nl,"700,00",5,\n',
                       dry_run=True)
    assert report.ok and report.rows == 1
    assert await stored(database) == {}


async def test_a_changed_row_updates_the_tenant_and_logs_which_fields_changed(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    from tests.integration.helpers import event_types

    await run(database, settings, clock, HEADER + b'HC-7,Eva Visser,0612345678,sms,nl,"700,00",5,\n')
    report = await run(database, settings, clock, HEADER + b'HC-7,Eva Visser,0612345678,whatsapp,nl,"712,00",5,\n')
    assert report.updated == 1
    tenant = (await stored(database))["HC-7"]
    assert tenant.channel == "whatsapp" and tenant.monthly_rent_cents == 71200
    assert await event_types(database, tenant.id) == ["tenant_imported", "tenant_updated"]


async def test_batches_of_new_and_known_tenants_count_and_log_each_once(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    """Several batches written side by side (PostgreSQL's fast path for new tenants, the
    upsert for known ones): every tenant stored once, each with its own event."""
    from herinnering.adapters.db import events as event_log

    row = 'HC-{n:03d},Huurder {n},06{phone:08d},sms,nl,"{rent},00",{day},\n'
    first = HEADER + b"".join(row.format(n=n, phone=10_000_000 + n, rent=700, day=1 + n % 25).encode()
                              for n in range(0, 40))
    await run(database, settings, clock, first, batch_size=7)
    second = HEADER + b"".join(row.format(n=n, phone=10_000_000 + n, rent=700 + n % 2, day=1 + n % 25).encode()
                               for n in range(20, 60))
    seen: list[int] = []
    report = await run(database, settings, clock, second, batch_size=6, progress=seen.append)
    assert (report.inserted, report.updated, report.unchanged) == (20, 10, 10)
    assert sum(seen) == 40
    tenants_now = await stored(database)
    assert len(tenants_now) == 60 and tenants_now["HC-059"].phone == "+31610000059"
    async with database.begin() as connection:
        logged = [(e.type, e.data) for t in tenants_now.values() for e in await event_log.for_tenant(connection, t.id)]
    imported = sorted(data["external_id"] for kind, data in logged if kind == "tenant_imported")
    assert imported == sorted(tenants_now)
    assert sum(1 for kind, _ in logged if kind == "tenant_updated") == 10
