"""Use cases of the tenant's own page (mijn huur): each opens its own transaction, so the
handlers in web/tenants/tenant_page.py only read the request and answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herinnering.adapters.db import Row, case_store
from herinnering.adapters.db import events as event_log
from herinnering.runtime import Runtime
from herinnering.services.legal.early_warning import record_objection
from herinnering.services.payments import statement
from herinnering.services.payments.links import PaymentLink, create_payment_link
from herinnering.services.tenants import self_service
from herinnering.services.tenants.tenant_page import PageData, page_data, tenant_for_token


def _today(runtime: Runtime) -> Any:
    return runtime.clock.now().astimezone(runtime.settings.reminders.timezone).date()


async def tenant_of(runtime: Runtime, token: str) -> Row[Any] | None:
    """The active tenant whose page link this is (the link's use is noted); None for an unknown,
    expired or ended one."""
    async with runtime.db.begin() as connection:
        return await tenant_for_token(connection, token, runtime.clock.now())


@dataclass(frozen=True)
class Page:
    data: PageData
    open_case: bool
    account: statement.Statement


async def page(runtime: Runtime, tenant: Row[Any]) -> Page:
    today = _today(runtime)
    async with runtime.db.begin() as connection:
        data = await page_data(connection, runtime.settings, tenant, today)
        open_case = any(case.state != "closed" for case in await case_store.cases_of(connection, tenant.id))
        account = await statement.statement_of(connection, tenant, today)
    return Page(data, open_case, account)


async def account(runtime: Runtime, tenant: Row[Any]) -> statement.Statement:
    async with runtime.db.begin() as connection:
        return await statement.statement_of(connection, tenant, _today(runtime))


async def link_for_oldest_month(runtime: Runtime, tenant: Row[Any]) -> PaymentLink | None:
    """A payment link for the oldest open month the tenant can pay (none in a re-collection
    file: the bank debits that one again); None when there is none."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        data = await page_data(connection, runtime.settings, tenant, now.astimezone(
            runtime.settings.reminders.timezone).date())
        if data.oldest_open is None:
            return None
        period, cents = next((p, c) for p, c in data.open_months if p == data.oldest_open)
        return await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period=period,
                                         amount_cents=cents, now=now)


async def choose_day(runtime: Runtime, tenant: Row[Any], day: int) -> None:
    """The tenant's new collection day, confirmed to them by a message."""
    async with runtime.db.begin() as connection:
        choice = await self_service.change_collection_day(connection, runtime.settings, tenant, day, "page",
                                                          runtime.clock.now())
        await self_service.confirm_day_change(connection, runtime.settings, tenant, choice, runtime.clock.now())


async def ask_arrangement(runtime: Runtime, tenant: Row[Any], cents: int) -> None:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await self_service.request_arrangement(connection, tenant, cents, f"page:{tenant.id}:{now:%Y%m%d}", now)


async def ask_call(runtime: Runtime, tenant: Row[Any], part: str) -> None:
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        await self_service.request_callback(connection, tenant, part, f"page:{tenant.id}:{now:%Y%m%d}", now)


async def object_to_signal(runtime: Runtime, tenant: Row[Any]) -> None:
    """The tenant does not want their data passed to the municipality (Wgs): blocks the signal of
    every open case, like the BEZWAAR keyword (issue 11)."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        found = await record_objection(connection, tenant.id, channel="other", text="bezwaar via de pagina mijn huur",
                                       by="tenant", key=f"page:{tenant.id}:{now:%Y%m%d}", now=now)
        await event_log.append(connection, found)
