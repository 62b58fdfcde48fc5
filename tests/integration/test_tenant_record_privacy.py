"""The tenant record under the privacy rights: `export-tenant` shows every new field; `purge`
removes the IBAN and SEPA mandate of an ended contract with the payments, keeps the address
with the proof, and blots the record's values out of the audit log with the tenant."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text

from herinnering.adapters.db import user_store
from herinnering.adapters.db.tables import tenants
from herinnering.services.privacy import privacy
from tests.integration.test_lawful import ladder_done_but_no_call

RECORD = {"street": "Kerkstraat", "house_number": "12", "house_number_addition": "A", "postal_code": "1234 AB",
          "city": "Amsterdam", "municipality": "GM0363", "email": "zoe.jansen@example.nl",
          "lease_start": date(2019, 3, 1), "payment_method": "incasso", "mandate_id": "DL-MND-2019-0042",
          "mandate_date": date(2019, 2, 14), "pre_notification_days": 5, "iban": "NL91ABNA0417164300"}


async def test_export_tenant_shows_the_whole_record(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(lease_end=date(2027, 5, 31), **RECORD)
    exported = json.loads(json.dumps(await privacy.export_tenant(runtime, tenant.external_id)))
    row = exported["tenant"]
    assert {key: row[key] for key in ("street", "house_number", "house_number_addition", "address", "postal_code",
                                      "city", "municipality", "email", "payment_method", "mandate_id",
                                      "pre_notification_days")} == {
        "street": "Kerkstraat", "house_number": "12", "house_number_addition": "A", "address": "Kerkstraat 12 A",
        "postal_code": "1234 AB", "city": "Amsterdam", "municipality": "GM0363", "email": "zoe.jansen@example.nl",
        "payment_method": "incasso", "mandate_id": "DL-MND-2019-0042", "pre_notification_days": 5}
    assert (row["lease_start"], row["contract_ended_on"], row["mandate_signed_on"]) == (
        "2019-03-01", "2027-05-31", "2019-02-14")


async def test_purge_takes_the_payment_data_with_the_payments_and_the_rest_with_the_tenant(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    with_case = await ladder_done_but_no_call(runtime, make_tenant, **RECORD)  # an arrears case: proof is kept
    plain = await make_tenant(**(RECORD | {"email": "bram@example.nl", "mandate_id": "DL-MND-2020-0007",
                                           "iban": "NL73SNSB0485919859"}))
    async with runtime.db.begin() as connection:  # an officer's command named the plain tenant's record
        await user_store.audit(connection, user_id=None, user_email="cli:carla", action="cli export-tenant",
                               now=runtime.clock.now(),
                               data={"args": ["bram@example.nl", "DL-MND-2020-0007", "NL73SNSB0485919859"]})
    for someone in (with_case, plain):
        await privacy.end_contract(runtime, someone.external_id, date(2027, 1, 31))
    async with runtime.db.begin() as connection:
        before = (await connection.execute(select(tenants).where(tenants.c.id == with_case.id))).one()
    assert before.address and before.mandate_id == "DL-MND-2019-0042"
    runtime.clock.set(datetime(2029, 3, 1, 9, tzinfo=UTC))  # past the message term, within the proof's
    report = await privacy.purge(runtime)
    assert (report.tenants, report.kept_for_proof) == (1, 1)
    async with runtime.db.begin() as connection:
        [kept] = (await connection.execute(select(tenants))).fetchall()
        audit = (await connection.execute(text("SELECT data FROM audit_log WHERE action = 'cli export-tenant'"))).one()
    assert kept.id == with_case.id
    assert (kept.iban, kept.mandate_id, kept.mandate_signed_on, kept.pre_notification_days) == (None, None, None, None)
    # what the letters and the signal hold stays with the proof
    assert (kept.address, kept.postal_code, kept.municipality, kept.email, kept.lease_start) == (
        before.address, before.postal_code, before.municipality, before.email, date(2019, 3, 1))
    blotted = json.dumps(audit.data) if not isinstance(audit.data, str) else audit.data
    assert "bram@example.nl" not in blotted and "DL-MND-2020-0007" not in blotted
    assert "NL73SNSB0485919859" not in blotted
