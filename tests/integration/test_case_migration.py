"""Migration 0016 on a database that holds per-month cases (built at revision 0015, then
upgraded), on SQLite and PostgreSQL: every month ends up in one case per tenant, nothing is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.migrate import upgrade
from tests.conftest import _fresh_postgres

AT = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database at revision 0015, before the arrears case."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
        await _fresh_postgres(url)
    db = Database(url)
    await upgrade(db, "0015")
    yield db
    await db.close()


async def _insert(connection: Any, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{key}" for key in values)
    return (await connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"),
                                     values)).scalar_one()


async def _tenant(connection: Any, n: int) -> int:
    return await _insert(connection, "tenants", external_id=f"HC-{n}", name=f"Huurder {n}", phone=f"+316100000{n}",
                         channel="sms", language="nl", monthly_rent_cents=70_000, collection_day=1, active=True,
                         opted_out=False, created_at=AT, updated_at=AT)


async def _case(connection: Any, tenant_id: int, period: str, state: str, missed: date, paid: int = 0) -> int:
    return await _insert(connection, "arrears_cases", tenant_id=tenant_id, period=period, state=state,
                         missed_on=missed, reason_code="AM04", amount_due_cents=70_000, amount_paid_cents=paid,
                         opened_at=AT, updated_at=AT, closed_at=AT if state == "closed" else None)


async def test_per_month_cases_become_one_case_per_tenant_without_losing_a_month_step_or_letter(
    old_database: Database,
) -> None:
    async with old_database.begin() as connection:
        two_open, one_of_each = await _tenant(connection, 1), await _tenant(connection, 2)
        november = await _case(connection, two_open, "2026-11", "open", date(2026, 11, 3), paid=10_000)
        december = await _case(connection, two_open, "2026-12", "open", date(2026, 12, 2))
        october = await _case(connection, one_of_each, "2026-10", "closed", date(2026, 10, 2), paid=70_000)
        alone = await _case(connection, one_of_each, "2026-12", "open", date(2026, 12, 2))
        for case_id, step in ((november, "first_link"), (december, "first_link")):
            await _insert(connection, "ladder_steps", case_id=case_id, step=step, done_on=date(2026, 12, 3),
                          attempt=1, created_at=AT, updated_at=AT)
        await _insert(connection, "mvi_steps", case_id=december, step="personal_contact", channel="phone",
                      text="Gebeld", occurred_at=AT, recorded_by="officer@delinde", source_key="task:9:personal_contact",
                      created_at=AT)
        await _insert(connection, "letters", tenant_id=two_open, case_id=december, kind="written_reminder",
                      channel="letter", language="nl", sent_on=date(2026, 12, 15), principal_cents=70_000,
                      costs_cents=0, body="Beste huurder", pdf_sha256="ab" * 32, created_by="officer@delinde",
                      created_at=AT)

    await upgrade(old_database)

    async with old_database.begin() as connection:
        cases = {row.id: row for row in (await connection.execute(text("SELECT * FROM arrears_cases"))).fetchall()}
        months = (await connection.execute(text(
            "SELECT case_id, period, due_on, amount_due_cents, amount_paid_cents FROM case_months "
            "ORDER BY case_id, period"))).fetchall()
        steps = (await connection.execute(text("SELECT case_id, source_key FROM mvi_steps ORDER BY id"))).fetchall()
        ladder = (await connection.execute(text("SELECT case_id FROM ladder_steps ORDER BY id"))).fetchall()
        [letter] = (await connection.execute(text("SELECT * FROM letters"))).fetchall()

    kept = cases[november]  # the oldest open case of the tenant holds both months
    assert (kept.state, kept.open_tenant_id, kept.amount_due_cents, kept.amount_paid_cents) == (
        "open", two_open, 140_000, 10_000)
    assert _day(kept.arrears_since) == date(2026, 11, 2)  # 1 November 2026 is a Sunday: debited the 2nd
    folded = cases[december]
    assert (folded.state, folded.merged_into, folded.open_tenant_id) == ("closed", november, None)
    assert [(m.case_id, m.period) for m in months if m.case_id == november] == [
        (november, "2026-11"), (november, "2026-12")]
    assert (december, "2026-12") in [(m.case_id, m.period) for m in months]  # the folded case keeps its month
    assert (november, f"merged:{december}:task:9:personal_contact") in [(s.case_id, s.source_key) for s in steps]
    assert [row.case_id for row in ladder] == [november, december]  # history stays where it was
    assert (cases[october].state, cases[october].open_tenant_id) == ("closed", None)
    assert (cases[alone].state, cases[alone].open_tenant_id) == ("open", one_of_each)
    assert (letter.case_id, letter.state, _day(letter.posted_on), _day(letter.generated_on)) == (
        december, "posted", date(2026, 12, 15), date(2026, 12, 15))


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
