"""The whole loop through the real parts: a CAMT.053 statement with an AM04 return is
imported, the tenant whose month is debited again hears so without a payment link, the ladder
sends a payment link through the fake Twilio server to the one whose account is closed, that
tenant pays the sandbox link over HTTP, and every planned ladder message is cancelled.
Importing the same statement again sends nothing new."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp

from herinnering.adapters.db.tables import tenants as tenants_table
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.intake import import_payment_file
from tests.integration.collection_helpers import cases, ladder_messages, run_day
from tests.integration.payment_helpers import sample, sample_tenants

IMPORTED_AT = datetime(2026, 12, 29, 7, 0, tzinfo=UTC)  # the statement with the returns of 28 December


async def test_a_camt_return_to_a_link_message_to_a_sandbox_payment_that_stops_the_ladder(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenants = await sample_tenants(make_tenant)
    anna = tenants["HC-100101"]  # AM04, insufficient funds: the month is debited again
    bart = tenants["HC-100115"]  # AC04, account closed: no re-debit, the ladder's link
    async with runtime.db.begin() as connection:  # Anna's mandate is on record, so the bank can debit her again
        await connection.execute(tenants_table.update().where(tenants_table.c.id == anna.id).values(
            iban="NL73SNSB0485919859", mandate_id="DL-MND-2019-0042", mandate_signed_on=date(2019, 2, 14)))
    runtime.clock.set(IMPORTED_AT)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock, sample("camt053-returns.xml"), "dec.xml")
    opened = {c.tenant_id: c for c in await cases(runtime)}
    assert opened[anna.id].reason_code == "AM04" and opened[anna.id].state == "open"
    assert opened[bart.id].reason_code == "AC04" and opened[bart.id].missed_on == opened[anna.id].missed_on
    missed_on = opened[anna.id].missed_on

    day_1 = missed_on + timedelta(days=1)
    await run_day(runtime, day_1)
    # AM04 (issue 10): the reason's own first message announces the re-collection and carries no link
    notice = next(m for m in await ladder_messages(runtime) if m.tenant_id == anna.id)
    assert notice.kind == "return_recollect" and notice.state in {"sent", "delivered"}
    assert not notice.context["link_url"] and notice.context["recollect_on"]
    [to_anna] = [m for m in fake_twilio.messages if m["to"] == anna.phone]
    assert "/pay/" not in to_anna["body"] and notice.context["recollect_on"] in to_anna["body"]
    link_message = next(m for m in await ladder_messages(runtime) if m.tenant_id == bart.id)
    assert link_message.kind == "payment_link" and link_message.state in {"sent", "delivered"}
    url = link_message.context["link_url"]
    [to_bart] = [m for m in fake_twilio.messages if m["to"] == bart.phone]
    assert url in to_bart["body"] and "€ 556,95" in to_bart["body"]

    # day 5: the second message is planned at 07:00 for the window; Bart pays before it goes out.
    # Anna's second message has no link either: her month is still to be debited again.
    day_5 = missed_on + timedelta(days=5)
    runtime.clock.set(datetime(day_5.year, day_5.month, day_5.day, 6, 0, tzinfo=UTC))
    await ladder_tick(runtime)
    [planned] = [m for m in await ladder_messages(runtime) if m.tenant_id == bart.id and m.state == "planned"]
    [anna_second] = [m for m in await ladder_messages(runtime) if m.tenant_id == anna.id and m.state == "planned"]
    assert anna_second.kind == "ladder_reminder" and not anna_second.context["link_url"]
    async with aiohttp.ClientSession() as session, session.post(
        url, data={"action": "pay", "bank": "Rabobank"}, allow_redirects=False
    ) as response:
        assert response.status == 303
    bart_messages = {m.id: m for m in await ladder_messages(runtime) if m.tenant_id == bart.id}
    assert bart_messages[planned.id].state == "cancelled"
    assert {c.tenant_id: c.state for c in await cases(runtime)}[bart.id] == "closed"

    await import_payment_file(runtime.db, runtime.settings, runtime.clock, sample("camt053-returns.xml"), "dec.xml")
    for day in (day_5, day_5 + timedelta(days=1)):
        await run_day(runtime, day)
    later = [m for m in await ladder_messages(runtime) if m.tenant_id == bart.id]
    assert len(later) == len(bart_messages)  # nothing new for Bart, however often the file comes in
    assert len(await cases(runtime)) == len(opened)
    assert date(2026, 12, 28) <= missed_on <= date(2026, 12, 29)
