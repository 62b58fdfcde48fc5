"""Where one tenant stands in the follow-up ladder (`herinnering ladder`): every arrears case
with its steps and what comes next, the pause in force, the arrangements, the early-warning
gate per case, the returns' reasons and the open tasks — read in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from herinnering.adapters.db import Row, task_store
from herinnering.clock import local_day
from herinnering.runtime import Runtime
from herinnering.services.legal.early_warning import signal_lines
from herinnering.services.payments.arrangements import arrangement_lines
from herinnering.services.payments.collection import CaseView, ladder_view
from herinnering.services.payments.pause import current
from herinnering.services.payments.returns import return_lines
from herinnering.services.tenants.lookup import by_contract_id


@dataclass(frozen=True)
class LadderOverview:
    tenant: Row[Any]
    cases: list[CaseView]
    pause: Row[Any] | None                 # in force today
    arrangements: list[str]                # one line each
    signals: dict[int, str]                # case id -> ready for the municipality, or why not
    returns: dict[str, list[str]]          # period -> each return's reason and why this step
    open_tasks: list[Row[Any]]


async def ladder_overview(runtime: Runtime, contract_id: str) -> LadderOverview:
    settings = runtime.settings
    today = local_day(runtime.clock.now(), settings)
    async with runtime.db.begin() as connection:
        tenant = await by_contract_id(connection, contract_id)
        views = await ladder_view(connection, settings, tenant, today)
        return LadderOverview(
            tenant=tenant, cases=views, pause=await current(connection, tenant.id, today),
            arrangements=await arrangement_lines(connection, tenant.id),
            signals=await signal_lines(connection, settings, tenant, [view.case_id for view in views], today),
            returns=await return_lines(connection, tenant.id), open_tasks=await task_store.open_of(connection, tenant.id))
