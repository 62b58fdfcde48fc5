"""The whole tenant record in the database: imported under Dutch headers, kept when a later
export lacks a column, and migrated from a database that had tenants before it existed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from herinnering.adapters.db.tables import tenants
from herinnering.clock import SettableClock
from herinnering.config import Settings
from herinnering.services.tenants.importing import import_tenants

DUTCH = ("huurcontract;naam;telefoon;huur;incassodag;iban;straat;huisnummer;toevoeging;postcode;woonplaats;"
         "gemeente;e-mail;ingangsdatum;einddatum;betaalwijze;machtigingskenmerk;datum machtiging;"
         "vooraankondiging dagen;Opmerking\n")


async def stored(db: Database, external_id: str) -> Any:
    async with db.begin() as connection:
        return (await connection.execute(select(tenants).where(tenants.c.external_id == external_id))).one()


async def test_a_dutch_windows_1252_export_stores_the_whole_record(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    data = (DUTCH + "HC-1;Zoë Hüseyin;06-12345678;845,50;5;NL91 ABNA 0417 1643 00;Kerkstraat;12;a;1234ab;"
            "Amsterdam;GM0363;Zoe@Example.nl;01-03-2019;31-01-2027;incasso;MND-2019-001;14-02-2019;5;x\n"
            "HC-2;Jan Smit;06-23456789;612,00;1;;Brink;3;;7511 CD;Enschede;Enschede;;2020-01-01;;overboeking;;;;y\n"
            ).encode("cp1252")
    report = await import_tenants(database, data, settings.reminders, clock)
    assert (report.inserted, report.errors) == (2, [])
    assert report.warnings == ["unknown column ignored: 'Opmerking' (see the README for the columns herinnering reads)"]
    zoe = await stored(database, "HC-1")
    assert (zoe.name, zoe.street, zoe.house_number, zoe.house_number_addition, zoe.address) == (
        "Zoë Hüseyin", "Kerkstraat", "12", "A", "Kerkstraat 12 A")
    assert (zoe.postal_code, zoe.city, zoe.municipality, zoe.email) == ("1234 AB", "Amsterdam", "GM0363",
                                                                         "Zoe@example.nl")
    assert (zoe.lease_start, zoe.contract_ended_on) == (date(2019, 3, 1), date(2027, 1, 31))
    assert (zoe.payment_method, zoe.mandate_id, zoe.mandate_signed_on, zoe.pre_notification_days) == (
        "incasso", "MND-2019-001", date(2019, 2, 14), 5)
    jan = await stored(database, "HC-2")
    assert (jan.payment_method, jan.mandate_id, jan.contract_ended_on) == ("overboeking", None, None)


async def test_a_later_export_without_the_record_columns_keeps_what_is_stored(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    full = (DUTCH + "HC-1;Zoë;06-12345678;845,50;5;;Kerkstraat;12;;1234 AB;Amsterdam;GM0363;zoe@example.nl;"
            "01-03-2019;;overboeking;;;;\n").encode()
    await import_tenants(database, full, settings.reminders, clock)
    old_format = b'contract_id,name,phone,monthly_rent,collection_day\nHC-1,Zo\xc3\xab,06-12345678,"900,00",5\n'
    report = await import_tenants(database, old_format, settings.reminders, clock)
    assert (report.updated, report.errors) == (1, [])
    zoe = await stored(database, "HC-1")
    assert zoe.monthly_rent_cents == 90000
    assert (zoe.address, zoe.email, zoe.payment_method, zoe.lease_start) == (
        "Kerkstraat 12", "zoe@example.nl", "overboeking", date(2019, 3, 1))


async def test_a_changed_address_is_one_update_event_naming_the_fields(
    database: Database, settings: Settings, clock: SettableClock
) -> None:
    header = "contract_id;name;phone;monthly_rent;collection_day;street;house_number;postal_code;city\n"
    await import_tenants(database, (header + "HC-1;Jan;0612345678;700;5;Brink;3;7511 CD;Enschede\n").encode(),
                         settings.reminders, clock)
    report = await import_tenants(database, (header + "HC-1;Jan;0612345678;700;5;Markt;8;7511 CE;Enschede\n").encode(),
                                  settings.reminders, clock)
    assert report.updated == 1
    async with database.begin() as connection:
        data = (await connection.execute(text("SELECT data FROM events WHERE type = 'tenant_updated'"))).scalar_one()
    fields = data["fields"] if isinstance(data, dict) else __import__("json").loads(data)["fields"]
    assert sorted(fields) == ["address", "house_number", "postal_code", "street"]


# --- the migration --------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
async def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """An empty database on each backend, migrated by the test itself."""
    from tests.conftest import _fresh_postgres

    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        await _fresh_postgres(url)
    db = Database(url)
    yield db
    await db.close()


async def test_the_migration_keeps_tenants_from_before_and_makes_them_direct_debit_payers(unmigrated: Database) -> None:
    await upgrade(unmigrated, "0014")
    now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None)
    async with unmigrated.begin() as connection:
        for n, (address, iban) in enumerate([("Lindelaan 12 b", "NL91ABNA0417164300"), ("Postbus 1", None),
                                              (None, None), ("Laan van Meerdervoort 301", None)], start=1):
            await connection.execute(text(
                "INSERT INTO tenants (external_id, name, phone, channel, language, monthly_rent_cents, collection_day,"
                " iban, active, opted_out, email, address, postal_code, city, municipality, created_at, updated_at)"
                " VALUES (:id, 'Huurder', :phone, 'sms', 'nl', 70000, 5, :iban, true, false, 'h@example.nl',"
                " :address, '1234 AB', 'Utrecht', 'Utrecht', :now, :now)"),
                {"id": f"HC-{n}", "phone": f"+3161234567{n}", "iban": iban, "address": address, "now": now})
    await upgrade(unmigrated)
    async with unmigrated.begin() as connection:
        rows = {row.external_id: row for row in await connection.execute(select(tenants))}
    assert [rows[f"HC-{n}"].payment_method for n in range(1, 5)] == ["incasso"] * 4
    assert [(r.address, r.street, r.house_number, r.house_number_addition) for r in
            (rows[f"HC-{n}"] for n in range(1, 5))] == [
        ("Lindelaan 12 b", "Lindelaan", "12", "B"),
        ("Postbus 1", "Postbus", "1", None),
        (None, None, None, None),
        ("Laan van Meerdervoort 301", "Laan van Meerdervoort", "301", None),
    ]
    assert all((r.email, r.postal_code, r.city, r.iban is not None) == ("h@example.nl", "1234 AB", "Utrecht",
                                                                      r.external_id == "HC-1")
               for r in rows.values())
