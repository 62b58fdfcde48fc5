"""The re-collection file (herincasso, SEPA pain.008) on screen, for team leads: what would be
re-collected per collection date (and what would be left out, with the reason), making the
file — the same `returns.export_in` the CLI uses, so the same rules and the same events — its
download exactly as made, and marking it handed to the bank. Each step is in the audit log.

Only direct-debit tenants are ever in a file: `returns.left_out_because` leaves out everyone
else (and months paid, arranged, without IBAN or mandate) before a byte is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from herinnering.adapters.db import Row, recollection_store, user_store
from herinnering.clock import local_day
from herinnering.domain.payments.return_reasons import bank_deadline
from herinnering.errors import Conflict, NotFound
from herinnering.runtime import Runtime
from herinnering.services.conversations.threads import Officer
from herinnering.services.payments import balance, returns


@dataclass(frozen=True)
class Line:
    row: Row[Any]                 # recollection_store.scheduled
    amount_cents: int             # what the file would ask (never more than is open now)
    left_out: str | None          # why it would not go in


@dataclass
class Day:
    collect_on: date
    deadline: date                # the file must reach the bank by this day
    late: bool                    # today is past the deadline
    lines: list[Line] = field(default_factory=list)

    @property
    def included(self) -> list[Line]:
        return [line for line in self.lines if line.left_out is None]

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.included)


@dataclass(frozen=True)
class Overview:
    today: date
    days: list[Day]
    batches: list[Row[Any]]


async def overview(runtime: Runtime) -> Overview:
    today = local_day(runtime.clock.now(), runtime.settings)
    days: dict[date, Day] = {}
    async with runtime.db.begin() as connection:
        for row in await recollection_store.scheduled(connection):
            status = await balance.period_status(connection, row.tenant_id, row.period)
            why = returns.left_out_because(row, status)
            open_cents = status.outstanding_cents if status is not None else row.amount_cents
            deadline = bank_deadline(row.collect_on)
            day = days.setdefault(row.collect_on, Day(row.collect_on, deadline, today > deadline))
            day.lines.append(Line(row, min(open_cents, row.amount_cents), why))
        batches = await recollection_store.batches(connection)
    return Overview(today, sorted(days.values(), key=lambda d: d.collect_on), batches)


async def make_file(runtime: Runtime, officer: Officer, collect_on: date) -> returns.RecollectionExport:
    """The file for one collection date, stored as a batch; the audit log says who made it."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        made = await returns.export_in(connection, runtime.settings, now, collect_on, officer.email)
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email,
                               action="recollection_file_made", now=now, collect_on=collect_on.isoformat(),
                               batch_id=made.batch_id, payments=len(made.included), total_cents=made.total_cents,
                               left_out=len(made.left_out))
    return made


async def download(runtime: Runtime, officer: Officer, batch_id: int) -> Row[Any]:
    async with runtime.db.begin() as connection:
        found = await recollection_store.batch(connection, batch_id)
        if found is None:
            raise NotFound(f"re-collection file {batch_id} does not exist")
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email,
                               action="recollection_file_downloaded", now=runtime.clock.now(), batch_id=batch_id)
    return found


async def mark_handed(runtime: Runtime, officer: Officer, batch_id: int) -> None:
    """Record that the file went to the bank; refused when someone already did."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        found = await recollection_store.batch(connection, batch_id)
        if found is None:
            raise NotFound(f"re-collection file {batch_id} does not exist")
        if not await recollection_store.mark_handed(connection, batch_id, officer.email, now):
            raise Conflict(f"file {batch_id} was already marked as handed to the bank"
                                   + (f" by {found.handed_by}" if found.handed_by else " a moment ago"))
        await user_store.audit(connection, user_id=officer.id, user_email=officer.email,
                               action="recollection_file_handed", now=now, batch_id=batch_id,
                               collect_on=found.collect_on.isoformat(), payments=found.payment_count,
                               total_cents=found.total_cents)


async def record_handed(runtime: Runtime, batch_id: int, by: str) -> Row[Any]:
    """The same record from the command line (`recollect handed`, which writes its own audit
    entry); the file as it was before."""
    async with runtime.db.begin() as connection:
        found = await recollection_store.batch(connection, batch_id)
        if found is None:
            raise NotFound(f"--batch {batch_id}: no such re-collection file")
        if not await recollection_store.mark_handed(connection, batch_id, by, runtime.clock.now()):
            raise Conflict(f"file {batch_id} was already handed to the bank")
    return found
