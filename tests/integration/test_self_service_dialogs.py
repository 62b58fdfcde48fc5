"""Self-service by message, end to end through the signed inbound webhook: DAG then 15 gives
collection day 15 from the next eligible month (and the planner uses it), REGELING and BEL make
officer tasks, unclear answers and late answers go to the inbox, an officer silences the bot."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from herinnering.adapters.db.tenant_tables import collection_day_changes, dialogs
from herinnering.domain.reminders.planning import Period
from herinnering.services.conversations import threads as thread_service
from herinnering.services.conversations.threads import Officer
from herinnering.services.privacy.users import add_user
from herinnering.services.reminders.dispatch import Dispatcher
from herinnering.services.reminders.planning import plan_month
from herinnering.services.tenants.self_service import reverse_day_change
from tests.integration.conversations import open_tasks, outbox, tenant_writes, thread_of
from tests.integration.tenant_centred_helpers import rows


async def replies(runtime: Any, tenant: Any) -> list[str]:
    return [m.body for m in await outbox(runtime.db, "bot_reply") if m.tenant_id == tenant.id]


async def pre_debit_dates(runtime: Any, tenant: Any, period: Period) -> list[date]:
    await plan_month(runtime.db, runtime.settings, runtime.templates, runtime.clock, period)
    return [m.debit_date for m in await outbox(runtime.db, "pre_debit") if m.tenant_id == tenant.id
            and m.period == str(period)]


async def test_dag_then_15_sets_day_15_from_the_next_eligible_month_and_the_planner_uses_it(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant(collection_day=1)  # the clock: Friday 27 November 2026
    await tenant_writes(runtime, fake_twilio, tenant.phone, "DAG")
    [prompt] = await replies(runtime, tenant)
    assert "Op welke dag" in prompt and "1 t/m 25" in prompt
    await tenant_writes(runtime, fake_twilio, tenant.phone, "15")
    [change] = await rows(runtime.db, collection_day_changes)
    # December's debit (the 1st) is too close to move; January is the first month far enough away
    assert (change.old_day, change.new_day, change.effective_period, change.source) == (1, 15, "2027-01", "sms")
    confirmation = (await replies(runtime, tenant))[-1]
    assert "januari 2027" in confirmation and "15e" in confirmation
    assert await rows(runtime.db, dialogs) == []  # the dialog is over
    assert await pre_debit_dates(runtime, tenant, Period(2026, 12)) == [date(2026, 12, 1)]
    assert await pre_debit_dates(runtime, tenant, Period(2027, 1)) == [date(2027, 1, 15)]
    await Dispatcher(runtime, "w").run_until_idle()
    assert [m["body"] for m in fake_twilio.messages if m["to"] == tenant.phone][:2] == [prompt, confirmation]
    # an officer can reverse it: February is planned on the old day again
    async with runtime.db.begin() as connection:
        assert await reverse_day_change(connection, change.id, "A. de Boer", runtime.clock.now())
    assert await pre_debit_dates(runtime, tenant, Period(2027, 2)) == [date(2027, 2, 1)]


async def test_regeling_with_an_amount_makes_an_officer_task_with_the_proposal(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant(language="en")
    await tenant_writes(runtime, fake_twilio, tenant.phone, "regeling")
    await tenant_writes(runtime, fake_twilio, tenant.phone, "€ 50,00")
    [task] = await open_tasks(runtime.db, tenant.id)
    assert (task.kind, task.data["proposal_cents"]) == ("arrangement_request", 5000)
    assert "€ 50,00 per maand" in task.title
    assert "You proposed €50.00 a month" in (await replies(runtime, tenant))[-1]


async def test_belmij_asks_the_part_of_the_day_and_makes_a_call_back_task(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant()
    await tenant_writes(runtime, fake_twilio, tenant.phone, "Bel mij")
    await tenant_writes(runtime, fake_twilio, tenant.phone, "2")
    [task] = await open_tasks(runtime.db, tenant.id)
    assert (task.kind, task.data["part_of_day"], task.title) == ("call_back", "afternoon", "Terugbellen in de middag")
    assert "in de middag" in (await replies(runtime, tenant))[-1]


async def test_an_unclear_answer_is_asked_again_once_then_goes_to_the_inbox(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await make_tenant()
    for text in ("datum", "de 31e", "weet ik niet"):
        await tenant_writes(runtime, fake_twilio, tenant.phone, text)
    assert await rows(runtime.db, collection_day_changes) == []
    prompts = [b for b in await replies(runtime, tenant) if "Op welke dag" in b]
    assert len(prompts) == 2
    thread = await thread_of(runtime.db, tenant.id)
    assert thread.needs_reply  # a person reads the third message


async def test_an_answer_after_the_time_out_goes_to_the_inbox(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    tenant = await make_tenant()
    await tenant_writes(runtime, fake_twilio, tenant.phone, "DAG")
    runtime.clock.set(runtime.clock.now() + timedelta(hours=25))
    await tenant_writes(runtime, fake_twilio, tenant.phone, "15")
    assert await rows(runtime.db, collection_day_changes) == []
    assert (await thread_of(runtime.db, tenant.id)).needs_reply


async def test_an_officer_who_took_over_silences_the_dialog(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    officer_id = await add_user(runtime, "anna@delinde.nl", "a long passphrase 42", "officer", "Anna")
    officer = Officer(officer_id, "anna@delinde.nl", "Anna", "officer")
    tenant = await make_tenant()
    await tenant_writes(runtime, fake_twilio, tenant.phone, "Hallo")
    thread = await thread_of(runtime.db, tenant.id)
    assert await thread_service.take_over(runtime, thread.id, officer)
    before = len(await replies(runtime, tenant))
    await tenant_writes(runtime, fake_twilio, tenant.phone, "DAG")
    assert len(await replies(runtime, tenant)) == before and await rows(runtime.db, dialogs) == []
