"""Queries of the payments area: transactions stored once by their source key, and the months
they move (`payment_periods`).

The set-based ones take a batch of tenants (`services.payments.payments.record`) and issue one
statement (or one executemany) each, so a 60,000-entry statement costs a few hundred round
trips, not a dozen per entry; lists are cut into chunks of `CHUNK` so no statement passes
asyncpg's 32,767 parameters. The one-transaction forms below them serve a paid link, an
officer's match by hand and the reference path the batch is held equal to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import tasks, tenants
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


async def known_contracts(connection: AsyncConnection, candidates: Iterable[str]) -> dict[str, Row[Any]]:
    """Tenants (id, external_id, monthly_rent_cents) whose contract id is among `candidates`."""
    wanted = sorted(set(candidates))
    found: dict[str, Row[Any]] = {}
    for chunk in chunks(wanted, 500):
        statement = select(tenants.c.id, tenants.c.external_id, tenants.c.monthly_rent_cents).where(
            tenants.c.external_id.in_(chunk))
        for row in (await connection.execute(statement)).fetchall():
            found[row.external_id] = row
    return found


# --- one transaction at a time ------------------------------------------------------------


async def store_transaction(connection: AsyncConnection, row: dict[str, Any]) -> bool:
    """Insert one transaction row; False when its source key was taken before."""
    statement = dialect_insert(connection, payment_transactions).on_conflict_do_nothing(
        index_elements=["source_key"]).returning(payment_transactions.c.id)
    return (await connection.execute(statement, [row])).first() is not None


async def oldest_open_period(connection: AsyncConnection, tenant_id: int) -> str | None:
    """The tenant's oldest month not paid in full (where a payment naming no month goes)."""
    oldest = (await connection.execute(
        select(payment_periods.c.period)
        .where(payment_periods.c.tenant_id == tenant_id,
               payment_periods.c.amount_paid_cents < payment_periods.c.amount_due_cents)
        .order_by(payment_periods.c.period).limit(1)
    )).scalar()
    return str(oldest) if oldest else None


async def locked_period(connection: AsyncConnection, tenant_id: int, period: str, now: datetime) -> Row[Any]:
    """The tenant's month, created as `expected` (the monthly rent due) on first touch; row-locked."""
    rent = (await connection.execute(select(tenants.c.monthly_rent_cents).where(tenants.c.id == tenant_id))).scalar_one()
    await connection.execute(
        dialect_insert(connection, payment_periods).on_conflict_do_nothing(index_elements=["tenant_id", "period"]),
        [{"tenant_id": tenant_id, "period": period, "amount_due_cents": rent, "amount_paid_cents": 0,
          "status": PaymentStatus.EXPECTED, "reason_code": None, "source": "expected", "created_at": now,
          "updated_at": now}],
    )
    return (await connection.execute(
        select(payment_periods).where(payment_periods.c.tenant_id == tenant_id, payment_periods.c.period == period)
        .with_for_update()
    )).one()


async def move_period(connection: AsyncConnection, row_id: int, *, amount_due_cents: int, amount_paid_cents: int,
                      status: str, reason_code: str | None, source: str, now: datetime) -> None:
    """Write one month's new state."""
    await connection.execute(update(payment_periods).where(payment_periods.c.id == row_id).values(
        amount_due_cents=amount_due_cents, amount_paid_cents=amount_paid_cents, status=status,
        reason_code=reason_code, source=source, updated_at=now))


async def add_unmatched_task(connection: AsyncConnection, values: dict[str, Any]) -> None:
    """An officer's task for a line that names no known tenant, once per dedupe key."""
    statement = dialect_insert(connection, tasks).on_conflict_do_nothing(index_elements=["dedupe_key"])
    await connection.execute(statement, [values])


async def reopen_task(connection: AsyncConnection, dedupe_key: str, now: datetime) -> bool:
    """Open a line's task again (its match was undone); False when it has none."""
    result = await connection.execute(update(tasks).where(tasks.c.dedupe_key == dedupe_key)
                                      .values(state="open", done_at=None, tenant_id=None, updated_at=now))
    return bool(result.rowcount)


async def transaction_by_key(connection: AsyncConnection, source_key: str) -> Row[Any] | None:
    """One stored transaction by its source key, row-locked."""
    return (await connection.execute(select(payment_transactions).where(
        payment_transactions.c.source_key == source_key).with_for_update())).first()


async def transaction_by_id(connection: AsyncConnection, transaction_id: int) -> Row[Any] | None:
    """One stored transaction, row-locked."""
    return (await connection.execute(select(payment_transactions).where(
        payment_transactions.c.id == transaction_id).with_for_update())).first()


async def set_match(connection: AsyncConnection, transaction_id: int, *, tenant_id: int | None,
                    reference: str | None, period: str | None = None) -> None:
    """Give a stored transaction its tenant (and month), or take it away (`tenant_id=None`)."""
    values: dict[str, Any] = {"tenant_id": tenant_id, "reference": reference}
    if period is not None:
        values["period"] = period
    await connection.execute(update(payment_transactions).where(payment_transactions.c.id == transaction_id)
                             .values(**values))


async def matched_here(connection: AsyncConnection, tenant_id: int | None = None) -> list[Row[Any]]:
    """Lines matched by hand or by their signs, with the tenant's contract id, newest first (200)."""
    statement = (select(payment_transactions, tenants.c.external_id)
                 .join(tenants, tenants.c.id == payment_transactions.c.tenant_id)
                 .where(payment_transactions.c.reference.like("by hand:%")
                        | payment_transactions.c.reference.like("herkend (%"))
                 .order_by(payment_transactions.c.id.desc()).limit(200))
    if tenant_id is not None:
        statement = statement.where(payment_transactions.c.tenant_id == tenant_id)
    return list((await connection.execute(statement)).fetchall())


# --- reading a tenant's months ------------------------------------------------------------


async def period_row(connection: AsyncConnection, tenant_id: int, period: str) -> Row[Any] | None:
    return (await connection.execute(select(payment_periods).where(
        payment_periods.c.tenant_id == tenant_id, payment_periods.c.period == period))).first()


async def tenant_periods(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return list((await connection.execute(select(payment_periods).where(
        payment_periods.c.tenant_id == tenant_id).order_by(payment_periods.c.period))).fetchall())


async def outstanding(connection: AsyncConnection, tenant_id: int) -> int:
    """What the tenant still owes over all known months, in cents."""
    gap = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
    total = (await connection.execute(
        select(func.coalesce(func.sum(gap), 0)).where(payment_periods.c.tenant_id == tenant_id, gap > 0)
    )).scalar()
    return int(total or 0)
