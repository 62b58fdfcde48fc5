"""The administration outlives the messages (issue 21, item 5), on SQLite and PostgreSQL: a lease
that ended three years ago has lost its messages, but what was due, paid and arranged is kept
for the fiscal duty (7 years), and purge says so; after that term the tenant goes entirely."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from herinnering.services.payments.arrangements import add_arrangement
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.privacy import privacy
from tests.integration.test_privacy import count_rows_of

ENDED = date(2027, 1, 31)
ERP = ("contract_id;period;amount_due;amount_paid;status;booked_on\n"
       "{c};2026-11;745,50;745,50;paid;2026-11-02\n"
       "{c};2026-12;745,50;0,00;returned;2026-12-04\n")


async def test_payment_records_of_a_lease_that_ended_three_years_ago_are_kept(
        runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(monthly_rent_cents=74550)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock,
                              ERP.format(c=tenant.external_id).encode(), "erp.csv")
    async with runtime.db.begin() as connection:  # an arrangement whose instalments have reminder messages
        await add_arrangement(connection, runtime, tenant.id, by="officer@delinde", count=2,
                              first=date(2027, 1, 5), every="month")
    await privacy.end_contract(runtime, tenant.external_id, ENDED)
    before = await count_rows_of(runtime, tenant.id)
    assert {"payment_periods", "payment_transactions", "arrangements", "events"} <= set(before)

    runtime.clock.set(datetime(2030, 2, 1, 9, tzinfo=UTC))  # three years after the end
    report = await privacy.purge(runtime)
    assert report.tenants == 0 and report.kept["administration"] == 1  # (and the case, for proof)
    after = await count_rows_of(runtime, tenant.id)
    assert {"payment_periods", "payment_transactions", "arrangements"} <= set(after)
    assert after["payment_periods"] == before["payment_periods"]
    assert after["payment_transactions"] == before["payment_transactions"]
    assert "events" not in after and "messages" not in after  # the messages had their own, shorter term

    runtime.clock.set(datetime(2034, 3, 1, 9, tzinfo=UTC))  # past the 7 years
    final = await privacy.purge(runtime)
    assert final.tenants == 1 and await count_rows_of(runtime, tenant.id) == {}
