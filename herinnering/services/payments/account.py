"""A tenant's payment account as the `payments` commands read and change it: months, balance
and links; a link for one month; the statement; the matches made here and undoing one; and
transactions that come in other than in a file (the demo, the workplace scene). Each use case is
one transaction, the tenant found by the contract id the officer typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from herinnering.adapters.db import Row, tenant_store
from herinnering.domain.payments.payments import PaymentChange
from herinnering.domain.payments.state import Transaction
from herinnering.runtime import Runtime
from herinnering.services.payments import balance, payments, statement, unmatched
from herinnering.services.payments.links import PaymentLink, create_payment_link, links_of
from herinnering.services.tenants.lookup import by_contract_id


@dataclass(frozen=True)
class Overview:
    tenant: Row[Any]
    months: list[PaymentChange]
    outstanding_cents: int        # over all known months
    links: list[PaymentLink]


async def overview(runtime: Runtime, contract_id: str) -> Overview:
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        return Overview(tenant, await balance.periods(connection, tenant.id),
                        await balance.outstanding(connection, tenant.id), await links_of(connection, tenant.id))


async def link_for_month(runtime: Runtime, contract_id: str, period: str, amount_cents: int | None,
                         now: datetime) -> PaymentLink | None:
    """A link (made or reused) for what the month still asks, or `amount_cents`; None when the
    month is paid and no amount was given."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        if amount_cents is None:
            state = await balance.period_status(connection, tenant.id, period)
            amount_cents = state.outstanding_cents if state else tenant.monthly_rent_cents
        if amount_cents <= 0:
            return None
        return await create_payment_link(connection, runtime.settings, tenant_id=tenant.id, period=period,
                                         amount_cents=amount_cents, now=now)


async def statement_of(runtime: Runtime, contract_id: str) -> tuple[Row[Any], statement.Statement]:
    """The tenant and their statement as of today (the runtime's clock, local time)."""
    today = runtime.clock.now().astimezone(runtime.settings.reminders.timezone).date()
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        return tenant, await statement.statement_of(connection, tenant, today)


async def matches(runtime: Runtime, contract_id: str | None) -> list[Row[Any]]:
    """Lines matched by hand or by their signs, of one tenant or of everyone."""
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id) if contract_id else None
        return await unmatched.matched_here(connection, tenant.id if tenant else None)


async def undo_match(runtime: Runtime, transaction_id: int, by: str) -> tuple[PaymentChange, str]:
    """Take back a match; the month's new state and the tenant's contract id."""
    async with runtime.db.begin() as connection:
        change = await unmatched.undo_match(connection, runtime.settings, transaction_id, runtime.clock.now(), by=by)
        names = await tenant_store.contract_ids(connection, [change.tenant_id])
    return change, names[change.tenant_id]


async def record(runtime: Runtime, transactions: Sequence[Transaction]) -> payments.IntakeReport:
    """Store and apply transactions (each once), all or nothing."""
    async with runtime.db.begin() as connection:
        return await payments.record(connection, runtime.settings, transactions, runtime.clock.now())


async def record_for_tenant(runtime: Runtime, tenant_id: int, transaction: Transaction) -> PaymentChange | None:
    """Store and apply one transaction already known to be this tenant's; None when taken in before."""
    async with runtime.db.begin() as connection:
        return await payments.record_for_tenant(connection, runtime.settings, tenant_id, transaction,
                                                runtime.clock.now())
