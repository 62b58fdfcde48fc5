"""Lawful by construction, on a real database: the early-warning gate with its four steps, the
tenant's objection by keyword, the municipality's answers, the 14-day letter and the proof bundle."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from herinnering.adapters.db.collection_tables import arrears_cases, mvi_steps
from herinnering.adapters.db.conversation_tables import audit_log, threads
from herinnering.adapters.db.legal_tables import letters, municipal_feedback
from herinnering.adapters.db.tables import messages, tenants
from herinnering.domain.payments.costs import letter_dates
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.errors import HerinneringError
from herinnering.services.legal.early_warning import import_feedback
from herinnering.services.legal.proof import build
from herinnering.services.legal.wgs_export import FIELDS, collect, mark_signalled
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.messages import plan_message
from herinnering.services.tenants.tenant_page import issue_token, page_url
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
from tests.integration.conversations import tenant_writes
from tests.integration.officer_browser import officer
from tests.integration.test_wgs import finish_task, with_address

SINCE = date(2026, 12, 1)
EXPORT_DAY = date(2027, 1, 4)  # Monday, 33 days after the missed debit of 2 December
ADDRESS = "Lindelaan 12, 1234 AB Utrecht"


async def ladder_done_but_no_call(runtime: Any, make_tenant: Any, letter: str | None = "written_reminder",
                                  **fields: Any) -> Any:
    """A tenant whose debit came back; the ladder ran (its debt-help SMS went out), the written
    reminder (or `letter`) was posted on the day the ladder asked for it, nobody called yet."""
    tenant = await make_tenant(name="Anna de Vries", **fields)
    await with_address(runtime, tenant)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    for day in days(date(2026, 12, 2), 23):
        await run_day(runtime, day)
        if letter and day == date(2026, 12, 16):
            await posted_letter(runtime, tenant, letter)
    runtime.clock.set(morning(EXPORT_DAY))
    await ladder_tick(runtime)  # records the debt-help message
    return tenant


async def call_done(runtime: Any, tenant: Any) -> None:
    [task] = [t for t in await open_tasks(runtime) if t.kind == "call_tenant" and t.tenant_id == tenant.id]
    await finish_task(runtime, task, "phone", "Gebeld; wijst op de budgetcoach")
    await ladder_tick(runtime)


async def export(runtime: Any) -> Any:
    async with runtime.db.begin() as connection:
        return await collect(connection, runtime.settings, SINCE, EXPORT_DAY)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_three_of_four_steps_is_refused_and_the_fourth_makes_the_case_ready(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant, letter="veertiendagenbrief")
    # the posted letter did the ladder's task; after its last step the case is a person's
    assert {t.kind for t in await open_tasks(runtime)} == {"call_tenant", "case_handover"}
    await ladder_tick(runtime)
    recorded = await rows(runtime, mvi_steps)
    assert sorted(r.step for r in recorded) == ["data_offer", "debt_help", "written_reminder"]  # once each
    assert {r.channel for r in recorded if r.step != "debt_help"} == {"letter"}
    steps = {r.step for r in recorded}
    assert steps == {"debt_help", "written_reminder", "data_offer"}  # three of the four

    [refused] = (await export(runtime)).refused
    assert refused.reason.startswith("missing MVI step personal_contact")

    await call_done(runtime, tenant)
    ready = await export(runtime)
    [row] = ready.rows
    assert ready.refused == []
    assert FIELDS == ("name", "address", "phone", "email", "amount_eur", "arrears_since", "signal_date", "type",
                      "landlord_id", "municipality")
    assert "bsn" not in ready.csv().lower()
    assert (row.name, row.address, row.amount_eur, row.arrears_since, row.signal_date, row.type) == (
        "Anna de Vries", ADDRESS, "745.50", "2026-12-01", "2027-01-04", "Huur")


async def test_an_objection_by_keyword_blocks_the_signal_and_is_shown(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    assert len((await export(runtime)).rows) == 1

    await tenant_writes(runtime, fake_twilio, tenant.phone, "Bezwaar!")
    result = await export(runtime)
    assert result.rows == [] and "objected" in result.refused[0].reason
    [objection] = [r for r in await rows(runtime, mvi_steps) if r.step == "objection"]
    assert (objection.channel, objection.recorded_by, objection.text) == ("sms", "tenant", "Bezwaar!")

    bundle = await build(runtime, tenant, None)
    assert "BEZWAAR" in pdf_text(bundle.pdf) and "Bezwaar!" in bundle.html


async def test_an_objection_recorded_in_the_inbox_blocks_the_signal_and_is_audited(
    runtime: Any, make_tenant: Any, fake_twilio: Any, browser: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    await tenant_writes(runtime, fake_twilio, tenant.phone, "Ik bel u morgen")
    async with runtime.db.begin() as connection:
        [thread] = (await connection.execute(select(threads).where(threads.c.tenant_id == tenant.id))).fetchall()
    anna = await officer(runtime, browser)
    status, page = await anna.get(f"/inbox/threads/{thread.id}")
    assert status == 200 and "Bezwaar vastleggen" in page
    assert len((await export(runtime)).rows) == 1

    base = f"/inbox/threads/{thread.id}/objection"
    assert (await anna.post(base, text="   ", channel="phone"))[1].endswith("notice=refused")  # nothing said
    assert (await anna.post(base, csrf="forged", text="Geen melding", channel="phone"))[0] == 403
    assert len((await export(runtime)).rows) == 1
    status, location = await anna.post(base, text="Wil geen melding bij de gemeente (telefoon)", channel="phone")
    assert status == 303 and location.endswith("notice=objection")

    result = await export(runtime)
    assert result.rows == [] and "objected" in result.refused[0].reason
    [objection] = [r for r in await rows(runtime, mvi_steps) if r.step == "objection"]
    assert (objection.channel, objection.recorded_by) == ("phone", "anna@delinde.nl")
    assert [e.action for e in await rows(runtime, audit_log) if e.action == "objection"] == ["objection"]


async def test_an_objection_on_the_tenant_page_blocks_the_signal(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant, language="tr")
    await call_done(runtime, tenant)
    assert len((await export(runtime)).rows) == 1
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                           runtime.clock.now()))
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            assert "Belediyeye bildirim olmasın" in await response.text()
        async with session.post(url + "/bezwaar") as response:  # follows the redirect to the page
            assert response.status == 200
            assert "Bilgilerinizi belediyeye vermeyeceğiz" in await response.text()
    result = await export(runtime)
    assert result.rows == [] and "objected" in result.refused[0].reason
    [objection] = [r for r in await rows(runtime, mvi_steps) if r.step == "objection"]
    assert objection.recorded_by == "tenant"


async def test_the_municipality_answers_deceased_and_every_message_stops(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    async with runtime.db.begin() as connection:
        signals = await collect(connection, runtime.settings, SINCE, EXPORT_DAY)
        await mark_signalled(connection, signals, runtime.clock.now())
        planned = await plan_message(connection, runtime, tenant, "ladder_reminder", "2027-01", "test:later",
                                     {"amount_due_cents": 74550, "link_url": "", "period": "2027-01"},
                                     runtime.clock.now())
    answer = f"adres;achterstand_sinds;status;datum\n{ADDRESS};2026-12-01;Overleden;2027-01-04\n"
    async with runtime.db.begin() as connection:
        first = await import_feedback(connection, runtime.settings, answer, runtime.clock.now(), EXPORT_DAY, "cli")
        again = await import_feedback(connection, runtime.settings, answer, runtime.clock.now(), EXPORT_DAY, "cli")
    assert (first.stored, first.stopped_tenants, again.stored, again.repeated) == (1, [tenant.external_id], 0, 1)

    [message] = await rows(runtime, messages, messages.c.id == planned)
    [stored] = await rows(runtime, tenants, tenants.c.id == tenant.id)
    assert message.state == "cancelled" and stored.opted_out and stored.paused_until is not None
    async with runtime.db.begin() as connection:  # even a grown debt is not signalled again
        await connection.execute(update(arrears_cases).values(amount_due_cents=149_100))
    assert "deceased" in (await export(runtime)).refused[0].reason


async def test_a_repeat_signal_only_when_the_debt_grew_and_a_bad_feedback_file_stores_nothing(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    async with runtime.db.begin() as connection:
        await mark_signalled(connection, await collect(connection, runtime.settings, SINCE, EXPORT_DAY),
                             runtime.clock.now())
        bad = await import_feedback(connection, runtime.settings,
                                    f'address,arrears_since,status\n"{ADDRESS}",2026-12-01,herhaalsignaal\n'
                                    "Elders 1,2026-12-02,onbekend\n", runtime.clock.now(), EXPORT_DAY, "cli")
    assert len(bad.errors) == 1 and "line 3" in bad.errors[0] and bad.stored == 0
    assert await rows(runtime, municipal_feedback) == []
    assert (await export(runtime)).rows == []
    async with runtime.db.begin() as connection:
        await connection.execute(update(arrears_cases).values(amount_due_cents=149_100))
    assert [r.amount_eur for r in (await export(runtime)).rows] == ["1491.00"]


async def test_the_14_day_letter_names_the_exact_costs_and_dates_in_dutch_and_the_tenants_language(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant, language="tr")
    sent = await posted_letter(runtime, tenant, "veertiendagenbrief")
    text = " ".join(pdf_text(sent.pdf).split())
    assert "binnen 14 dagen na de dag van ontvangst van deze brief" in text
    assert "Die kosten zijn € 111,83" in text  # 15 % of € 745,50, rounded to the cent
    assert "Hollandaca" in text and "14 gün" in text  # the translation follows the legal Dutch text
    [stored] = await rows(runtime, letters, letters.c.kind == "veertiendagenbrief")
    dates = letter_dates(EXPORT_DAY)
    assert (stored.posted_on, stored.received_on, stored.costs_due_from, stored.costs_cents) == (
        EXPORT_DAY, date(2027, 1, 6), dates.costs_due_from, 11_183)
    assert stored.costs_due_from > date(2027, 1, 20)
    with pytest.raises(HerinneringError, match="already posted"):
        await posted_letter(runtime, tenant, "veertiendagenbrief")


async def test_the_letter_and_proof_commands_write_a_proof_pdf_that_lists_every_step_and_renders(
    runtime: Any, make_tenant: Any, fake_twilio: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    from herinnering.cli import main

    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    monkeypatch.setenv("HERINNERING_DATABASE_URL", runtime.settings.database.url)
    letter = tmp_path / "brief.pdf"
    assert await asyncio.to_thread(main, ["letter", "--tenant", tenant.external_id, "--kind", "veertiendagenbrief",
                                          "--out", str(letter), "--now", "2027-01-04T11:00"]) == 0
    assert "term ends 20-01-2027" in capsys.readouterr().out
    batch = tmp_path / "batch.pdf"
    assert await asyncio.to_thread(main, ["post-batch", "--out", str(batch), "--now", "2027-01-04T15:00"]) == 0
    assert "1. brief" in batch.with_suffix(".txt").read_text()
    batch_id = re.search(r"Post batch (\d+):", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    assert await asyncio.to_thread(main, ["posted", batch_id, "--on", "2027-01-04", "--now", "2027-01-04T17:00"]) == 0
    assert "posted on 2027-01-04" in capsys.readouterr().out
    out = tmp_path / "dossier.pdf"
    assert await asyncio.to_thread(main, ["proof", "--tenant", tenant.external_id, "--case", "2026-12",
                                          "--out", str(out), "--now", "2027-01-05T10:00"]) == 0

    text = " ".join(pdf_text(out.read_bytes()).split())
    for expected in (
        "Klaar voor vroegsignalering: ja",               # the gate's verdict
        "poging tot persoonlijk contact",
        "Gebeld; wijst op de budgetcoach",               # the call, as the officer noted it
        "binnen 14 dagen na de dag van ontvangst",       # the letter as posted
        "Aanbod gedaan op 04-01-2027",                   # the offer ...
        "Er is geen bezwaar van de huurder vastgelegd",  # ... and the absence of an objection
        "status afgeleverd",                             # the messages with their delivery status
        "Betalingen en betalingsregelingen",             # payments
    ):
        assert expected in text, (expected, text)
    assert "Bewijsdossier" in out.with_suffix(".html").read_text()

    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(out.read_bytes())
    image = document[0].render(scale=1).to_pil()
    png = tmp_path / "dossier.png"
    image.save(png)
    assert png.stat().st_size > 5_000 and image.convert("L").getextrema()[0] < 100  # ink on the page


async def test_an_officer_records_an_objection_the_ladder_shows_it_and_feedback_imports_from_a_file(
    runtime: Any, make_tenant: Any, fake_twilio: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    from herinnering.cli import main

    tenant = await ladder_done_but_no_call(runtime, make_tenant)
    await call_done(runtime, tenant)
    monkeypatch.setenv("HERINNERING_DATABASE_URL", runtime.settings.database.url)
    now = ["--now", "2027-01-04T12:00"]
    assert await asyncio.to_thread(main, ["ladder", "--tenant", tenant.external_id, *now]) == 0
    assert "Wgs: ready for the municipality" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["objection", "--tenant", tenant.external_id, "--text",
                                          "Wil geen melding bij de gemeente", *now]) == 0
    assert await asyncio.to_thread(main, ["ladder", "--tenant", tenant.external_id, *now]) == 0
    assert "the tenant objected to passing the data to the municipality" in capsys.readouterr().out

    answers = tmp_path / "terugkoppeling.csv"
    answers.write_text(f"adres;achterstand_sinds;status\n{ADDRESS};2026-12-01;opgepakt\n", encoding="utf-8")
    assert await asyncio.to_thread(main, ["wgs-feedback", str(answers), *now]) == 1  # never signalled: no match
    assert "no signalled case" in capsys.readouterr().out
    assert await rows(runtime, municipal_feedback) == []
