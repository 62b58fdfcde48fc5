"""Set-based queries of the payments area: a bank statement's transactions stored, and their
months read, locked and moved, a batch of tenants at a time (`services.payments.payments.record`).

Each function takes the whole batch and issues one statement (or one executemany), so a
60,000-entry statement costs a few hundred round trips, not a dozen per entry. Lists are cut
into chunks of `CHUNK` so no statement passes asyncpg's 32,767 parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.payments import PaymentStatus

CHUNK = 1000


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def taken_keys(connection: AsyncConnection, keys: Iterable[str]) -> set[str]:
    """The source keys among `keys` stored already (a dry run's "seen before")."""
    wanted = sorted(set(keys))
    taken: set[str] = set()
    for chunk in chunks(wanted):
        taken.update((await connection.execute(select(payment_transactions.c.source_key).where(
            payment_transactions.c.source_key.in_(chunk)))).scalars())
    return taken


async def store_transactions(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert transaction rows (one per distinct source key); returns the keys that were new.
    A key taken already, also by an import running at the same moment, is skipped: that import
    waits on the unique index and finds it taken."""
    new: set[str] = set()
    statement = dialect_insert(connection, payment_transactions).on_conflict_do_nothing(
        index_elements=["source_key"]).returning(payment_transactions.c.source_key)
    for chunk in chunks(rows):
        new.update((await connection.execute(statement, list(chunk))).scalars())
    return new


async def rents(connection: AsyncConnection, tenant_ids: Iterable[int]) -> dict[int, int]:
    """Each tenant's monthly rent in cents (a month is created with it as the amount due)."""
    wanted = sorted(set(tenant_ids))
    found: dict[int, int] = {}
    for chunk in chunks(wanted):
        found.update((await connection.execute(select(tenants.c.id, tenants.c.monthly_rent_cents).where(
            tenants.c.id.in_(chunk)))).all())
    return found


async def periods_of(connection: AsyncConnection, tenant_ids: Iterable[int], *, lock: bool = False) -> list[Row[Any]]:
    """Every month of these tenants (row-locked with `lock`, so two imports move one month in turn)."""
    wanted = sorted(set(tenant_ids))
    rows: list[Row[Any]] = []
    for chunk in chunks(wanted):
        statement = select(payment_periods).where(payment_periods.c.tenant_id.in_(chunk)).order_by(
            payment_periods.c.tenant_id, payment_periods.c.period)
        if lock:
            statement = statement.with_for_update()
        rows.extend((await connection.execute(statement)).fetchall())
    return rows


async def ensure_periods(connection: AsyncConnection, wanted: Iterable[tuple[int, str]], rent: dict[int, int],
                         now: datetime) -> None:
    """Create the months not there yet as `expected`, the monthly rent due (first touch)."""
    rows = [{"tenant_id": tenant_id, "period": period, "amount_due_cents": rent[tenant_id], "amount_paid_cents": 0,
             "status": PaymentStatus.EXPECTED, "reason_code": None, "source": "expected", "created_at": now,
             "updated_at": now} for tenant_id, period in sorted(set(wanted))]
    statement = dialect_insert(connection, payment_periods).on_conflict_do_nothing(index_elements=["tenant_id", "period"])
    for chunk in chunks(rows):
        await connection.execute(statement, list(chunk))


_MOVE = update(payment_periods).where(payment_periods.c.id == bindparam("row_id")).values(
    amount_due_cents=bindparam("due"), amount_paid_cents=bindparam("paid"), status=bindparam("new_status"),
    reason_code=bindparam("code"), source=bindparam("new_source"), updated_at=bindparam("at"))


async def move_periods(connection: AsyncConnection, moves: Sequence[dict[str, Any]]) -> None:
    """Write months' new states: dicts of row_id, due, paid, new_status, code, new_source, at."""
    for chunk in chunks(moves):
        await connection.execute(_MOVE, list(chunk))
