"""A month the bank debits again (a re-collection after a returned debit) is never offered for
payment as well, over real HTTP on SQLite and PostgreSQL: "mijn huur" says, in the tenant's
language, that the month is debited again and on which day once it is in a pain.008 file
(and its pay button pays nothing of it); before the file it warns like the payment page, and a
month paid then stays out of the file. The returned-debit message and the ladder's later
steps carry no payment link for it while the re-collection is to come."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import aiohttp
import pytest

from herinnering.adapters.db.link_tables import payment_links
from herinnering.adapters.db.tables import events, messages
from herinnering.adapters.db.tenant_tables import recollections
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.payments.recollection_screen import record_handed
from herinnering.services.payments.returns import export_recollections
from herinnering.services.tenants.tenant_page import issue_token, page_url
from tests.integration.tenant_centred_helpers import camt_returns, rows

RETURNED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # Wednesday 2 December
RECOLLECT_ON = date(2026, 12, 16)  # 14 days' pre-notification after the notice of 2 December
MANDATE = {"iban": "NL73SNSB0485919859", "mandate_id": "DL-MND-2019-0042", "mandate_date": date(2019, 2, 14)}

# (language, the in-file text as the page shows it, the pay page's warning as the page shows it)
SAYS = [
    ("nl", "Wij schrijven de huur van december 2026 op woensdag 16 december opnieuw af van uw rekening. "
           "Die maand hoeft u nu dus niet zelf te betalen.",
     "Let op: wij schrijven de huur van december 2026 op woensdag 16 december opnieuw af"),
    ("en", "We will collect the rent for December 2026 from your account again on Wednesday 16 December. "
           "So you do not need to pay for that month yourself now.",
     "Please note: we will collect the rent for December 2026 from your account again"),
    ("tr", "ayının kirasını", "Lütfen dikkat:"),
    ("ar", "لذلك لا داعي لأن تدفعوا هذا الشهر بأنفسكم الآن", "يرجى الانتباه:"),
    ("pl", "Dlatego nie muszą Państwo teraz sami płacić za ten miesiąc.", "Uwaga: czynsz za"),
]


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url, allow_redirects=False) as response:
        return response.status, await response.text(), response.headers.get("Location", "")


async def returned(runtime: Any, *tenants: Any) -> None:
    runtime.clock.set(RETURNED_AT)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock,
                              camt_returns([(t, "AM04") for t in tenants]), "returns.xml")


async def page_of(runtime: Any, tenant: Any) -> str:
    async with runtime.db.begin() as connection:
        return page_url(runtime.settings, await issue_token(connection, runtime.settings, tenant.id,
                                                            runtime.clock.now()))


@pytest.mark.parametrize(("language", "in_file", "planned"), SAYS, ids=[s[0] for s in SAYS])
async def test_a_month_in_a_recollection_file_is_not_offered_for_payment_on_mijn_huur(
    runtime: Any, make_tenant: Any, language: str, in_file: str, planned: str,
) -> None:
    tenant = await make_tenant(language=language, **MANDATE)
    await returned(runtime, tenant)
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    url = await page_of(runtime, tenant)
    status, html, _ = await get(url)
    assert status == 200 and planned in html and "/betalen" in html  # before the file: warned, still payable

    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)
    assert export.included == [f"{tenant.external_id}-2026-12-R1"]
    for handed in (False, True):  # made, then handed to the bank: the bank debits it either way
        if handed:
            await record_handed(runtime, export.batch_id, "lisa@delinde.nl")
        status, html, _ = await get(url)
        assert status == 200 and in_file in html and planned not in html
        notice = html.split('id="recollect-1">')[1].split("</p>")[0]
        assert runtime.settings.organisation.name in notice and runtime.settings.organisation.phone in notice
        assert "/betalen" not in html  # nothing else is open: no pay button at all
        status, _, location = await get(url + "/betalen")  # an old bookmark pays nothing of it either
        assert status == 303 and location.endswith(url.split(runtime.settings.server.public_url)[1])
    assert await rows(runtime.db, payment_links) == []


async def test_a_month_paid_on_mijn_huur_before_the_file_is_left_out_of_it(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(**MANDATE)
    await returned(runtime, tenant)
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    url = await page_of(runtime, tenant)
    _, html, _ = await get(url)
    assert "Staat er dan genoeg geld op uw rekening, dan hoeft u nu niet te betalen." in html
    status, _, location = await get(url + "/betalen")
    assert status == 303 and location.startswith("/pay/")
    pay = runtime.settings.server.public_url + location
    _, page, _ = await get(pay)
    assert "opnieuw af van uw rekening" in page  # the payment page warns the same
    async with aiohttp.ClientSession() as session, session.post(
        pay.split("?")[0], data={"action": "pay", "bank": "Rabobank"}, allow_redirects=False,
    ) as response:
        assert response.status == 303

    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)
    assert export.included == [] and export.left_out == [f"{tenant.external_id}-2026-12-R1: month paid in the meantime"]
    _, html, _ = await get(url)
    assert "recollect-1" not in html and "U heeft geen achterstand" in html


async def test_no_payment_link_for_a_month_the_bank_debits_again_until_the_recollection_is_off(
    runtime: Any, make_tenant: Any,
) -> None:
    debited = await make_tenant(**MANDATE)
    no_iban = await make_tenant(**{**MANDATE, "iban": None})
    no_mandate = await make_tenant(iban=MANDATE["iban"])  # its file will leave it out: nothing to wait for
    await returned(runtime, debited, no_iban, no_mandate)
    notices = await rows(runtime.db, messages, messages.c.kind == "return_recollect")
    assert [(m.tenant_id, m.context["link_url"]) for m in notices] == [
        (debited.id, ""), (no_iban.id, ""), (no_mandate.id, "")]

    async with runtime.db.begin() as connection:  # no mandate on record: its file comes later
        await connection.execute(recollections.update().where(recollections.c.tenant_id == no_mandate.id)
                                 .values(collect_on=date(2026, 12, 17)))
    runtime.clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))  # the file is made early: no IBAN, so left out
    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)
    assert export.left_out == [f"{no_iban.external_id}-2026-12-R1: no IBAN known"]
    assert {r.tenant_id: r.state for r in await rows(runtime.db, recollections)} == {
        debited.id: "exported", no_iban.id: "cancelled", no_mandate.id: "scheduled"}

    runtime.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # day 5: the ladder's second message, with a link
    report = await ladder_tick(runtime)
    assert sorted(step for _, step in report.done) == ["second_link"] * 3
    second = {m.tenant_id: m for m in await rows(runtime.db, messages, messages.c.kind == "ladder_reminder")}
    assert second[debited.id].context["link_url"] == ""  # the bank debits it on 16 December
    for payable in (no_iban, no_mandate):
        assert second[payable.id].context["link_url"].startswith(runtime.settings.server.public_url + "/pay/")
    assert [link.tenant_id for link in await rows(runtime.db, payment_links)] == [no_iban.id, no_mandate.id]


async def test_a_payment_link_opened_before_the_file_stops_paying_once_the_month_is_in_it(
    runtime: Any, make_tenant: Any,
) -> None:
    tenant = await make_tenant(**MANDATE)
    await returned(runtime, tenant)
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    _, _, location = await get(await page_of(runtime, tenant) + "/betalen")  # opened, and left for later
    pay = runtime.settings.server.public_url + location.split("?")[0]
    await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)

    status, page, _ = await get(pay)
    assert status == 410 and 'name="bank"' not in page
    assert "Deze betaallink werkt niet meer. Wij schrijven de huur van december 2026 op woensdag 16 december" in page
    async with aiohttp.ClientSession() as session, session.post(
        pay, data={"action": "pay", "bank": "Rabobank"}, allow_redirects=False,
    ) as response:
        assert response.status == 410
    [link] = await rows(runtime.db, payment_links)
    assert link.state == "cancelled" and link.paid_at is None
    [cancelled] = await rows(runtime.db, events, events.c.type == "payment_links_cancelled")
    assert cancelled.data["link_ids"] == [link.id] and cancelled.data["period"] == "2026-12"
