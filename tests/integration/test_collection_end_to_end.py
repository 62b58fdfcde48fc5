"""The whole loop through the real parts: a CAMT.053 statement with an AM04 return is
imported, the ladder sends a payment link through the fake Twilio server, the tenant pays the
sandbox link over HTTP, and every planned ladder message is cancelled. Importing the same
statement again sends nothing new."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp

from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.intake import import_payment_file
from tests.integration.collection_helpers import cases, ladder_messages, run_day
from tests.integration.payment_helpers import sample, sample_tenants

IMPORTED_AT = datetime(2026, 12, 29, 7, 0, tzinfo=UTC)  # the statement with the returns of 28 December


async def test_a_camt_return_to_a_link_message_to_a_sandbox_payment_that_stops_the_ladder(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenants = await sample_tenants(make_tenant)
    anna = tenants["HC-100101"]  # AM04, insufficient funds
    runtime.clock.set(IMPORTED_AT)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock, sample("camt053-returns.xml"), "dec.xml")
    opened = {c.tenant_id: c for c in await cases(runtime)}
    assert opened[anna.id].reason_code == "AM04" and opened[anna.id].state == "open"
    missed_on = opened[anna.id].missed_on

    day_1 = missed_on + timedelta(days=1)
    await run_day(runtime, day_1)
    link_message = next(m for m in await ladder_messages(runtime) if m.tenant_id == anna.id)
    # AM04 (issue 10): the reason's own first message carries the link and announces the re-collection
    assert link_message.kind == "return_recollect" and link_message.state in {"sent", "delivered"}
    url = link_message.context["link_url"]
    [to_anna] = [m for m in fake_twilio.messages if m["to"] == anna.phone]
    assert url in to_anna["body"] and "€ 656,36" in to_anna["body"]

    # day 5: the second message is planned at 07:00 for the window; Anna pays before it goes out
    day_5 = missed_on + timedelta(days=5)
    runtime.clock.set(datetime(day_5.year, day_5.month, day_5.day, 6, 0, tzinfo=UTC))
    await ladder_tick(runtime)
    [planned] = [m for m in await ladder_messages(runtime) if m.tenant_id == anna.id and m.state == "planned"]
    async with aiohttp.ClientSession() as session, session.post(
        url, data={"action": "pay", "bank": "Rabobank"}, allow_redirects=False
    ) as response:
        assert response.status == 303
    anna_messages = {m.id: m for m in await ladder_messages(runtime) if m.tenant_id == anna.id}
    assert anna_messages[planned.id].state == "cancelled"
    assert {c.tenant_id: c.state for c in await cases(runtime)}[anna.id] == "closed"

    await import_payment_file(runtime.db, runtime.settings, runtime.clock, sample("camt053-returns.xml"), "dec.xml")
    for day in (day_5, day_5 + timedelta(days=1)):
        await run_day(runtime, day)
    later = [m for m in await ladder_messages(runtime) if m.tenant_id == anna.id]
    assert len(later) == len(anna_messages)  # nothing new for Anna, however often the file comes in
    assert len(await cases(runtime)) == len(opened)
    assert date(2026, 12, 28) <= missed_on <= date(2026, 12, 29)
