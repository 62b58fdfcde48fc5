"""Set-based reads and writes of the subscribers of a round of payment changes
(`payment_changes.publish_payments`): the case, the instalments, the step after a return and the
experiment outcome each read what they need for every tenant of the round at once, and write
the common outcome — a new case, a task, a planned message — in one statement.

The one-change forms keep their own queries (`case_store`, the services); these mirror them
row for row, for a list. Inserts that may meet a row made by someone else (an import running
at the same time) return their natural key, so the caller sees which rows are its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import (
    arrangements,
    arrears_cases,
    case_months,
    ladder_steps,
)
from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.experiment_tables import experiment_exposures
from herinnering.adapters.db.link_tables import payment_links
from herinnering.adapters.db.payment_store import chunks
from herinnering.adapters.db.tables import messages, tasks, tenants
from herinnering.adapters.db.tenant_tables import recollections


async def tenants_by_id(connection: AsyncConnection, tenant_ids: Iterable[int]) -> dict[int, Row[Any]]:
    found: dict[int, Row[Any]] = {}
    for chunk in chunks(sorted(set(tenant_ids))):
        for row in await connection.execute(select(tenants).where(tenants.c.id.in_(chunk))):
            found[row.id] = row
    return found


async def with_open_case(connection: AsyncConnection, tenant_ids: Iterable[int]) -> set[int]:
    """Those of the tenants that have a case not closed."""
    found: set[int] = set()
    for chunk in chunks(sorted(set(tenant_ids))):
        found.update((await connection.execute(select(arrears_cases.c.open_tenant_id).where(
            arrears_cases.c.open_tenant_id.in_(chunk)))).scalars())
    return found


async def with_active_arrangement(connection: AsyncConnection, tenant_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(sorted(set(tenant_ids))):
        found.update((await connection.execute(select(arrangements.c.tenant_id).where(
            arrangements.c.tenant_id.in_(chunk), arrangements.c.state == "active"))).scalars())
    return found


async def exposed_months(connection: AsyncConnection, months: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (tenant, period) pairs with an experiment exposure."""
    found: set[tuple[int, str]] = set()
    for chunk in chunks(sorted(set(months)), 500):
        statement = select(experiment_exposures.c.tenant_id, experiment_exposures.c.period).where(
            tuple_(experiment_exposures.c.tenant_id, experiment_exposures.c.period).in_(list(chunk))).distinct()
        found.update((int(a), str(b)) for a, b in (await connection.execute(statement)).all())
    return found


async def recollected_months(connection: AsyncConnection, months: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (tenant, period) pairs with a re-collection that is not cancelled."""
    found: set[tuple[int, str]] = set()
    for chunk in chunks(sorted(set(months)), 500):
        statement = select(recollections.c.tenant_id, recollections.c.period).where(
            tuple_(recollections.c.tenant_id, recollections.c.period).in_(list(chunk)),
            recollections.c.state != "cancelled").distinct()
        found.update((int(a), str(b)) for a, b in (await connection.execute(statement)).all())
    return found


async def cases_holding(connection: AsyncConnection, months: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Row[Any]]:
    """For each (tenant, period), the case holding that month as `case_store.get_case` picks it:
    the open case if it lists the month, else the latest that did."""
    found: dict[tuple[int, str], Row[Any]] = {}
    for chunk in chunks(sorted(set(months)), 500):
        statement = (select(arrears_cases, case_months.c.period.label("month"))
                     .join(case_months, case_months.c.case_id == arrears_cases.c.id)
                     .where(tuple_(arrears_cases.c.tenant_id, case_months.c.period).in_(list(chunk)))
                     .order_by(arrears_cases.c.open_tenant_id.is_(None), arrears_cases.c.id.desc()))
        for row in await connection.execute(statement):
            found.setdefault((row.tenant_id, row.month), row)
    return found


async def insert_cases(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> dict[int, int]:
    """New cases; returns tenant id → case id for those inserted (a tenant whose case another
    intake opened a moment ago is left out: the unique `open_tenant_id`)."""
    statement = dialect_insert(connection, arrears_cases).on_conflict_do_nothing(
        index_elements=["open_tenant_id"]).returning(arrears_cases.c.open_tenant_id, arrears_cases.c.id)
    found: dict[int, int] = {}
    for chunk in chunks(rows):
        found.update((await connection.execute(statement, list(chunk))).all())
    return found


async def insert_months(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    statement = dialect_insert(connection, case_months).on_conflict_do_nothing(index_elements=["case_id", "period"])
    for chunk in chunks(rows):
        await connection.execute(statement, list(chunk))


async def insert_tasks(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Tasks once per dedupe key; returns dedupe key → id of those that are new."""
    statement = dialect_insert(connection, tasks).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
        tasks.c.dedupe_key, tasks.c.id)
    found: dict[str, int] = {}
    for chunk in chunks(rows):
        found.update((await connection.execute(statement, list(chunk))).all())
    return found


async def insert_messages(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Planned messages (as `outbox.insert_planned`); returns idempotency key → id of the new ones."""
    statement = dialect_insert(connection, messages).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(messages.c.idempotency_key, messages.c.id)
    found: dict[str, int] = {}
    for chunk in chunks(rows):
        found.update((await connection.execute(statement, list(chunk))).all())
    return found


async def insert_ladder_steps(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    statement = dialect_insert(connection, ladder_steps).on_conflict_do_nothing(index_elements=["case_id", "step"])
    for chunk in chunks(rows):
        await connection.execute(statement, list(chunk))


async def insert_recollections(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    statement = dialect_insert(connection, recollections).on_conflict_do_nothing(
        index_elements=["tenant_id", "period", "attempt"])
    for chunk in chunks(rows):
        await connection.execute(statement, list(chunk))


async def with_open_link(connection: AsyncConnection, months: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (tenant, period) pairs that hold a payment link still open (it may be reused or replaced)."""
    found: set[tuple[int, str]] = set()
    for chunk in chunks(sorted(set(months)), 500):
        statement = select(payment_links.c.tenant_id, payment_links.c.period).where(
            tuple_(payment_links.c.tenant_id, payment_links.c.period).in_(list(chunk)),
            payment_links.c.state == "open").distinct()
        found.update((int(a), str(b)) for a, b in (await connection.execute(statement)).all())
    return found


async def insert_links(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """New payment links; returns open key → id of those inserted."""
    statement = dialect_insert(connection, payment_links).on_conflict_do_nothing(
        index_elements=["open_key"]).returning(payment_links.c.open_key, payment_links.c.id)
    found: dict[str, int] = {}
    for chunk in chunks(rows):
        found.update((await connection.execute(statement, list(chunk))).all())
    return found
