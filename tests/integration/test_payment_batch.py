"""The set-based `payments.record` leaves the database exactly as `record_one_by_one` does:
the same rows in every table, each tenant's rows (its events above all) in the same order.

Each example records one mixed statement twice on the same starting state, one transaction
at a time and in batches, each inside a transaction that is rolled back, and compares the two
databases table by table. Ids differ between the runs (PostgreSQL's sequences do not roll
back, and the batch path numbers new cases per round), so every id — in a foreign key, in an
event's data, in a key like `return:<case>:…` — is replaced by what it points to: the
tenant and the place of the row among that tenant's rows.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import JSON, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import payer_store
from herinnering.adapters.db.tables import metadata, tenants
from herinnering.domain.payments.state import Transaction, TransactionKind
from herinnering.services.payments import arrangements, payments
from tests.conftest import database_examples

NOW = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
PAYER_IBAN = "NL20INGB0001234567"
REASONS = ("AM04", "MD06", "AC04", "MD07", "MS02")

# ids inside event data and keys, and the table each points to
ID_KEYS = {"case_id": "arrears_cases", "task_id": "tasks", "link_id": "payment_links", "message_id": "messages",
           "transaction_id": "payment_transactions", "arrangement_id": "arrangements",
           "exposure_id": "experiment_exposures", "replaced": "payment_links"}
CASE_IN_KEY = {("messages", "idempotency_key"): re.compile(r"^(return):(\d+):"),  # return:<case>:…
               ("tasks", "dedupe_key"): re.compile(r"^(ladder):(\d+):")}  # ladder:<case>:… (return:<tenant>:…)
RANDOM = {("payment_links", "public_id"), ("payment_links", "url"), ("payment_links", "provider_ref")}


async def snapshot(connection: AsyncConnection) -> dict[str, list[str]]:
    """Every table's rows, ids replaced by (tenant, place among the tenant's rows), sorted."""
    read: dict[str, list[dict[str, Any]]] = {}
    canon: dict[str, dict[int, Any]] = {}
    for table in metadata.sorted_tables:
        if "id" not in table.c:
            read[table.name] = [dict(r._mapping) for r in await connection.execute(select(table))]
            continue
        rows = [dict(r._mapping) for r in await connection.execute(select(table).order_by(table.c.id))]
        read[table.name] = rows
        places: dict[Any, int] = {}
        for row in rows:
            owner = row.get("tenant_id", "-")
            places[owner] = places.get(owner, 0) + 1
            canon.setdefault(table.name, {})[row["id"]] = (owner, places[owner])
            if "tenant_id" in row:  # a tenant's rows come in the same order both ways; rows of no tenant may not
                row["_place"] = places[owner]

    def ref(table: str, value: Any) -> Any:
        if isinstance(value, list):
            return [ref(table, v) for v in value]
        return canon.get(table, {}).get(value, ("?", value)) if isinstance(value, int) else value

    def data(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ref(ID_KEYS[k], v) if k in ID_KEYS else data(v) for k, v in value.items()}
        return value

    found: dict[str, list[str]] = {}
    for table in metadata.sorted_tables:
        pointers = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
        out = []
        for row in read[table.name]:
            clean: dict[str, Any] = {}
            for column, value in row.items():
                if column == "id" or (table.name, column) in RANDOM:
                    continue
                if column in pointers:
                    value = ref(pointers[column], value)
                elif column in ("message_id",):
                    value = ref("messages", value)
                elif (table.name, column) in CASE_IN_KEY and isinstance(value, str):
                    hit = CASE_IN_KEY[(table.name, column)].match(value)
                    if hit:
                        value = f"{hit[1]}:{ref('arrears_cases', int(hit[2]))}:{value[hit.end():]}"
                elif isinstance(table.c[column].type, JSON) if column in table.c else False:
                    value = data(value)
                    if table.name == "messages" and isinstance(value, dict) and value.get("link_url"):
                        value = {**value, "link_url": "<link>"}
                clean[column] = value
            out.append(repr(sorted(clean.items(), key=lambda kv: kv[0])))
        found[table.name] = sorted(out)
    return found


async def _base(runtime: Any, make_tenant: Any, plain: int = 0) -> list[Any]:
    """Tenants in every situation a statement can meet: an open case with a re-collection, an
    arrangement, a closed account, not paying by direct debit, a payer account on record; then
    `plain` tenants with nothing yet."""
    people = [await make_tenant(monthly_rent_cents=rent, collection_day=day)
              for rent, day in ((60000, 1), (74550, 5), (52000, 20), (81000, 25), (60000, 1), (45000, 10))]
    people.append(await make_tenant(monthly_rent_cents=70000, payment_method="overboeking"))
    people += [await make_tenant(monthly_rent_cents=50000 + 1000 * n, collection_day=1 + n) for n in range(plain)]
    async with runtime.db.begin() as connection:
        await connection.execute(update(tenants).where(tenants.c.id == people[3].id).values(active=False))
        await payer_store.add_payer(connection, people[4].id, PAYER_IBAN, "partner", "test", NOW)
        await payments.record_one_by_one(connection, runtime.settings, [  # November: returns open cases
            Transaction("camt", "base:1", TransactionKind.RETURN, 60000, contract_id=people[0].external_id,
                        period="2026-11", reason_code="AM04", booked_on=date(2026, 11, 3)),
            Transaction("camt", "base:2", TransactionKind.RETURN, 74550, contract_id=people[1].external_id,
                        period="2026-11", reason_code="MD06", booked_on=date(2026, 11, 8)),
            Transaction("camt", "base:3", TransactionKind.PAYMENT, 20000, contract_id=people[2].external_id,
                        period="2026-11", booked_on=date(2026, 11, 25)),
        ], datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    runtime.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    async with runtime.db.begin() as connection:
        await arrangements.add_arrangement(connection, runtime, people[1].id, count=3, first=date(2026, 12, 15),
                                           every="month")
    return people


def statements(size: int) -> Any:
    person = st.integers(-1, 6)  # -1: a payer named by no contract
    line = st.tuples(person, st.sampled_from(["payment", "payment", "return"]),
                     st.sampled_from([None, "2026-11", "2026-12"]), st.sampled_from([0.5, 1.0, 1.25]),
                     st.sampled_from(REASONS), st.integers(0, 6), st.booleans())
    return st.lists(line, min_size=1, max_size=size)


def _transactions(people: list[Any], lines: list[tuple[Any, ...]]) -> list[Transaction]:
    found = []
    for n, (who, kind, period, share, code, key, by_iban) in enumerate(lines):
        tenant = people[who] if who >= 0 else None
        rent = tenant.monthly_rent_cents if tenant is not None else 60000
        named = tenant is not None and not by_iban
        found.append(Transaction(
            source="camt", source_key="base:1" if key == 0 else f"line:{key}:{n % 3 if key == 6 else n}",
            kind=TransactionKind.RETURN if kind == "return" and named else TransactionKind.PAYMENT,
            amount_cents=int(rent * share), references=(f"Huur {tenant.external_id}",) if named else ("Huur",),
            period=period, reason_code=code if kind == "return" and named else None,
            booked_on=date(2026, 12, 1 + n % 27), counterparty_iban=PAYER_IBAN if by_iban else None))
    return found


async def _both(runtime: Any, transactions: list[Transaction]) -> tuple[Any, Any, Any, Any]:
    results = []
    async with runtime.db.engine.connect() as connection:
        for record in (payments.record_one_by_one, payments.record):
            transaction = await connection.begin()
            report = await record(connection, runtime.settings, transactions, NOW)
            results += [report, await snapshot(connection)]
            await transaction.rollback()
    return tuple(results)  # type: ignore[return-value]


def _same(one: dict[str, list[str]], batch: dict[str, list[str]]) -> None:
    for table in one:
        assert batch[table] == one[table], f"{table} differs"


PEOPLE: dict[int, list[Any]] = {}


@database_examples(4)  # HYPOTHESIS_PROFILE=deep: 40
@given(lines=statements(24))
async def test_a_statement_in_batches_leaves_what_one_by_one_leaves(runtime: Any, make_tenant: Any,
                                                                     lines: list[tuple[Any, ...]]) -> None:
    if id(runtime) not in PEOPLE:
        PEOPLE.clear()
        PEOPLE[id(runtime)] = await _base(runtime, make_tenant)
    one_report, one, batch_report, batch = await _both(runtime, _transactions(PEOPLE[id(runtime)], lines))
    _same(one, batch)
    assert (batch_report.stored, batch_report.duplicates, batch_report.unmatched) == (
        one_report.stored, one_report.duplicates, one_report.unmatched)
    assert batch_report.changes == one_report.changes and batch_report.matched_by_signs == one_report.matched_by_signs


async def test_a_large_mixed_statement_across_batches_is_the_same_both_ways(runtime: Any, make_tenant: Any,
                                                                            monkeypatch: Any) -> None:
    """Several rounds and several batches (a small BATCH), every kind of line, a replayed key."""
    people = await _base(runtime, make_tenant, plain=30)
    monkeypatch.setattr(payments, "BATCH", 7)
    lines = [(n % 38 - 1 if n < 60 else n % 8 - 1, ("payment", "return", "payment")[n % 3], (None, "2026-11", "2026-12")[n % 3 if n % 5 else 0],
              (0.5, 1.0, 1.25)[n % 3], REASONS[n % 5], 0 if n == 7 else (6 if n % 11 == 0 else 1), n % 9 == 4)
             for n in range(90)]
    one_report, one, batch_report, batch = await _both(runtime, _transactions(people, lines))
    _same(one, batch)
    assert one_report.stored > 30 and one_report.duplicates >= 1 and one["arrears_cases"] and one["messages"]
    assert (batch_report.stored, batch_report.duplicates, batch_report.unmatched) == (
        one_report.stored, one_report.duplicates, one_report.unmatched)
    assert batch_report.changes == one_report.changes


async def test_the_comparison_sees_a_difference(runtime: Any, make_tenant: Any) -> None:
    """The snapshot is not blind: one event less, or one in another order, is a difference."""
    people = await _base(runtime, make_tenant)
    async with runtime.db.engine.connect() as connection:
        transaction = await connection.begin()
        before = await snapshot(connection)
        await payments.record(connection, runtime.settings, _transactions(people, [(0, "payment", "2026-12", 1.0,
                                                                                    "AM04", 1, False)]), NOW)
        after = await snapshot(connection)
        await transaction.rollback()
    assert before["events"] != after["events"] and before["payment_periods"] != after["payment_periods"]
