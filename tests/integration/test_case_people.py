"""People, not bots, at the end of a case — on a real database (SQLite and PostgreSQL), with the
fake Twilio server over HTTP: a handover task after the last automatic step, no ladder message
on a Sunday or holiday, none while a BETAALD claim is checked, STOP then START, BEZWAAR."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from herinnering.adapters.db import case_store
from herinnering.adapters.db.collection_tables import mvi_steps
from herinnering.adapters.db.tables import events, messages, tasks
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.services.payments.collection import ladder_tick
from tests.integration.collection_helpers import cases, change, days, report, rows, run_day
from tests.integration.conversations import outbox, tenant_writes

LADDER_KINDS = ("payment_link", "ladder_reminder", "debt_help_offer")


async def ladder_messages(runtime: Any) -> list[Any]:
    return await rows(runtime, messages, messages.c.kind.in_(LADDER_KINDS))


async def test_after_the_last_automatic_step_the_case_lands_with_a_person(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    for day in days(date(2026, 12, 2), 30):
        await run_day(runtime, day)
    [handover] = [t for t in await rows(runtime, tasks) if t.kind == "case_handover"]
    assert handover.state == "open" and handover.tenant_id == tenant.id
    assert handover.due_at == handover.created_at + timedelta(days=2)  # with a due date
    assert len([t for t in await rows(runtime, tasks) if t.kind == "case_handover"]) == 1  # once, not every day

    await report(runtime, change(tenant, PaymentStatus.PAID, paid=tenant.monthly_rent_cents, reason=None,
                                 at=datetime(2027, 1, 2, 10, tzinfo=UTC)))
    [handover] = [t for t in await rows(runtime, tasks) if t.kind == "case_handover"]
    assert handover.state == "cancelled"  # a paid case needs no one


async def test_no_ladder_message_goes_out_on_a_sunday_or_a_public_holiday(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    # The debit comes back on Thursday 24 December: day 1 is Christmas Day, then Boxing Day (a
    # Saturday, also a holiday) and Sunday — the first message waits for Monday 28 December.
    await report(runtime, change(tenant, PaymentStatus.RETURNED, at=datetime(2026, 12, 24, 8, tzinfo=UTC)))
    for day in days(date(2026, 12, 25), 4):
        await run_day(runtime, day, dispatch=False)
    [first] = await ladder_messages(runtime)
    local = first.send_at.astimezone(runtime.settings.reminders.timezone)
    assert local.date() == date(2026, 12, 28) and local.weekday() == 0


async def test_no_not_received_message_while_a_betaald_claim_is_checked(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    await tenant_writes(runtime, fake_twilio, tenant.phone, "BETAALD")
    await run_day(runtime, date(2026, 12, 3))
    assert await ladder_messages(runtime) == []  # left out while a person checks the claim
    [skipped] = await rows(runtime, events, events.c.type == "ladder_step_skipped")
    assert skipped.data["kind"] == "payment_link"
    [check] = [t for t in await rows(runtime, tasks) if t.kind == "verify_payment"]
    async with runtime.db.begin() as connection:
        await connection.execute(tasks.update().where(tasks.c.id == check.id).values(state="done"))
    for day in days(date(2026, 12, 4), 4):
        await run_day(runtime, day)
    assert [m.kind for m in await ladder_messages(runtime)] == ["ladder_reminder"]  # not paid after all: on it goes


async def test_stop_then_start_brings_the_still_due_reminders_back(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(datetime(2026, 12, 3, 6, tzinfo=UTC))  # 07:00: planned for when the window opens
    assert (await ladder_tick(runtime)).messages == 1
    await tenant_writes(runtime, fake_twilio, tenant.phone, "STOP")
    [stopped] = await ladder_messages(runtime)
    assert stopped.state == "cancelled"
    [confirmation] = await outbox(runtime.db, "stop_confirmation")
    assert "Brieven over een huurachterstand" in confirmation.body  # the truth: letters still come

    await tenant_writes(runtime, fake_twilio, tenant.phone, "START")
    back = [m for m in await ladder_messages(runtime) if m.state == "planned"]
    assert [(m.kind, m.context) for m in back] == [(stopped.kind, stopped.context)]
    assert back[0].send_at >= runtime.clock.now()


async def test_a_bezwaar_reply_gets_its_own_confirmation_and_is_recorded(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant()
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    await tenant_writes(runtime, fake_twilio, tenant.phone, "BEZWAAR")
    replies = [m for m in await rows(runtime, messages) if m.kind == "bot_reply"]
    assert [m.context["reply"] for m in replies] == ["objection_confirmation"]
    assert "niet door aan de gemeente" in replies[0].body
    [case] = await cases(runtime)
    assert [s.step for s in await rows(runtime, mvi_steps, mvi_steps.c.case_id == case.id)] == ["objection"]
    async with runtime.db.begin() as connection:
        assert await case_store.open_case_of(connection, tenant.id) is not None
