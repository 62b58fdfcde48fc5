"""Betalingsregelingen: a reminder before each instalment, payments recognised in order, and a
missed instalment that gives an officer a task instead of restarting the ladder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from herinnering.adapters.db.collection_tables import instalments
from herinnering.domain.payments.payments import PaymentStatus
from herinnering.errors import HerinneringError
from herinnering.services.payments.arrangements import add_arrangement
from tests.integration.collection_helpers import (
    cases,
    change,
    ladder_messages,
    morning,
    open_tasks,
    report,
    rows,
    run_day,
)


async def agree(runtime: Any, tenant: Any, **options: Any) -> Any:
    async with runtime.db.begin() as connection:
        return await add_arrangement(connection, runtime, tenant.id, by="officer@delinde", **options)


async def test_three_instalments_get_three_reminders_and_a_missed_one_becomes_a_task(
    runtime: Any, make_tenant: Any, fake_twilio: Any
) -> None:
    tenant = await make_tenant(monthly_rent_cents=74550)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(date(2026, 12, 4)))
    made = await agree(runtime, tenant, count=3, first=date(2027, 1, 5), every="month")
    assert [p.amount_cents for p in made.instalments] == [24850, 24850, 24850] and made.reminders == 3
    [case] = await cases(runtime)
    assert case.state == "in_arrangement"

    # two days before each instalment, at the opening of the send window
    planned = [m for m in await ladder_messages(runtime) if m.kind == "instalment_reminder"]
    assert [m.send_at for m in planned] == [morning(date(2027, 1, 3)), morning(date(2027, 2, 3)),
                                            morning(date(2027, 3, 3))]

    _, sent = await run_day(runtime, date(2027, 1, 3))
    assert sent.sent == 1
    assert "betalingsregeling" in fake_twilio.messages[0]["body"] and "€ 248,50" in fake_twilio.messages[0]["body"]
    await report(runtime, change(tenant, PaymentStatus.PARTLY_PAID, paid=24850, reason=None,
                                 at=datetime(2027, 1, 5, 12, tzinfo=UTC)))  # instalment 1 paid by transfer
    assert [i.state for i in await rows(runtime, instalments)] == ["paid", "open", "open"]

    await run_day(runtime, date(2027, 2, 3))          # the reminder for instalment 2 ...
    for day in (date(2027, 2, 8), date(2027, 2, 9)):  # ... but it is not paid (3 days' grace)
        ladder, _ = await run_day(runtime, day)
    [task] = await open_tasks(runtime)
    assert (task.kind, task.source, task.data["number"]) == ("instalment_missed", "arrangement", 2)
    assert [i.state for i in await rows(runtime, instalments)] == ["paid", "missed", "open"]
    again, _ = await run_day(runtime, date(2027, 2, 10))
    assert again.instalment_tasks == 0 and len(await open_tasks(runtime)) == 1

    await run_day(runtime, date(2027, 3, 3))
    reminders = [m for m in fake_twilio.messages if "betalingsregeling" in m["body"]]
    assert len(reminders) == 3 and len(fake_twilio.messages) == 3  # the ladder did not restart


async def test_an_instalment_paid_early_cancels_its_reminder(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant(monthly_rent_cents=60000)
    await report(runtime, change(tenant, PaymentStatus.RETURNED))
    runtime.clock.set(morning(date(2026, 12, 4)))
    await agree(runtime, tenant, count=2, first=date(2027, 1, 5), every="month")
    await report(runtime, change(tenant, PaymentStatus.PARTLY_PAID, paid=30000, reason=None,
                                 at=datetime(2026, 12, 20, 12, tzinfo=UTC)))
    states = [m.state for m in await ladder_messages(runtime) if m.kind == "instalment_reminder"]
    assert states == ["cancelled", "planned"]


async def test_an_arrangement_without_arrears_or_in_the_past_is_refused(runtime: Any, make_tenant: Any) -> None:
    tenant = await make_tenant()
    runtime.clock.set(morning(date(2026, 12, 4)))
    with pytest.raises(HerinneringError, match="no open arrears"):
        await agree(runtime, tenant, count=3, first=date(2027, 1, 5), every="month")
    with pytest.raises(HerinneringError, match="in the past"):
        await agree(runtime, tenant, count=3, first=date(2026, 11, 5), every="month", amount_cents=9000)
