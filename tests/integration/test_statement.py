"""The account statement (issue 21, item 4), on SQLite and PostgreSQL: every due month,
payment and return in the order the money moved, a running balance that ends at what the tenant
owes (the case total), on "mijn huur", for the officer, as PDF and in export-tenant."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import aiohttp
from pypdf import PdfReader

from herinnering.adapters.db import case_store
from herinnering.services.payments import balance, statement
from herinnering.services.payments.intake import intake_api
from herinnering.services.privacy import privacy
from herinnering.services.tenants.tenant_page import issue_token, page_url

HISTORY = [
    {"id": "b-1", "type": "payment", "period": "2026-11", "amount_cents": 65636, "booked_on": "2026-11-02"},
    {"id": "b-2", "type": "payment", "period": "2026-12", "amount_cents": 65636, "booked_on": "2026-12-01"},
    {"id": "b-3", "type": "return", "period": "2026-12", "amount_cents": 65636, "reason_code": "AM04",
     "booked_on": "2026-12-04"},
    {"id": "b-4", "type": "payment", "period": "2026-12", "amount_cents": 20000, "booked_on": "2027-01-05"},
    {"id": "b-5", "type": "payment", "period": "2027-01", "amount_cents": 65636, "booked_on": "2027-01-04"},
    {"id": "b-6", "type": "return", "period": "2027-01", "amount_cents": 65636, "reason_code": "MD06",
     "booked_on": "2027-01-07"},
]


async def history(runtime: Any, make_tenant: Any, language: str = "nl") -> Any:
    tenant = await make_tenant(name="Anna de Vries", monthly_rent_cents=65636, collection_day=1, language=language)
    body = {"payments": [{**item, "contract_id": tenant.external_id} for item in HISTORY]}
    runtime.clock.set(datetime(2027, 1, 10, 9, tzinfo=UTC))  # the file arrives days after the money moved
    await intake_api(runtime.db, runtime.settings, runtime.clock, body)
    return tenant


async def test_the_running_balance_follows_the_bank_dates_and_ends_at_the_case_total(
        runtime: Any, make_tenant: Any) -> None:
    tenant = await history(runtime, make_tenant)
    async with runtime.db.begin() as connection:
        account = await statement.statement_of(connection, tenant, datetime(2027, 1, 10).date())
        owed = await balance.outstanding(connection, tenant.id)
        case = await case_store.open_case_of(connection, tenant.id)
    steps = [(line.entry.on.isoformat(), line.entry.kind.value, line.entry.amount_cents, line.balance_cents)
             for line in account.lines if line.entry.kind.value != "recollection"]
    [again] = [line for line in account.lines if line.entry.kind.value == "recollection"]  # AM04: collected again
    assert again.entry.period == "2026-12" and again.balance_cents == 65636  # moves nothing by itself
    assert steps == [
        ("2026-11-02", "due", 65636, 65636), ("2026-11-02", "payment", 65636, 0),
        ("2026-12-01", "due", 65636, 65636), ("2026-12-01", "payment", 65636, 0),
        ("2026-12-04", "return", 65636, 65636),
        ("2027-01-04", "due", 65636, 131272), ("2027-01-04", "payment", 65636, 65636),
        ("2027-01-05", "payment", 20000, 45636),
        ("2027-01-07", "return", 65636, 111272),
    ]
    assert account.balance_cents == owed == 111272
    # the arrears case holds both missed months: its total is where the statement's balance ends
    assert case.amount_due_cents - case.amount_paid_cents == account.balance_cents
    words = statement.labels(runtime.templates.env, "nl")
    shown = [row for row in statement.rows(account, words, "nl") if row["kind"] != "recollection"]
    [recollection] = [row for row in statement.rows(account, words, "nl") if row["kind"] == "recollection"]
    assert recollection["balance"] == "" and "telt niet mee in het saldo" in recollection["what"]
    assert shown[4]["what"] == "Afschrijving teruggeboekt door de bank (december 2026) — AM04"
    assert shown[7]["amount"].startswith("− ") and shown[7]["balance"] == "€ 456,36"
    assert shown[8]["balance"] == "€ 1.112,72"


async def test_the_tenant_sees_it_on_mijn_huur_and_gets_it_as_pdf_in_their_language(
        runtime: Any, make_tenant: Any) -> None:
    tenant = await history(runtime, make_tenant, language="tr")
    async with runtime.db.begin() as connection:
        url = page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                           runtime.clock.now()))
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as answer:
            html = await answer.text()
        async with session.get(url + "/overzicht.pdf") as answer:
            assert answer.status == 200 and answer.headers["Content-Type"] == "application/pdf"
            assert answer.headers["Cache-Control"] == "no-store"
            document = await answer.read()
    assert "Kira hesap dökümünüz" in html and "Aralık 2026 kirası" in html
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert "Kira hesap dökümünüz" in text and tenant.external_id in text
    assert runtime.settings.organisation.name in text


async def test_export_tenant_carries_the_statement(runtime: Any, make_tenant: Any) -> None:
    tenant = await history(runtime, make_tenant)
    data = await privacy.export_tenant(runtime, tenant.external_id)
    assert data["statement"]["balance_cents"] == 111272
    assert [line["kind"] for line in data["statement"]["lines"]].count("due") == 3


async def test_the_officer_sees_it_beside_the_tenant_and_nobody_else_does(
        runtime: Any, make_tenant: Any, browser: Any) -> None:
    from herinnering.services.privacy import users

    tenant = await history(runtime, make_tenant, language="ar")
    await users.add_user(runtime, "anna@delinde.nl", "correct horse battery", "officer")
    stranger = browser()
    status, html = await stranger.get(f"/huurders/{tenant.id}/rekening")
    assert "1.112,72" not in html and 'type="password"' in html  # sent to the login form
    anna = browser()
    assert await anna.log_in("anna@delinde.nl", "correct horse battery") == 303
    status, html = await anna.get(f"/huurders/{tenant.id}/rekening")
    assert status == 200 and "Overzicht van uw huur" in html and "€ 1.112,72" in html  # the officer's Dutch
    assert (await anna.get(f"/huurders/{tenant.id + 1000}/rekening"))[0] == 404
    async with anna.session.get(f"{runtime.settings.server.public_url}/huurders/{tenant.id}/rekening.pdf") as answer:
        assert answer.status == 200
        document = await answer.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    assert tenant.external_id in text and "المتبقي" in text  # the tenant's own language
