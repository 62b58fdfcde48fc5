"""A tenant's rows in every table, found by following foreign keys from `tenants`.

Export (right of access) and purge (retention) must cover tables that other areas add later,
so neither keeps a list: every table with a foreign key into `tenants` — directly, or through
a table that has one (messages → events, threads → thread_messages …) — belongs to the
tenant. `audit_log` is the one exception: it is proof of what officers did and is kept, with
its links to the tenant and the thread cut when the tenant is purged.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.conversation_tables import threads
from herinnering.adapters.db.schema import metadata
from herinnering.adapters.db.tables import messages, tenants

KEPT_WITH_LINKS_CUT = ("audit_log",)


def _conditions(tenant_ids: Sequence[int]) -> dict[Table, ColumnElement[bool]]:
    """For each table that belongs to the tenants, the condition that picks their rows."""
    return _below(tenants, tenants.c.id.in_(list(tenant_ids)) if tenant_ids else false())


def _below(root: Table, condition: ColumnElement[bool]) -> dict[Table, ColumnElement[bool]]:
    """`root`'s rows picked by `condition`, and every row that refers to them, table by table."""
    found: dict[Table, ColumnElement[bool]] = {root: condition}
    for table in metadata.sorted_tables:  # parents before children
        if table is root:
            continue
        clauses = [
            fk.parent.in_(select(fk.column).where(found[fk.column.table]))
            for fk in table.foreign_keys if fk.column.table in found and fk.column.table is not table
        ]
        if clauses:
            found[table] = or_(*clauses)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


async def export_rows(connection: AsyncConnection, tenant_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tenant, per table (only tables with rows), as JSON-ready dicts."""
    result: dict[str, list[dict[str, Any]]] = {}
    for table, condition in _conditions([tenant_id]).items():
        order = [c for c in table.primary_key.columns]
        rows = (await connection.execute(select(table).where(condition).order_by(*order))).mappings().all()
        if rows:
            result[table.name] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return result


async def delete_rows(connection: AsyncConnection, tenant_ids: Sequence[int]) -> dict[str, int]:
    """Delete the tenants and everything that belongs to them; cut the audit log's links.
    Returns the number of rows removed per table."""
    return await _delete(connection, _conditions(tenant_ids))


async def delete_except(connection: AsyncConnection, tenant_ids: Sequence[int], keep: frozenset[str]) -> dict[str, int]:
    """Delete the tenants' rows in every table but `keep` and `tenants` (a kind of data whose term
    ended while another kind is still kept, domain/retention.py). The audit log keeps its link to
    the tenant, which still exists."""
    everything = _conditions(tenant_ids)
    conditions = {table: condition for table, condition in everything.items()
                  if table is not tenants and table.name not in keep}
    for table in everything:  # a kept row loses its link to a row that goes (an instalment's reminder)
        if table.name not in keep:
            continue
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent in conditions and fk.parent.nullable:
                await connection.execute(update(table).where(
                    fk.parent.in_(select(fk.column).where(conditions[parent]))).values({fk.parent.name: None}))
    return await _delete(connection, conditions)


async def holding(connection: AsyncConnection, tenant_ids: Sequence[int], names: frozenset[str]) -> set[int]:
    """The tenants among `tenant_ids` that still have rows in one of the tables `names`."""
    found: set[int] = set()
    for table in metadata.sorted_tables:
        if table.name in names and tenant_ids:
            condition = _conditions(tenant_ids)[table]
            tenant_of = (table.c.tenant_id if "tenant_id" in table.c else None)
            if tenant_of is None:  # reached through a parent (mvi_steps → arrears_cases): its parent is listed too
                continue
            found.update(int(i) for i in (await connection.execute(select(tenant_of).where(condition).distinct()))
                         .scalars())
    return found


async def delete_unknown_numbers(connection: AsyncConnection, before: datetime) -> dict[str, int]:
    """Conversations with numbers that belong to no tenant, silent since `before`, and the
    messages sent to such numbers before then."""
    removed = await _delete(connection, _below(threads, (threads.c.tenant_id.is_(None))
                                               & (threads.c.last_message_at < before)))
    for table, n in (await _delete(connection, _below(messages, (messages.c.tenant_id.is_(None))
                                                      & (messages.c.created_at < before)))).items():
        removed[table] = removed.get(table, 0) + n
    return removed


async def _delete(connection: AsyncConnection, conditions: dict[Table, ColumnElement[bool]]) -> dict[str, int]:
    removed: dict[str, int] = {}
    for table in reversed(metadata.sorted_tables):  # children before parents
        condition = conditions.get(table)
        if condition is None:
            continue
        if table.name in KEPT_WITH_LINKS_CUT:
            for fk in table.foreign_keys:
                parent = fk.column.table
                if parent in conditions and fk.parent.nullable:
                    await connection.execute(update(table).where(
                        fk.parent.in_(select(fk.column).where(conditions[parent]))).values({fk.parent.name: None}))
            continue
        result = await connection.execute(delete(table).where(condition))
        if result.rowcount:
            removed[table.name] = int(result.rowcount)
    return removed
