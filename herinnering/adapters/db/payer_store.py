"""Queries of the bank-line matcher: who could have paid this, and the accounts others pay from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.engine import dialect_insert
from herinnering.adapters.db.payment_tables import payer_accounts, payment_periods
from herinnering.adapters.db.tables import tenants
from herinnering.domain.payments.bank_matching import Candidate, OpenMonth

_GAP = payment_periods.c.amount_due_cents - payment_periods.c.amount_paid_cents
_NORMAL_IBAN = func.upper(func.replace(tenants.c.iban, " ", ""))


async def candidates(connection: AsyncConnection, *, iban: str | None, postcodes: Iterable[str],
                     amount_cents: int, limit: int = 25) -> list[Candidate]:
    """Active tenants with a sign of having paid this: the account, a postcode named, or an open
    month of exactly this amount (those last at most `limit`: a common rent matches many)."""
    labels: dict[int, str] = {}
    if iban:
        for row in await connection.execute(select(tenants.c.id).where(_NORMAL_IBAN == iban)):
            labels[row.id] = "huurder"
        for row in await connection.execute(select(payer_accounts.c.tenant_id, payer_accounts.c.label)
                                            .where(payer_accounts.c.iban == iban)):
            labels.setdefault(row.tenant_id, row.label)
    ids = set(labels)
    codes = sorted(set(postcodes))
    if codes:
        ids.update((await connection.execute(select(tenants.c.id).where(tenants.c.postal_code.in_(codes))))
                   .scalars())
    ids.update((await connection.execute(
        select(payment_periods.c.tenant_id).where(_GAP == amount_cents).distinct().limit(limit))).scalars())
    if not ids:
        return []
    rows = (await connection.execute(select(tenants).where(tenants.c.id.in_(sorted(ids)),
                                                           tenants.c.active.is_(True)))).fetchall()
    months: dict[int, list[OpenMonth]] = {}
    for row in await connection.execute(
            select(payment_periods.c.tenant_id, payment_periods.c.period, _GAP.label("gap"))
            .where(payment_periods.c.tenant_id.in_(sorted(ids)), _GAP > 0).order_by(payment_periods.c.period)):
        months.setdefault(row.tenant_id, []).append(OpenMonth(row.period, int(row.gap)))
    return [Candidate(
        tenant_id=row.id, contract_id=row.external_id, name=row.name, monthly_rent_cents=row.monthly_rent_cents,
        open_months=tuple(months.get(row.id, ())), postcode=_attr(row, "postal_code"), street=_attr(row, "street"),
        house_number=_attr(row, "house_number"), iban_label=labels.get(row.id),
    ) for row in rows]


def _attr(row: Row[Any], name: str) -> str | None:
    value = row._mapping.get(name)
    return str(value) if value else None


async def add_payer(connection: AsyncConnection, tenant_id: int, iban: str, label: str, by: str,
                    now: datetime) -> bool:
    statement = dialect_insert(connection, payer_accounts).on_conflict_do_nothing(
        index_elements=["iban", "tenant_id"]).returning(payer_accounts.c.id)
    row = (await connection.execute(statement, [{"tenant_id": tenant_id, "iban": iban, "label": label,
                                                 "created_by": by, "created_at": now}])).first()
    return row is not None
