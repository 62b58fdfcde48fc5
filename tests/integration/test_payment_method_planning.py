"""How a tenant pays and when the lease ends steer what is planned and sent, through the real
planner, dispatcher and fake Twilio, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, update

from herinnering.adapters.db.tables import messages, tenants
from herinnering.domain.reminders.planning import Period, plan_reminder
from herinnering.services.privacy import privacy
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from herinnering.services.tenants.importing import import_tenants
from tests.conftest import database_examples
from tests.integration.helpers import all_messages, wait_for_states

DECEMBER, JANUARY = Period(2026, 12), Period(2027, 1)
DEBIT = date(2026, 12, 1)  # collection day 1: Tuesday 1 December 2026, a TARGET2 day
SEND_MOMENT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def plan(runtime: Any, period: Period = DECEMBER) -> Any:
    return await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, period)


async def test_a_transfer_payer_is_told_how_to_pay_and_a_direct_debit_tenant_when_we_collect(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    debit = await make_tenant(name="Jan de Vries", payment_method="incasso", iban="NL91ABNA0417164300")
    transfer = await make_tenant(name="Zoë Hüseyin", payment_method="overboeking")
    other = await make_tenant(name="Piet Smit", payment_method="other", language="en")
    await plan(runtime)
    planned = {m.tenant_id: m for m in await all_messages(runtime.db)}
    assert {t: (m.kind, m.template, m.idempotency_key) for t, m in planned.items()} == {
        debit.id: ("pre_debit", "messages/nl/pre_debit.sms.j2", f"pre_debit:{debit.id}:2026-12"),
        transfer.id: ("pre_due", "messages/nl/pre_due.sms.j2", f"pre_due:{transfer.id}:2026-12"),
        other.id: ("pre_due", "messages/en/pre_due.sms.j2", f"pre_due:{other.id}:2026-12"),
    }
    runtime.clock.set(SEND_MOMENT)
    assert (await Dispatcher(runtime, "w1").tick()).sent == 3
    bodies = {m.tenant_id: m.body for m in await wait_for_states(runtime.db, {"delivered"})}
    assert "op dinsdag 1 december schrijven wij de huur af" in bodies[debit.id]
    for tenant_id in (transfer.id, other.id):
        body = bodies[tenant_id]
        assert "schrijven" not in body and "collect" not in body, body
        assert "NL91 ABNA 0417 1643 00" in body and planned[tenant_id].tenant_id == tenant_id
    assert f"met kenmerk {transfer.external_id}" in bodies[transfer.id]
    assert "uiterlijk dinsdag 1 december" in bodies[transfer.id]
    assert f"reference {other.external_id}" in bodies[other.id]
    assert sorted(m["body"] for m in fake_twilio.messages) == sorted(bodies.values())


async def test_a_changed_payment_method_cancels_the_planned_reminder_and_the_right_one_is_planned(
    runtime: Any, make_tenant: Any,
) -> None:
    tenant = await make_tenant(payment_method="incasso")
    await plan(runtime)
    header = "contract_id;name;phone;monthly_rent;collection_day;betaalwijze\n"
    row = f"{tenant.external_id};{tenant.name};{tenant.phone};745,50;1;overboeking\n"
    report = await import_tenants(runtime.db, (header + row).encode(), runtime.settings.reminders, runtime.clock)
    assert (report.updated, report.errors) == (1, [])
    await plan(runtime)
    rows = await all_messages(runtime.db)
    assert [(m.kind, m.state, m.error_message) for m in rows] == [
        ("pre_debit", "cancelled", "the tenant now pays by overboeking"), ("pre_due", "planned", None)]


async def test_a_lease_that_ends_later_keeps_the_tenant_and_stops_only_the_reminders_after_it(
    runtime: Any, make_tenant: Any,
) -> None:
    tenant = await make_tenant()
    await plan(runtime, DECEMBER)
    await plan(runtime, JANUARY)
    await privacy.end_contract(runtime, tenant.external_id, date(2026, 12, 31))
    rows = await all_messages(runtime.db)
    assert [(m.period, m.state) for m in rows] == [("2026-12", "planned"), ("2027-01", "cancelled")]
    async with runtime.db.begin() as connection:
        row = (await connection.execute(tenants.select().where(tenants.c.id == tenant.id))).one()
    assert row.active and row.contract_ended_on == date(2026, 12, 31)
    assert (await plan(runtime, JANUARY)).created == 0  # and it is not planned again
    runtime.clock.set(SEND_MOMENT)
    assert (await Dispatcher(runtime, "w1").tick()).sent == 1  # December's still goes out


async def test_a_lease_that_ended_in_the_past_ends_at_once(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    await privacy.end_contract(runtime, tenant.external_id, date(2026, 10, 31))
    async with runtime.db.begin() as connection:
        row = (await connection.execute(tenants.select().where(tenants.c.id == tenant.id))).one()
    assert not row.active
    assert (await plan(runtime)).created == 0


@database_examples(6)  # HYPOTHESIS_PROFILE=deep: 60
@given(lease_end=st.one_of(st.none(), st.dates(DEBIT - timedelta(days=60), DEBIT + timedelta(days=60))),
       day=st.integers(1, 25))
async def test_planning_stops_after_the_lease_end_and_not_before(
    runtime: Any, make_tenant: Any, lease_end: date | None, day: int,
) -> None:
    async with runtime.db.begin() as connection:
        await connection.execute(delete(messages))
        await connection.execute(update(tenants).values(contract_ended_on=None))
    tenant = await make_tenant(collection_day=day, lease_end=lease_end)
    runtime.clock.set(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))  # before every December send moment
    await plan(runtime)
    reminder = plan_reminder(DECEMBER, day, runtime.settings.reminders.planning_rules(), runtime.clock.now())
    assert reminder is not None
    planned = [m.debit_date for m in await all_messages(runtime.db) if m.tenant_id == tenant.id]
    # planned up to and including the lease's last day, never after it
    assert planned == ([reminder.debit_date] if lease_end is None or reminder.debit_date <= lease_end else [])


async def test_a_reminder_for_a_debit_on_the_lease_s_last_day_is_planned_and_none_the_day_after(
    runtime: Any, make_tenant: Any,
) -> None:
    on_the_day = await make_tenant(lease_end=DEBIT)
    day_before = await make_tenant(lease_end=DEBIT - timedelta(days=1))
    await plan(runtime)
    assert [(m.tenant_id, m.debit_date) for m in await all_messages(runtime.db)] == [(on_the_day.id, DEBIT)]
    assert day_before.contract_ended_on == DEBIT - timedelta(days=1)
