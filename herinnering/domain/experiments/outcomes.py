"""What an experiment measures, per tenant: the honest "paid" and the tenant as the unit.

**One month, judged** (`judge_month`): a month counts as *paid* when it became paid after the
exposure and on or before the deadline, judged from the payment state at the deadline, and it
is undone when the debit comes back (a return) within `return_days` of that payment. So:
- already paid when the message went: left out (the message cannot have caused it);
- paid, returned AM04 two days later: not paid;
- paid, returned, paid again before the deadline: paid;
- the window (deadline + return_days) still open: left out and counted, never a failure —
  otherwise a variant that makes people pay sooner, not more, would look better.

**The tenant as the unit** (`tenant_table`): the tenant is randomised, so the tenant is
analysed. A tenant belongs to the variant of their first exposure in the experiment; within a
month only the first exposure counts (the segment-4 early reminder is not a second tenant);
over several months a tenant contributes one number: the share of their judged months that
were paid. Tenants who were exposed to more than one variant are counted (a warning).

Arrays are numpy (vectorised: the simulation judges millions of months); pure, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

import numpy as np

__all__ = ["MonthOutcome", "TenantTable", "judge_arrays", "judge_month", "tenant_table"]

PAID = "paid"
RETURNED = "returned"


class MonthOutcome(IntEnum):
    NOT_PAID = 0
    PAID = 1
    ALREADY_PAID = 2  # paid before the message went: left out
    OPEN = 3  # the window has not closed yet: left out, counted


def _status_at(changes: Sequence[tuple[datetime, str]], moment: datetime) -> tuple[str | None, datetime | None]:
    """The status in force at `moment` and since when it has held without interruption."""
    status: str | None = None
    since: datetime | None = None
    for at, new in changes:
        if at > moment:
            break
        if new != status:
            status, since = new, at
    return status, since


def judge_month(
    changes: Sequence[tuple[datetime, str]], exposed_at: datetime, deadline: datetime, return_days: int,
    now: datetime,
) -> MonthOutcome:
    """One tenant-month from its payment status changes (moment, status) for that month."""
    if now < deadline + timedelta(days=return_days):
        return MonthOutcome.OPEN
    ordered = sorted(changes, key=lambda c: c[0])
    at_exposure, _ = _status_at(ordered, exposed_at)
    if at_exposure == PAID:
        return MonthOutcome.ALREADY_PAID
    at_deadline, since = _status_at(ordered, deadline)
    if at_deadline != PAID or since is None:
        return MonthOutcome.NOT_PAID
    undo_until = since + timedelta(days=return_days)
    if any(status == RETURNED and since < at <= undo_until for at, status in ordered):
        return MonthOutcome.NOT_PAID
    return MonthOutcome.PAID


def judge_arrays(
    exposed: np.ndarray, deadline: np.ndarray, paid: np.ndarray, returned: np.ndarray, now: float,
    return_days: float,
) -> np.ndarray:
    """`judge_month` for months with at most one payment (`paid`, NaN: none) and at most one
    return after it (`returned`, NaN: none); times in days. Returns MonthOutcome codes."""
    with np.errstate(invalid="ignore"):
        already = (paid <= exposed) & ~(returned <= exposed)
        in_time = (paid > exposed) & (paid <= deadline)
        kept = np.isnan(returned) | ((returned > deadline) & (returned > paid + return_days))
        outcome = np.where(in_time & kept, MonthOutcome.PAID, MonthOutcome.NOT_PAID)
    outcome = np.where(already, MonthOutcome.ALREADY_PAID, outcome)
    return np.where(now < deadline + return_days, MonthOutcome.OPEN, outcome).astype(np.int8)


@dataclass(frozen=True)
class TenantTable:
    """One row per exposed tenant (index = the tenant code given to `tenant_table`)."""

    variant: np.ndarray  # variant index of the first exposure
    months: np.ndarray  # judged months (paid or not paid)
    paid: np.ndarray  # of which paid
    first_exposed: np.ndarray  # moment of the first exposure
    mixed: int  # tenants exposed to more than one variant
    open_months: int  # months left out because their window is open
    already_paid_months: int  # months left out because they were paid before the message
    repeat_exposures: int  # further exposures in a month already counted

    @property
    def share(self) -> np.ndarray:
        """Each judged tenant's share of paid months (tenants without a judged month: NaN)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.months > 0, self.paid / np.maximum(self.months, 1), np.nan)

    @property
    def judged(self) -> np.ndarray:
        return self.months > 0


def tenant_table(
    tenant: np.ndarray, variant: np.ndarray, month: np.ndarray, exposed: np.ndarray, outcome: np.ndarray,
    tenants: int | None = None,
) -> TenantTable:
    """Exposure rows (tenant code 0..T-1, variant index, month index, moment, MonthOutcome of
    that month) to one row per tenant. The outcome of a month is the same on all its rows."""
    tenant = np.asarray(tenant, dtype=np.int64)
    count = int(tenant.max()) + 1 if tenants is None and tenant.size else int(tenants or 0)
    order = np.lexsort((exposed, tenant))
    first_row = order[np.r_[True, tenant[order][1:] != tenant[order][:-1]]] if tenant.size else order
    first_variant = np.full(count, -1, dtype=np.int64)
    first_variant[tenant[first_row]] = variant[first_row]
    first_exposed = np.full(count, np.nan)
    first_exposed[tenant[first_row]] = exposed[first_row]
    low = np.full(count, np.iinfo(np.int64).max)
    high = np.full(count, -1)
    np.minimum.at(low, tenant, variant)
    np.maximum.at(high, tenant, variant)
    mixed = int(np.sum((high >= 0) & (low != high)))
    cell = tenant * (int(month.max()) + 1 if month.size else 1) + month
    order = np.lexsort((exposed, cell))
    firsts = order[np.r_[True, cell[order][1:] != cell[order][:-1]]] if cell.size else order
    codes = outcome[firsts]
    judged = (codes == MonthOutcome.PAID) | (codes == MonthOutcome.NOT_PAID)
    months = np.bincount(tenant[firsts][judged], minlength=count)
    paid = np.bincount(tenant[firsts][codes == MonthOutcome.PAID], minlength=count)
    return TenantTable(
        variant=first_variant, months=months, paid=paid, first_exposed=first_exposed, mixed=mixed,
        open_months=int(np.sum(codes == MonthOutcome.OPEN)),
        already_paid_months=int(np.sum(codes == MonthOutcome.ALREADY_PAID)),
        repeat_exposures=int(cell.size - firsts.size),
    )
