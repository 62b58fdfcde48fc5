"""Payment status per tenant and rent period, as values shared by intake, links and the ladder.

    expected ──▶ paid
       │  ▲        ▲
       ▼  │        │
    returned ──▶ partly_paid ──▶ paid
       │
       ▼
    in_arrangement

(The payments issue fills in the rules; this module fixes the shape the areas agree on.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PaymentStatus(StrEnum):
    EXPECTED = "expected"
    PAID = "paid"
    PARTLY_PAID = "partly_paid"
    RETURNED = "returned"
    IN_ARRANGEMENT = "in_arrangement"


@dataclass(frozen=True)
class PaymentChange:
    """What changed for one tenant and period; handed to the collection ladder and experiments."""

    tenant_id: int
    period: str                 # "2026-12"
    status: PaymentStatus
    amount_due_cents: int
    amount_paid_cents: int
    reason_code: str | None     # ISO return reason (AM04, MD06 …) when a debit came back
    source: str                 # camt, erp, api, link
    occurred_at: datetime
    returned_debit: bool = False  # this change is a bank's return of a debit (its reason steers the next step)

    @property
    def outstanding_cents(self) -> int:
        return max(0, self.amount_due_cents - self.amount_paid_cents)
