"""A phone shared by two tenants (two contracts, one household): STOP from it opts every one of
them out, and the import says which lines share a phone (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from herinnering.domain.reminders.planning import Period
from herinnering.services.reminders.planning import plan_month
from herinnering.services.tenants.importing import import_tenants
from tests.integration.conversations import outbox, tenant, tenant_writes
from tests.integration.helpers import event_types

HEADER = b"contract_id,name,phone,channel,language,monthly_rent,collection_day,iban\n"


async def test_stop_from_a_shared_phone_opts_out_every_tenant_with_it(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    first = await make_tenant(phone="+31611112222")
    second = await make_tenant(phone="+31611112222")
    other = await make_tenant()
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    await tenant_writes(runtime, fake_twilio, "+31611112222", "STOP")
    assert (await tenant(runtime.db, first.id)).opted_out and (await tenant(runtime.db, second.id)).opted_out
    assert not (await tenant(runtime.db, other.id)).opted_out
    states = {m.tenant_id: m.state for m in await outbox(runtime.db, "pre_debit")}
    assert states == {first.id: "cancelled", second.id: "cancelled", other.id: "planned"}
    assert "tenant_opted_out" in await event_types(runtime.db, second.id)
    assert len(await outbox(runtime.db, "stop_confirmation")) == 1  # one person wrote: one confirmation

    await tenant_writes(runtime, fake_twilio, "+31611112222", "START")
    assert not (await tenant(runtime.db, first.id)).opted_out and not (await tenant(runtime.db, second.id)).opted_out


async def test_the_import_names_the_lines_and_contracts_that_share_a_phone(
    database: Any, settings: Any, clock: Any, make_tenant: Any,
) -> None:
    await make_tenant(external_id="HC-STORED", phone="+31633334444")
    data = HEADER + (b'HC-1,Anna de Vries,0611112222,sms,nl,"700,00",5,\n'
                     b'HC-2,Bram de Vries,06-11112222,sms,nl,"650,00",5,\n'
                     b'HC-3,Chantal Smit,0655556666,sms,nl,"600,00",5,\n'
                     b'HC-4,Dilan Kaya,0633334444,sms,nl,"600,00",5,\n')
    for dry_run in (True, False):
        report = await import_tenants(database, data, settings.reminders, clock, dry_run=dry_run)
        shared = [w for w in report.warnings if "shared" in w]
        assert shared == [
            "phone +316…222 is shared by contracts HC-1 (line 2), HC-2 (line 3): a STOP from it opts all of them out",
            "phone +316…444 is shared by contracts HC-4 (line 5), HC-STORED (already stored): "
            "a STOP from it opts all of them out",
        ]


async def test_a_line_with_several_bad_fields_counts_as_one_row(database: Any, settings: Any, clock: Any) -> None:
    data = HEADER + (b'HC-1,Anna de Vries,0611112222,sms,nl,"700,00",5,\n'
                     b'HC-2,Bram Bakker,123,sms,xx,abc,99,\n')  # four errors on one line
    report = await import_tenants(database, data, settings.reminders, clock)
    assert (report.rows, report.valid, report.error_lines, len(report.errors)) == (2, 1, 1, 4)
    assert (report.inserted, report.unchanged) == (1, 0)


async def test_a_21610_unsubscribe_from_the_provider_opts_out_every_tenant_with_that_number(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    from herinnering.services.reminders.dispatch import Dispatcher
    from tests.integration.test_dispatch import SEND_MOMENT

    first = await make_tenant(phone="+31611113333")
    second = await make_tenant(phone="+31611113333", collection_day=5)
    fake_twilio.set_number("+31611113333", create_error=21610)
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, Period(2026, 12))
    runtime.clock.set(SEND_MOMENT)
    await Dispatcher(runtime, "w").run_until_idle()
    assert (await tenant(runtime.db, first.id)).opted_out and (await tenant(runtime.db, second.id)).opted_out
