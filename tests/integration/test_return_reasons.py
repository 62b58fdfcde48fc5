"""Reason-aware next steps after a returned debit: a held batch of returns with AM04, MD06, AC04
and MD07 leads to four different steps; the re-collection is a valid pain.008 and never more
often than the cap; an MD07 tenant gets nothing ever again. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sepaxml
import xmlschema
from lxml import etree

from herinnering.adapters.db.collection_tables import ladder_steps
from herinnering.adapters.db.tables import events, messages, tasks, tenants
from herinnering.adapters.db.tenant_tables import recollections
from herinnering.domain.payments.return_reasons import ReturnPolicy
from herinnering.domain.reminders.planning import Period
from herinnering.services.payments.collection import ladder_tick
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.payments.returns import export_recollections
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from tests.integration.conversations import tenant_writes
from tests.integration.tenant_centred_helpers import camt_returns, rows

RETURNED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # Wednesday 2 December
# The notice goes out that day at 10:00; the SEPA pre-notification of 14 days puts the
# re-collection on Wednesday 16 December (later than the 10 days after the return).
RECOLLECT_ON = date(2026, 12, 16)
MANDATE = {"mandate_id": "DL-MND-2019-0042", "mandate_date": date(2019, 2, 14)}
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}


async def four_tenants(make_tenant: Any) -> dict[str, Any]:
    return {code: await make_tenant(iban="NL73SNSB0485919859", monthly_rent_cents=65636 + n, **MANDATE)
            for n, code in enumerate(("AM04", "MD06", "AC04", "MD07"))}


async def import_returns(runtime: Any, batch: list[tuple[Any, str]], **options: Any) -> None:
    await import_payment_file(runtime.db, runtime.settings, runtime.clock, camt_returns(batch, **options), "returns.xml")


async def test_a_batch_of_four_reasons_leads_to_four_different_next_steps(runtime: Any, make_tenant: Any) -> None:
    who = await four_tenants(make_tenant)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2027, 1))
    runtime.clock.set(RETURNED_AT)
    await import_returns(runtime, [(t, code) for code, t in who.items()])

    own = {m.tenant_id: m for m in await rows(runtime.db, messages, messages.c.kind.like("return_%"))}
    open_tasks = {t.tenant_id: t for t in await rows(runtime.db, tasks, tasks.c.source == "returns")}
    planned_again = await rows(runtime.db, recollections)
    # AM04: one re-collection on a later TARGET2 day, announced; no payment link (paying too would pay twice)
    am04 = who["AM04"].id
    assert own[am04].kind == "return_recollect" and not own[am04].context["link_url"]
    assert own[am04].context["recollect_on"] == "16-12-2026"
    assert [(r.tenant_id, r.collect_on, r.attempt, r.state) for r in planned_again] == [
        (am04, RECOLLECT_ON, 1, "scheduled")]
    assert am04 not in open_tasks
    # MD06: no re-debit; a kind message and a task to talk about the objection
    md06 = who["MD06"].id
    assert own[md06].kind == "return_objection" and not own[md06].context["link_url"]
    assert open_tasks[md06].kind == "return_objection" and "bezwaar" in open_tasks[md06].title
    # AC04: no re-debit and no own message (the ladder's link follows); a task for a new IBAN or mandate
    ac04 = who["AC04"].id
    assert ac04 not in own and open_tasks[ac04].kind == "new_mandate"
    # MD07: everything stops; an officer takes over
    md07 = who["MD07"].id
    assert md07 not in own and open_tasks[md07].kind == "debtor_deceased"
    [deceased] = await rows(runtime.db, tenants, tenants.c.id == md07)
    assert deceased.active is False
    [pre_debit] = await rows(runtime.db, messages, messages.c.tenant_id == md07)
    assert pre_debit.state == "cancelled"
    # the timeline says, per tenant, the reason in plain Dutch and why this step was chosen
    steps = {e.tenant_id: e.data for e in await rows(runtime.db, events, events.c.type == "return_next_step")}
    assert steps[am04]["action"] == "recollect" and "onvoldoende saldo" in steps[am04]["reason"]
    assert steps[md06]["action"] == "objection" and "Niet opnieuw incasseren" in steps[md06]["why"]
    assert steps[ac04]["action"] == "new_mandate" and "rekening opgeheven" in steps[ac04]["reason"]
    assert steps[md07]["action"] == "deceased"
    # the reason's own message took the ladder's first rung: no second link on day 1
    claimed = await rows(runtime.db, ladder_steps)
    assert sorted(s.message_id for s in claimed) == sorted([own[am04].id, own[md06].id])


async def test_a_deceased_tenant_gets_nothing_ever_again(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    who = await four_tenants(make_tenant)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2027, 1))
    runtime.clock.set(RETURNED_AT)
    await import_returns(runtime, [(t, code) for code, t in who.items()])
    await tenant_writes(runtime, fake_twilio, who["MD07"].phone, "Hallo, wie is dit?")  # a relative answers
    day = RETURNED_AT + timedelta(hours=4)  # noon: inside the send window
    for _ in range(35):  # five weeks of the ladder, the dispatcher and next month's reminders
        runtime.clock.set(day)
        await ladder_tick(runtime)
        await Dispatcher(runtime, "w").run_until_idle()
        day += timedelta(days=1)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2027, 2))
    await Dispatcher(runtime, "w").run_until_idle()
    sent_to = {m["to"] for m in fake_twilio.messages}
    assert who["MD07"].phone not in sent_to
    assert {who["AM04"].phone, who["MD06"].phone, who["AC04"].phone} <= sent_to


async def test_the_recollection_is_a_valid_pain008_and_its_own_return_closes_the_loop(
    runtime: Any, make_tenant: Any, tmp_path: Path,
) -> None:
    tenant = await make_tenant(iban="NL73 SNSB 0485 9198 59", monthly_rent_cents=65636, name="Jan de Vriës",
                               **MANDATE)
    runtime.clock.set(RETURNED_AT)
    await import_returns(runtime, [(tenant, "AM04")])
    runtime.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=UTC))
    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)
    assert export.included == [f"{tenant.external_id}-2026-12-R1"] and export.total_cents == 65636
    schema = xmlschema.XMLSchema(str(Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.02.xsd"))
    schema.validate(export.xml)  # raises on any schema error
    root = etree.fromstring(export.xml)
    assert root.findtext(".//p:ReqdColltnDt", namespaces=NS) == "2026-12-16"
    assert root.findtext(".//p:SeqTp", namespaces=NS) == "RCUR"
    assert root.findtext(".//p:DrctDbtTxInf/p:InstdAmt", namespaces=NS) == "656.36"
    assert root.findtext(".//p:MndtId", namespaces=NS) == "DL-MND-2019-0042"  # the mandate as signed
    assert root.findtext(".//p:DtOfSgntr", namespaces=NS) == "2019-02-14"
    assert root.findtext(".//p:DbtrAcct//p:IBAN", namespaces=NS) == "NL73SNSB0485919859"
    # exporting the same day again writes nothing: each re-collection goes to the bank once
    assert (await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)).included == []

    # the bank returns the re-collection too (through the payments API): no third try
    runtime.settings = replace(runtime.settings, payments=replace(runtime.settings.payments, api_token="t0ken"))
    runtime.clock.set(datetime(2026, 12, 18, 8, 0, tzinfo=UTC))
    body = {"id": "bank-R1", "contract_id": tenant.external_id, "period": "2026-12", "type": "return",
            "amount_cents": 65636, "reason_code": "AM04"}
    async with aiohttp.ClientSession() as session, session.post(
        runtime.settings.server.public_url + "/api/payments", json=body, headers={"Authorization": "Bearer t0ken"},
    ) as response:
        assert response.status == 201, await response.text()
    assert [(r.attempt, r.state) for r in await rows(runtime.db, recollections)] == [(1, "returned")]
    [task] = await rows(runtime.db, tasks, tasks.c.source == "returns")
    assert task.kind == "call_tenant" and "ook de nieuwe incasso" in task.title


async def test_never_more_recollections_than_the_cap(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(iban="NL73SNSB0485919859", **MANDATE)
    runtime.settings = replace(runtime.settings, returns=replace(runtime.settings.returns,
                                                                 policy=ReturnPolicy(max_recollections=2)))
    day = RETURNED_AT
    for attempt in range(4):  # the first return and three returns of re-collections
        runtime.clock.set(day)
        await import_returns(runtime, [(tenant, "MS03")], ref=f"RT{attempt}", booked=f"{day:%Y-%m-%d}",
                             suffix=f"-R{attempt}" if attempt else "")
        for row in await rows(runtime.db, recollections, recollections.c.state == "scheduled"):
            await export_recollections(runtime.db, runtime.settings, runtime.clock, row.collect_on)
        day += timedelta(days=14)
    made = await rows(runtime.db, recollections)
    assert [(r.attempt, r.state) for r in made] == [(1, "returned"), (2, "returned")]
    notices = await rows(runtime.db, messages, messages.c.kind == "return_recollect")
    assert sorted(r.notice_message_id for r in made) == [m.id for m in notices]  # each one announced first


async def test_a_month_paid_before_the_recollection_date_is_left_out_of_the_file(
    runtime: Any, make_tenant: Any,
) -> None:
    paid, unpaid = await make_tenant(iban="NL73SNSB0485919859", **MANDATE), await make_tenant(iban=None, **MANDATE)
    runtime.clock.set(RETURNED_AT)
    await import_returns(runtime, [(paid, "AM04"), (unpaid, "AM04")])
    runtime.settings = replace(runtime.settings, payments=replace(runtime.settings.payments, api_token="t0ken"))
    body = {"id": "ideal-1", "contract_id": paid.external_id, "period": "2026-12", "type": "payment",
            "amount_cents": paid.monthly_rent_cents}
    async with aiohttp.ClientSession() as session, session.post(
        runtime.settings.server.public_url + "/api/payments", json=body, headers={"Authorization": "Bearer t0ken"},
    ) as response:
        assert response.status == 201
    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, RECOLLECT_ON)
    assert export.included == [] and export.xml == b""
    assert sorted(line.split(": ")[1] for line in export.left_out) == ["month paid in the meantime", "no IBAN known"]


@pytest.mark.parametrize("code", ["AC06", "MD01", "SL01"])
async def test_no_mandate_codes_ask_for_a_new_iban_or_mandate_and_never_recollect(
    runtime: Any, make_tenant: Any, code: str,
) -> None:
    tenant = await make_tenant(iban="NL73SNSB0485919859")
    runtime.clock.set(RETURNED_AT)
    await import_returns(runtime, [(tenant, code)])
    assert await rows(runtime.db, recollections) == []
    [task] = await rows(runtime.db, tasks, tasks.c.source == "returns")
    assert task.kind == "new_mandate"
