"""tenant record: street, house number and addition, lease start, payment method, SEPA mandate

E-mail, postcode, city, municipality and the lease end (`contract_ended_on`) existed already.
Every existing tenant pays by direct debit today (each has a collection day, and every
reminder said "wij schrijven af"), so `payment_method` starts as `incasso` for all of them.
A stored street line ("Kerkstraat 12 A") is split into street, number and addition where it
has that shape; the line itself stays, so nothing is lost.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_STREET_LINE = re.compile(r"(.*?[^\d\s].*?)\s+(\d{1,5})(?:\s*[-/ ]?\s*([A-Za-z0-9]{1,6}))?")


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("street", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("house_number", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("house_number_addition", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("lease_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("payment_method", sa.String(length=16), nullable=False,
                                   server_default="incasso"))
        batch.add_column(sa.Column("mandate_id", sa.String(length=35), nullable=True))
        batch.add_column(sa.Column("mandate_signed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("pre_notification_days", sa.SmallInteger(), nullable=True))
    tenants = sa.table("tenants", sa.column("id", sa.Integer), sa.column("address", sa.String),
                       sa.column("street", sa.String), sa.column("house_number", sa.String),
                       sa.column("house_number_addition", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(tenants.c.id, tenants.c.address).where(tenants.c.address.is_not(None)))
    for tenant_id, address in rows.fetchall():
        match = _STREET_LINE.fullmatch(" ".join(address.split()))
        if match is None:
            continue  # the line stays as it was; the next import fills the parts
        connection.execute(sa.update(tenants).where(tenants.c.id == tenant_id).values(
            street=match.group(1), house_number=str(int(match.group(2))),
            house_number_addition=match.group(3).upper() if match.group(3) else None))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        for column in ("pre_notification_days", "mandate_signed_on", "mandate_id", "payment_method",
                       "lease_start", "house_number_addition", "house_number", "street"):
            batch.drop_column(column)
