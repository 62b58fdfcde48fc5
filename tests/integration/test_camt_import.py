"""Bank files (CAMT.053 and CAMT.054) into payment state, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from herinnering.adapters.db.engine import Database
from herinnering.adapters.db.payment_tables import payment_transactions
from herinnering.adapters.db.tables import tasks
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments import balance
from herinnering.services.payments.intake import import_payment_file
from tests.integration.helpers import event_types
from tests.integration.payment_helpers import ChangeRecorder, counts, sample, sample_tenants, status


async def test_a_camt053_return_with_am04_is_stored_as_returned_for_its_tenant_and_month(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    tenants = await sample_tenants(make_tenant)
    intake = await import_payment_file(database, settings, clock, sample("camt053-returns.xml"), "camt053-returns.xml")

    assert intake.format.startswith("camt.053")
    assert (intake.report.stored, intake.report.duplicates, intake.report.unmatched) == (7, 0, 0)
    jan = tenants["HC-100101"]
    december = await status(database, jan, "2026-12")
    assert (december.status, december.reason_code, december.amount_paid_cents, december.outstanding_cents) == (
        PaymentStatus.RETURNED, "AM04", 0, 65636)
    # the collection ladder heard of both changes, the collected debit and then its return
    assert [(c.status, c.reason_code, c.source) for c in recorder.of(jan.id)] == [
        (PaymentStatus.PAID, None, "camt"), (PaymentStatus.RETURNED, "AM04", "camt")]
    assert (await event_types(database, jan.id)).count("payment_changed") == 2
    async with database.begin() as connection:
        assert await balance.outstanding(connection, jan.id) == 65636


async def test_each_return_in_a_batch_is_matched_with_its_own_reason(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    tenants = await sample_tenants(make_tenant)
    await import_payment_file(database, settings, clock, sample("camt053-returns.xml"), "statement.xml")
    found = {cid: await status(database, tenants[cid], "2026-12") for cid in ("HC-100108", "HC-100115", "HC-100122")}
    assert (found["HC-100108"].status, found["HC-100108"].reason_code) == (PaymentStatus.RETURNED, "MD06")
    assert (found["HC-100115"].status, found["HC-100115"].reason_code) == (PaymentStatus.RETURNED, "AC04")
    # a credit transfer whose only reference is the tenant's own text "huur dec 2026 HC-100122"
    assert (found["HC-100122"].status, found["HC-100122"].amount_paid_cents) == (PaymentStatus.PAID, 69227)


async def test_importing_the_same_statement_again_changes_nothing(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    await sample_tenants(make_tenant)
    data = sample("camt053-returns.xml")
    await import_payment_file(database, settings, clock, data, "statement.xml")
    before, heard = await counts(database), len(recorder.changes)

    again = await import_payment_file(database, settings, clock, data, "statement.xml")

    assert (again.report.stored, again.report.duplicates) == (0, 7)
    assert await counts(database) == before
    assert len(recorder.changes) == heard  # nothing new for the ladder either


async def test_a_camt054_notification_is_taken_in_and_matched_by_mandate(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    tenants = await sample_tenants(make_tenant)
    intake = await import_payment_file(database, settings, clock, sample("camt054-return.xml"), "ntfctn.xml")
    assert intake.format.startswith("camt.054")
    january = await status(database, tenants["HC-100129"], "2027-01")
    assert (january.status, january.reason_code) == (PaymentStatus.RETURNED, "MS03")


async def test_a_malformed_camt_file_is_rejected_naming_the_line_and_nothing_is_stored(
    database: Database, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    await sample_tenants(make_tenant)
    broken = sample("camt053-returns.xml").replace(b"</TxDtls>", b"</TxDtl>", 1)
    with pytest.raises(Exception) as caught:
        await import_payment_file(database, settings, clock, broken, "broken.xml")
    message = str(caught.value)
    assert "broken.xml, line" in message and "TxDtl" in message
    assert await counts(database) == (0, 0, 0)


async def test_a_return_without_its_reason_code_rejects_the_whole_file_naming_the_element(
    database: Database, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    await sample_tenants(make_tenant)
    data = sample("camt053-returns.xml").replace(b"<Rsn><Cd>MD06</Cd></Rsn>", b"")
    with pytest.raises(Exception) as caught:
        await import_payment_file(database, settings, clock, data, "statement.xml")
    assert "RtrInf/Rsn/Cd" in str(caught.value) and "line 91" in str(caught.value)
    assert await counts(database) == (0, 0, 0)  # not even the valid entries before it


async def test_a_payment_naming_no_known_tenant_is_kept_for_an_officer(
    database: Database, settings: Any, clock: Any, make_tenant: Any, recorder: ChangeRecorder,
) -> None:
    await make_tenant(external_id="HC-100101", monthly_rent_cents=65636)  # the others are unknown here
    report = (await import_payment_file(database, settings, clock, sample("camt053-returns.xml"), "s.xml")).report
    assert (report.stored, report.unmatched) == (7, 5)
    async with database.begin() as connection:
        open_tasks = (await connection.execute(select(tasks.c.kind, tasks.c.tenant_id))).fetchall()
        unmatched = (await connection.execute(
            select(payment_transactions).where(payment_transactions.c.tenant_id.is_(None)))).fetchall()
    assert len(unmatched) == 5 and {(t.kind, t.tenant_id) for t in open_tasks} == {("verify_payment", None)}
    assert len(open_tasks) == 5
    again = (await import_payment_file(database, settings, clock, sample("camt053-returns.xml"), "s.xml")).report
    assert again.stored == 0  # and no second task per transaction
