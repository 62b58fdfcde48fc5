"""Fuzzing the tenant import: whatever bytes arrive, the parser returns rows and error lines or
raises `CsvFileError` (the whole file is unusable) — nothing else; good rows are kept, every
bad row is named by its line; the import stores exactly the good rows, or nothing."""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from herinnering.adapters.db.tables import tenants
from herinnering.domain.tenants.tenant_csv import (
    COLUMNS,
    CsvFileError,
    ImportRules,
    parse_tenant_csv,
)
from herinnering.errors import ImportFileError
from herinnering.resources import config_dir
from herinnering.services.tenants.importing import import_rules, import_tenants
from tests.fuzz.fuzzing import TEXT, fuzz, mutated_bytes

RULES = ImportRules(collection_days=frozenset(range(1, 26)), languages=("nl", "en", "tr", "ar", "pl"))
SAMPLE = (config_dir() / "sample-tenants.csv").read_bytes()


def assert_sane(parsed: Any) -> None:
    """Every error names a real line and a reason; no line is both kept and rejected."""
    kept = {line for line, _ in parsed.records}
    for error in parsed.errors:
        assert error.line >= 1 and error.reason.strip(), error
        assert error.line not in kept, error
        str(error).encode("utf-8")  # printable: no lone surrogates reach the person


@fuzz()
@given(st.binary(max_size=600))
def test_any_bytes_give_rows_and_errors_or_one_file_error(data: bytes) -> None:
    try:
        parsed = parse_tenant_csv(data, RULES)
    except CsvFileError as exc:
        assert str(exc).strip()
        return
    assert_sane(parsed)


@fuzz()
@given(mutated_bytes(SAMPLE[:1500]))
def test_a_mutated_export_never_crashes_the_parser(data: bytes) -> None:
    try:
        parsed = parse_tenant_csv(data, RULES)
    except CsvFileError as exc:
        assert str(exc).strip()
        return
    assert_sane(parsed)


_numbers = itertools.count(1)
GOOD = st.fixed_dictionaries({
    "name": st.sampled_from(["Jan de Vries", "Ayşe Yılmaz", "محمد العلي", "Zoë O'Brien", "Łukasz Nowak"]),
    "phone": st.integers(10_000_000, 59_999_999).map(lambda n: f"06{n}"),  # 061…065: mobile
    "channel": st.sampled_from(["sms", "whatsapp", "", "WhatsApp"]),
    "language": st.sampled_from(["nl", "en", "tr", "ar", "pl", "", "Nederlands"]),
    "monthly_rent": st.sampled_from(["656,36", "1.234,56", "845", "€ 845,-", "1234.50"]),
    "collection_day": st.integers(1, 25).map(str),
    "iban": st.sampled_from(["", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"]),
    # the rest of the tenant record (issue 16)
    "street": st.sampled_from(["", "Kerkstraat", "Laan van Meerdervoort", "Stationsweg"]),
    "house_number": st.sampled_from(["", "12", "301"]),  # "12A" with an addition "bis" is a real conflict
    "house_number_addition": st.sampled_from(["", "bis", "2"]),
    "postal_code": st.sampled_from(["", "1234 AB", "3511ab"]),
    "city": st.sampled_from(["", "Utrecht", "'s-Hertogenbosch", "Súdwest-Fryslân"]),
    "municipality": st.sampled_from(["", "GM0344", "0363", "Utrecht"]),
    "email": st.sampled_from(["", "zoe@example.nl", "Ayse.Yilmaz@Example.com"]),
    "lease_start": st.sampled_from(["", "01-03-2019", "2019-03-01"]),
    "lease_end": st.sampled_from(["", "31-12-2030", "2030-12-31"]),
    "payment_method": st.sampled_from(["", "incasso", "Overboeking", "anders"]),
    "mandate_id": st.sampled_from(["", "MND-2019-001"]),
    "mandate_date": st.sampled_from(["", "14-02-2019"]),
    "pre_notification_days": st.sampled_from(["", "5", "14"]),
})


@st.composite
def export(draw: st.DrawFn, prefix: str = "FZ") -> tuple[bytes, set[str], int]:
    """A file of good rows and rows with one fuzzed value (which may, by chance, still be
    valid); returns the bytes, the contract ids of the good rows and the number of rows."""
    delimiter = draw(st.sampled_from([",", ";"]))
    run = next(_numbers)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # quotes values with \r or \n
    writer.writerow(COLUMNS)
    good: set[str] = set()
    rows = draw(st.integers(0, 12))
    for index in range(rows):
        row = {"contract_id": f"{prefix}-{run}-{index}", **draw(GOOD)}
        if draw(st.booleans()):
            row[draw(st.sampled_from(COLUMNS[1:]))] = draw(TEXT)
        else:
            good.add(row["contract_id"])
        writer.writerow([row[column] for column in COLUMNS])
    return out.getvalue().encode("utf-8", "surrogatepass"), good, rows


@fuzz()
@given(export())
def test_good_rows_are_kept_and_every_bad_row_is_named(case: tuple[bytes, set[str], int]) -> None:
    data, good, rows = case
    parsed = parse_tenant_csv(data, RULES)
    assert_sane(parsed)
    assert good <= {record.external_id for _, record in parsed.records}
    # each row is either kept or named on its own line (one or more errors there)
    assert len(parsed.records) + len({error.line for error in parsed.errors}) == rows


@fuzz(0.3)
@given(case=st.one_of(export(prefix="DB").map(lambda c: c[0]), mutated_bytes(SAMPLE[:800])))
async def test_the_import_stores_exactly_the_good_rows_or_nothing(
    database: Any, settings: Any, clock: Any, case: bytes,
) -> None:
    async with database.begin() as connection:
        before = {row.external_id: tuple(row) for row in await connection.execute(select(tenants))}
    try:
        parsed = parse_tenant_csv(case, import_rules(settings.reminders))
    except CsvFileError:
        parsed = None
    try:
        report = await import_tenants(database, case, settings.reminders, clock)
    except ImportFileError as exc:
        assert parsed is None and str(exc).strip()
        report = None
    async with database.begin() as connection:
        after = {row.external_id: row for row in await connection.execute(select(tenants))}
    if report is None:
        assert {k: tuple(v) for k, v in after.items()} == before  # a rejected file changes nothing
        return
    assert parsed is not None
    assert report.rows == len(parsed.records) + len({e.line for e in parsed.errors})  # a line is one row
    assert [str(e) for e in report.errors] == [str(e) for e in parsed.errors]
    good = {record.external_id: record for _, record in parsed.records}
    changed = {k for k, v in after.items() if before.get(k) != tuple(v)}
    assert changed <= set(good)  # only good rows were written...
    for external_id, record in good.items():  # ...and every one of them completely
        stored = after[external_id]
        assert (stored.name, stored.phone, stored.monthly_rent_cents, stored.collection_day) == (
            record.name, record.phone, record.monthly_rent_cents, record.collection_day)
