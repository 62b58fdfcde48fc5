"""SQL for the ERP import: which contracts and phone numbers are stored, and new tenants
inserted in bulk with their `tenant_imported` events (known ones go through `tenant_store.upsert`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db import tenant_store
from herinnering.adapters.db.tables import UtcDateTime, tenants
from herinnering.domain.tenants.tenant_csv import TenantRecord


async def holders_of(connection: AsyncConnection, phones: Sequence[str]) -> list[tuple[str, str]]:
    """(phone, contract id) of stored tenants with one of these phone numbers."""
    rows = await connection.execute(select(tenants.c.phone, tenants.c.external_id).where(tenants.c.phone.in_(list(phones))))
    return [(row.phone, row.external_id) for row in rows]


async def known_contracts(connection: AsyncConnection, contract_ids: Sequence[str]) -> set[str]:
    """Which of these contract ids are stored."""
    return set((await connection.execute(
        select(tenants.c.external_id).where(tenants.c.external_id.in_(list(contract_ids))))).scalars())


async def ids_of(connection: AsyncConnection, contract_ids: Sequence[str]) -> list[int]:
    return list((await connection.execute(
        select(tenants.c.id).where(tenants.c.external_id.in_(list(contract_ids))))).scalars())


FIELDS = ("external_id", *tenant_store.STORED_COLUMNS)
COLUMNS = f"{', '.join(FIELDS)}, active, opted_out, created_at, updated_at"


def _postgres_sql(dialect: object) -> str:
    arrays = ", ".join(f"CAST(:{f} AS {tenants.c[f].type.compile(dialect)}[])" for f in FIELDS)  # type: ignore[arg-type]
    return (
        f"WITH new AS (INSERT INTO tenants ({COLUMNS})"
        f" SELECT t.*, true, false, :now, :now FROM unnest({arrays}) AS t"
        " ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id)"
        " INSERT INTO events (tenant_id, type, data, occurred_at)"
        " SELECT id, 'tenant_imported', json_build_object('external_id', external_id), :now FROM new"
    )


async def insert_new(connection: AsyncConnection, records: Sequence[TenantRecord], now: datetime) -> int:
    """New tenants and their `tenant_imported` events, without an ORM-style row per tenant:
    PostgreSQL takes column arrays in one statement; SQLite one plain executemany, then the
    events from one INSERT … SELECT."""
    stamp = bindparam("now", type_=UtcDateTime)
    if connection.dialect.name == "postgresql":
        rows = [{"external_id": r.external_id, **tenant_store.stored_values(r)} for r in records]
        columns = {name: [row[name] for row in rows] for name in FIELDS}
        statement = text(_postgres_sql(connection.dialect)).bindparams(stamp)
        return (await connection.execute(statement, {**columns, "now": now})).rowcount
    values = ", ".join(f":{f}" for f in FIELDS)
    insert = text(f"INSERT INTO tenants ({COLUMNS}) VALUES ({values}, 1, 0, :now, :now)"
                  " ON CONFLICT (external_id) DO NOTHING").bindparams(stamp)
    await connection.execute(insert, [{"external_id": r.external_id, **tenant_store.stored_values(r), "now": now}
                                      for r in records])
    logged = text(
        "INSERT INTO events (tenant_id, type, data, occurred_at)"
        " SELECT id, 'tenant_imported', json_object('external_id', external_id), :now FROM tenants"
        " WHERE external_id IN (SELECT value FROM json_each(:ids)) AND created_at = :now"
    ).bindparams(stamp)
    return (await connection.execute(logged, {"ids": json.dumps([r.external_id for r in records]), "now": now})).rowcount
