"""Payments carry the bank's dates, on SQLite and PostgreSQL: a payment is dated when the money
moved, not when someone imported the file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.payment_tables import payment_transactions
from herinnering.adapters.db.tables import events
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.services.payments.intake import PaymentInputError, import_payment_file
from herinnering.services.payments.payments import record

CSV = ("huurcontract;periode;te_betalen;betaald;betaaldatum;valutadatum\n"
       "{contract};2026-12;656,36;656,36;{booked};{value}\n")


async def test_an_erp_line_with_a_payment_date_is_dated_by_it_whenever_it_is_imported(
        database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    clock.set(datetime(2026, 12, 9, 14, 0, tzinfo=UTC))  # imported eight days after the money came in
    data = CSV.format(contract=tenant.external_id, booked="01-12-2026", value="2026-12-02").encode()
    intake = await import_payment_file(database, settings, clock, data, "erp.csv")
    [change] = intake.report.changes
    local = change.occurred_at.astimezone(settings.reminders.timezone)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-01", 23, 59)
    async with database.begin() as connection:
        row = (await connection.execute(select(payment_transactions))).one()
        logged = (await connection.execute(select(events.c.data).where(events.c.type == "payment_changed"))).scalar()
    assert (row.booked_on.isoformat(), row.value_on.isoformat()) == ("2026-12-01", "2026-12-02")
    assert logged["booked_on"] == "2026-12-01"


async def test_a_payment_without_a_date_is_dated_when_we_learn_of_it_and_never_in_the_future(
        database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    now = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
    async with database.begin() as connection:
        undated = await record(connection, settings, [Transaction(
            source="api", source_key="api:a", kind=TransactionKind.PAYMENT, amount_cents=1000,
            contract_id=tenant.external_id, period="2026-12", references=(tenant.external_id,))], now)
        today = await record(connection, settings, [Transaction(
            source="api", source_key="api:b", kind=TransactionKind.PAYMENT, amount_cents=1000,
            contract_id=tenant.external_id, period="2026-12", references=(tenant.external_id,),
            booked_on=now.date())], now)
    assert undated.changes[0].occurred_at == now and today.changes[0].occurred_at == now


async def test_a_date_that_is_not_one_is_named_with_its_line_and_column(
        database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    data = CSV.format(contract=tenant.external_id, booked="31-11-2026", value="").encode()
    try:
        await import_payment_file(database, settings, clock, data, "erp.csv")
    except PaymentInputError as exc:
        assert "erp.csv" in str(exc) and "line 2, booked_on" in str(exc) and "31-11-2026" in str(exc)
    else:
        raise AssertionError("31 November was accepted")
