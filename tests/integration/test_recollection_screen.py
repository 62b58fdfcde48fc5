"""The re-collection file on screen (/herincasso) over real HTTP on both databases: what would go
in and what is left out (with the reason) before anything is written, two team leads making the
file at once get one file with each re-collection once, the download is exactly the file made,
marking it handed to the bank happens once, and every step is in the audit log. Officers who are
not team leads cannot reach it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from herinnering.adapters.db.conversation_tables import audit_log
from herinnering.adapters.db.tables import tenants
from herinnering.adapters.db.tenant_tables import recollection_batches, recollections
from herinnering.services.payments.intake import import_payment_file
from tests.integration.officer_browser import officer
from tests.integration.tenant_centred_helpers import camt_returns, rows

RETURNED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
RECOLLECT_ON = date(2026, 12, 16)  # 14 days' pre-notification after the notice of 2 December
MANDATE = {"mandate_id": "DL-MND-2019-0042", "mandate_date": date(2019, 2, 14)}
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


async def _returned(runtime: Any, make_tenant: Any) -> tuple[Any, Any, Any]:
    ready = await make_tenant(iban="NL73SNSB0485919859", monthly_rent_cents=65636, name="Jan Klaar", **MANDATE)
    no_iban = await make_tenant(iban=None, monthly_rent_cents=70000, name="Ina Zonder", **MANDATE)
    by_transfer = await make_tenant(iban="NL91ABNA0417164300", monthly_rent_cents=71000, name="Otto Over",
                                    **MANDATE)
    runtime.clock.set(RETURNED_AT)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock, camt_returns(
        [(ready, "AM04"), (no_iban, "AM04"), (by_transfer, "MS03")]), "returns.xml")
    async with runtime.db.begin() as connection:  # the ERP says Otto pays by transfer now
        await connection.execute(tenants.update().where(tenants.c.id == by_transfer.id).values(
            payment_method="overboeking"))
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    return ready, no_iban, by_transfer


async def test_two_team_leads_make_one_file_download_it_as_made_and_hand_it_over_once(
    runtime: Any, make_tenant: Any, browser: Any,
) -> None:
    ready, no_iban, by_transfer = await _returned(runtime, make_tenant)
    lisa = await officer(runtime, browser, "lisa@delinde.nl", role="teamlead")
    tom = await officer(runtime, browser, "tom@delinde.nl", role="teamlead")
    anna = await officer(runtime, browser, "anna@delinde.nl")
    assert (await anna.get("/herincasso"))[0] == 403  # team leads only

    status, html = await lisa.get("/herincasso")
    assert status == 200 and "16-12-2026" in html and "Te laat" not in html
    assert "15-12-2026" in html  # the bank must have it the settlement day before
    assert "Jan Klaar" in html and "geen IBAN bekend" in html and "betaalt per overboeking" in html
    assert [r.state for r in await rows(runtime.db, recollections)] == ["scheduled"] * 3  # nothing written yet
    await tom.get("/herincasso")

    made = await asyncio.gather(lisa.post("/herincasso/bestand", collect_on="2026-12-16"),
                                tom.post("/herincasso/bestand", collect_on="2026-12-16"))
    [batch] = await rows(runtime.db, recollection_batches)
    assert batch.payment_count == 1 and batch.total_cents == 65636 and batch.state == "made"
    assert sorted(where.split("notice=")[1].split("&")[0] for _, where in made) == ["made", "nothing"]
    states = {r.tenant_id: r.state for r in await rows(runtime.db, recollections)}
    assert states == {ready.id: "exported", no_iban.id: "cancelled", by_transfer.id: "cancelled"}

    async with lisa.session.get(f"{lisa.base}/herincasso/bestanden/{batch.id}.xml") as response:
        assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
        body = await response.read()
    assert body == batch.xml
    root = etree.fromstring(body)
    assert root.findtext(".//p:ReqdColltnDt", namespaces=NS) == "2026-12-16"
    assert [e.text for e in root.iterfind(".//p:EndToEndId", namespaces=NS)] == [f"{ready.external_id}-2026-12-R1"]

    handed = await asyncio.gather(lisa.post(f"/herincasso/bestanden/{batch.id}/bank"),
                                  tom.post(f"/herincasso/bestanden/{batch.id}/bank"))
    assert sorted(where.split("notice=")[1].split("&")[0] for _, where in handed) == ["handed", "refused"]
    [batch] = await rows(runtime.db, recollection_batches)
    assert batch.state == "handed" and batch.handed_by in ("lisa@delinde.nl", "tom@delinde.nl")
    _, html = await lisa.get("/herincasso")
    assert "aan de bank gegeven door" in html and "Er staan geen herincasso" in html

    actions = [(a.user_email, a.action) for a in await rows(runtime.db, audit_log, audit_log.c.action.like(
        "recollection_%"))]
    assert sorted(action for _, action in actions) == ["recollection_file_downloaded", "recollection_file_handed",
                                                       "recollection_file_made", "recollection_file_made"]


async def test_a_collection_date_the_bank_can_no_longer_make_offers_no_file(
    runtime: Any, make_tenant: Any, browser: Any,
) -> None:
    await _returned(runtime, make_tenant)
    runtime.clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=UTC))
    lisa = await officer(runtime, browser, "lisa@delinde.nl", role="teamlead")
    _, html = await lisa.get("/herincasso")
    assert "Te laat voor de bank" in html and 'action="/herincasso/bestand"' not in html


async def test_the_payment_page_says_the_month_will_be_debited_again_and_when(
    runtime: Any, make_tenant: Any, browser: Any,
) -> None:
    from herinnering.services.payments.links import create_payment_link

    ready, _, _ = await _returned(runtime, make_tenant)
    async with runtime.db.begin() as connection:
        link = await create_payment_link(connection, runtime.settings, tenant_id=ready.id, period="2026-12",
                                         amount_cents=65636, now=runtime.clock.now())
    async with browser().session.get(link.url) as response:
        page = await response.text()
    assert "opnieuw af van uw rekening" in page and "woensdag 16 december" in page  # paying too would pay twice
