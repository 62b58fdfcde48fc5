"""Returns, re-collections and pain.008 apply only to tenants who pay by direct debit; the
mandate's own id and signature date go into the file; a mandate's shorter pre-notification
is honoured. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lxml import etree
from sqlalchemy import update

from herinnering.adapters.db.tables import messages, tenants
from herinnering.adapters.db.tenant_tables import recollections
from herinnering.services.payments.intake import import_payment_file
from herinnering.services.payments.returns import export_recollections
from tests.integration.tenant_centred_helpers import camt_returns, rows

RETURNED_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # Wednesday 2 December; the notice goes out at 10:00
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
IBAN = "NL73SNSB0485919859"


async def returned(runtime: Any, *batch: tuple[Any, str]) -> None:
    runtime.clock.set(RETURNED_AT)
    await import_payment_file(runtime.db, runtime.settings, runtime.clock, camt_returns(list(batch)), "returns.xml")


async def test_a_recollection_is_announced_fourteen_days_ahead_unless_the_mandate_agreed_fewer(
    runtime: Any, make_tenant: Any,
) -> None:
    standard = await make_tenant(iban=IBAN, mandate_id="MND-1", mandate_date=date(2020, 1, 6))
    agreed = await make_tenant(iban=IBAN, mandate_id="MND-2", mandate_date=date(2020, 1, 6), pre_notification_days=5)
    await returned(runtime, (standard, "AM04"), (agreed, "AM04"))
    planned = {r.tenant_id: r.collect_on for r in await rows(runtime.db, recollections)}
    # 2 Dec + 14 = Wed 16 Dec; with 5 agreed days the 10 days after the return decide: Sat 12 → Mon 14 Dec
    assert planned == {standard.id: date(2026, 12, 16), agreed.id: date(2026, 12, 14)}
    notices = {m.tenant_id: m for m in await rows(runtime.db, messages, messages.c.kind == "return_recollect")}
    assert notices[standard.id].context["recollect_on"] == "16-12-2026"
    assert notices[agreed.id].context["recollect_on"] == "14-12-2026"


async def test_a_return_for_a_tenant_who_pays_by_transfer_never_leads_to_a_recollection(
    runtime: Any, make_tenant: Any,
) -> None:
    tenant = await make_tenant(iban=IBAN, payment_method="overboeking")
    await returned(runtime, (tenant, "AM04"))
    assert await rows(runtime.db, recollections) == []
    assert await rows(runtime.db, messages, messages.c.kind == "return_recollect") == []


async def test_the_pain008_carries_the_mandate_and_leaves_out_who_cannot_be_debited(
    runtime: Any, make_tenant: Any,
) -> None:
    good = await make_tenant(iban=IBAN, mandate_id="DL/2019-0042", mandate_date=date(2019, 2, 14))
    no_mandate = await make_tenant(iban=IBAN)
    switched = await make_tenant(iban=IBAN, mandate_id="DL/2019-0043", mandate_date=date(2019, 3, 1))
    await returned(runtime, (good, "AM04"), (no_mandate, "AM04"), (switched, "AM04"))
    async with runtime.db.begin() as connection:  # after the return, the tenant moved to paying by transfer
        await connection.execute(update(tenants).where(tenants.c.id == switched.id)
                                 .values(payment_method="overboeking"))
    export = await export_recollections(runtime.db, runtime.settings, runtime.clock, date(2026, 12, 16))
    assert export.included == [f"{good.external_id}-2026-12-R1"]
    assert sorted(export.left_out) == sorted([
        f"{no_mandate.external_id}-2026-12-R1: no SEPA mandate on record (import machtigingskenmerk and datum machtiging)",
        f"{switched.external_id}-2026-12-R1: the tenant pays by overboeking, not by direct debit",
    ])
    root = etree.fromstring(export.xml)
    assert root.findtext(".//p:MndtRltdInf/p:MndtId", namespaces=NS) == "DL/2019-0042"
    assert root.findtext(".//p:MndtRltdInf/p:DtOfSgntr", namespaces=NS) == "2019-02-14"
