"""The ERP's payment CSV and the payments API (over real HTTP), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from herinnering.adapters.db.engine import Database
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments.intake import PaymentInputError, import_payment_file
from tests.integration.payment_helpers import ChangeRecorder, counts, sample, sample_tenants, status

TOKEN = "s3cret-api-token-for-tests"


async def test_an_erp_export_states_each_month_once(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    tenants = await sample_tenants(make_tenant)
    intake = await import_payment_file(database, settings, clock, sample("erp-payments.csv"), "erp.csv")
    assert (intake.format, intake.report.stored) == ("erp-csv", 4)
    partly = await status(database, tenants["HC-100143"], "2026-12")
    assert (partly.status, partly.amount_paid_cents, partly.outstanding_cents) == (PaymentStatus.PARTLY_PAID, 20000, 37500)
    derived = await status(database, tenants["HC-100157"], "2026-12")  # empty status: follows from the amounts
    assert derived.status is PaymentStatus.PAID
    assert {c.source for c in recorder.changes} == {"erp"} and len(recorder.changes) == 4
    again = await import_payment_file(database, settings, clock, sample("erp-payments.csv"), "erp.csv")
    assert (again.report.stored, again.report.duplicates) == (0, 4)


async def test_a_csv_with_a_bad_amount_is_rejected_naming_the_line_and_no_rows_change(
    database: Database, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    tenants = await sample_tenants(make_tenant)
    await import_payment_file(database, settings, clock, sample("erp-payments.csv"), "erp.csv")
    before = await counts(database)
    bad = (b"contract_id;period;amount_due;amount_paid;status\n"
           b"HC-100136;2027-01;871,00;871,00;paid\n"
           b"HC-100143;2027-01;575,00;twee honderd;partly_paid\n"
           b"HC-100150;2027-13;937,76;0;expected\n")
    with pytest.raises(PaymentInputError) as caught:
        await import_payment_file(database, settings, clock, bad, "erp-januari.csv")
    assert caught.value.problems == [
        "line 3, amount_paid: 'twee honderd' is not an amount in euros (write it like 656,36)",
        "line 4, period: month 13 in '2027-13' does not exist: a month is 01..12",
    ]
    assert await counts(database) == before  # the good line 2 was not taken in either
    assert await status(database, tenants["HC-100136"], "2027-01") is None


async def test_a_contract_the_export_names_but_we_do_not_know_rejects_the_file(
    database: Database, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    await make_tenant(external_id="HC-100136", monthly_rent_cents=87100)
    with pytest.raises(PaymentInputError, match="line 3, contract_id: HC-999999 is not a known tenant"):
        await import_payment_file(database, settings, clock,
                                  b"contract_id,period,amount_due,amount_paid\nHC-100136,2026-12,871,871\n"
                                  b"HC-999999,2026-12,500,0\n", "erp.csv")
    assert await counts(database) == (0, 0, 0)


async def test_a_dry_run_stores_nothing(database: Database, settings: Any, clock: Any, make_tenant: Any) -> None:
    await sample_tenants(make_tenant)
    intake = await import_payment_file(database, settings, clock, sample("camt053-returns.xml"), "s.xml", dry_run=True)
    assert (intake.dry_run, intake.report.stored) == (True, 7)
    assert await counts(database) == (0, 0, 0)


# --- the API -----------------------------------------------------------------------------


@pytest.fixture
def api(runtime: Any) -> Any:
    runtime.settings = replace(runtime.settings, payments=replace(runtime.settings.payments, api_token=TOKEN))
    return runtime


async def post(runtime: Any, body: Any, token: str | None = TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as session, session.post(
        runtime.settings.server.public_url + "/api/payments", json=body, headers=headers
    ) as response:
        return response.status, await response.json()


RETURN = {"id": "bank-77812", "contract_id": "HC-100101", "period": "2026-12", "type": "return",
          "amount_cents": 65636, "reason_code": "AM04"}


async def test_the_api_refuses_a_wrong_or_missing_token_and_stores_nothing(api: Any, make_tenant: Any) -> None:
    await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    assert (await post(api, RETURN, token="wrong"))[0] == 401
    assert (await post(api, RETURN, token=None))[0] == 401
    assert (await post(api, RETURN, token=""))[0] == 401
    assert await counts(api.db) == (0, 0, 0)


async def test_the_api_is_closed_while_no_token_is_configured(runtime: Any, make_tenant: Any) -> None:
    assert runtime.settings.payments.api_token == ""
    assert (await post(runtime, RETURN, token=""))[0] == 401


async def test_the_api_records_a_return_once_per_caller_id(api: Any, make_tenant: Any, recorder: ChangeRecorder) -> None:
    tenant = await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    code, body = await post(api, RETURN)
    assert code == 201 and body["stored"] == 1
    assert body["periods"] == [{"tenant_id": tenant.id, "period": "2026-12", "status": "returned", "reason_code": "AM04",
                                "amount_due_cents": 65636, "amount_paid_cents": 0, "outstanding_cents": 65636}]
    code, body = await post(api, RETURN)
    assert (code, body["stored"], body["duplicates"]) == (200, 0, 1)
    assert [(c.status, c.source) for c in recorder.changes] == [(PaymentStatus.RETURNED, "api")]


async def test_the_api_names_every_problem_and_stores_nothing(api: Any, make_tenant: Any) -> None:
    await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)
    code, body = await post(api, {"payments": [
        {**RETURN, "id": "ok-1", "type": "payment", "reason_code": None},
        {**RETURN, "amount_cents": "656,36", "period": "2026-13", "reason_code": "insufficient"},
    ]})
    assert code == 422
    assert body["problems"] == [
        "payments[1].period: month 13 in '2026-13' does not exist: a month is 01..12",
        "payments[1].amount_cents: must be a whole number of cents from 0 (got '656,36')",
        "payments[1].reason_code: 'INSUFFICIENT' is not a 4-character ISO reason code",
    ]
    assert await counts(api.db) == (0, 0, 0)
