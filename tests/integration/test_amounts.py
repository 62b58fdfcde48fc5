"""Amounts as BIGINT cents everywhere, a named error for an absurd one in every parser, the same
checks in a dry run as in the import, and no SQL parameters in a database error (SQLite and
PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import BigInteger, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from herinnering.adapters.camt import CamtFileError
from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.payment_tables import payment_transactions
from herinnering.adapters.db.schema import metadata
from herinnering.adapters.db.tables import tenants
from herinnering.cli import main
from herinnering.errors import ImportFileError
from herinnering.logging_setup import describe_error
from herinnering.services.payments.intake import (
    PaymentInputError,
    import_payment_file,
    parse_api_body,
)
from tests.integration.payment_helpers import sample, sample_tenants

LOAN = b'<Amt Ccy="EUR">25000000.00</Amt>'  # above INTEGER's 21,474,836.47


def statement_with(amount: bytes) -> bytes:
    """The sample statement with its credit transfer (one entry, one detail) set to `amount`."""
    data = sample("camt053-returns.xml")
    old = b'<Amt Ccy="EUR">692.27</Amt>'
    assert data.count(old) == 2
    return data.replace(old, amount)


def test_every_amount_column_is_a_bigint_on_postgresql() -> None:
    amounts = [(table.name, column.name) for table in metadata.sorted_tables for column in table.columns
               if column.name.endswith("_cents")]
    assert len(amounts) >= 15
    for table, column in amounts:
        kind = metadata.tables[table].c[column].type.dialect_impl(postgresql.dialect())
        assert isinstance(kind, BigInteger), f"{table}.{column} is {kind!r}, not BIGINT"


async def test_a_loan_credit_of_millions_on_the_statement_is_stored_whole(
    database: Database, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    await sample_tenants(make_tenant)
    data = statement_with(LOAN)
    preview = await import_payment_file(database, settings, clock, data, "december.xml", dry_run=True)
    intake = await import_payment_file(database, settings, clock, data, "december.xml")
    assert preview.report.stored == intake.report.stored == 7
    async with database.begin() as connection:
        stored = set((await connection.execute(select(payment_transactions.c.amount_cents))).scalars())
    assert 2_500_000_000 in stored


@pytest.mark.parametrize("dry_run", [True, False])
async def test_an_absurd_amount_is_a_named_error_in_the_import_and_in_the_dry_run(
    database: Database, settings: Any, clock: Any, make_tenant: Any, dry_run: bool,
) -> None:
    await sample_tenants(make_tenant)
    with pytest.raises(CamtFileError, match=r"december.xml, line \d+: Ntry/Amt: '99999999999999.00' is out of range"):
        await import_payment_file(database, settings, clock, statement_with(b'<Amt Ccy="EUR">99999999999999.00</Amt>'),
                                  "december.xml", dry_run=dry_run)
    csv = (b"contract_id,period,amount_due,amount_paid\nHC-100136,2026-12,871,871\n"
           b"HC-100143,2026-12,575,99999999999999999999999\n")
    with pytest.raises(PaymentInputError) as caught:
        await import_payment_file(database, settings, clock, csv, "erp.csv", dry_run=dry_run)
    assert caught.value.problems == ["line 3, amount_paid: '99999999999999999999999' is out of range: "
                                     "amounts must be below 1,000,000,000 euros"]
    async with database.begin() as connection:
        assert (await connection.execute(select(payment_transactions))).first() is None


@pytest.mark.parametrize("dry_run", [True, False])
async def test_a_file_that_fails_the_import_fails_the_dry_run_too(
    database: Database, settings: Any, clock: Any, make_tenant: Any, dry_run: bool,
) -> None:
    await make_tenant(external_id="HC-100136", monthly_rent_cents=87100)
    bad_files = [
        (b"contract_id,period,amount_due,amount_paid\nHC-999999,2026-12,500,0\n", "erp.csv"),
        (b'<Amt Ccy="EUR">692.26</Amt>'.join(sample("camt053-returns.xml").rsplit(b'<Amt Ccy="EUR">692.27</Amt>', 1)),
         "totals.xml"),
        (sample("camt053-returns.xml").replace(b"camt.053.001.08", b"camt.052.001.08"), "intraday.xml"),
    ]
    for data, name in bad_files:
        with pytest.raises(ImportFileError):
            await import_payment_file(database, settings, clock, data, name, dry_run=dry_run)


def test_the_api_names_an_absurd_amount() -> None:
    with pytest.raises(PaymentInputError) as caught:
        parse_api_body({"id": "a1", "contract_id": "HC-1", "period": "2026-12", "amount_cents": 10**30})
    assert caught.value.problems == [f"amount_cents: must be a whole number of cents from 0 (got {10**30!r})"]


async def test_a_database_error_shows_the_statement_but_never_its_parameters(database: Database) -> None:
    row = {"external_id": "HC-424242", "name": "Wilhelmina Parameter", "phone": "+31687654321", "channel": "sms",
           "language": "nl", "monthly_rent_cents": 77777, "collection_day": 1, "active": True, "opted_out": False,
           "created_at": __import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC),
           "updated_at": __import__("datetime").datetime(2026, 11, 1, tzinfo=__import__("datetime").UTC)}
    async with database.begin() as connection:
        await connection.execute(insert(tenants), [row])
    with pytest.raises(IntegrityError) as caught:
        async with database.begin() as connection:
            await connection.execute(insert(tenants), [row])
    text = str(caught.value)
    assert "INSERT INTO tenants" in text
    for value in ("Wilhelmina", "+31687654321", "77777"):
        assert value not in text
        assert value not in describe_error(caught.value)


def test_the_cli_answers_a_file_with_an_absurd_amount_with_one_line_and_exit_code_2(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "erp.csv").write_bytes(b"contract_id,period,amount_due,amount_paid\nHC-1,2026-12,1e99,0\n")
    assert main(["payments", "import", "erp.csv", "--dry-run"]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out and "line 2, amount_due" in out.err


async def test_a_dry_run_of_a_bank_file_with_33000_entries_is_answered_on_every_database(
    database: Database, settings: Any, clock: Any,
) -> None:
    from bench.data import camt053_bytes

    # more source keys than asyncpg takes parameters (32,767): the dry run asked for them in one query
    intake = await import_payment_file(database, settings, clock, camt053_bytes(33_000), "big.xml", dry_run=True)
    assert (intake.report.transactions, intake.report.stored, intake.report.unmatched) == (33_000, 33_000, 33_000)
