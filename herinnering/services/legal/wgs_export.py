"""The Wgs early-warning export (vroegsignalering): the arrears cases ready to be passed to
the municipality, as CSV or JSON, and the ones that are not, with the missing MVI step named.

One row per arrears case — the tenant's total over all its months, "in arrears since" the
oldest unpaid due date. A case is a candidate when it is not closed, its arrears began on or
after `since`, and it was not signalled before (or its amount grew since: a repeat signal
only when the debt grew). It is exported only when the early-warning gate
(`domain.early_warning.gate`) finds all four MVI steps done by the right hands (a phone call
or visit by a person; a posted letter or delivered e-mail; debt help delivered), no
objection and the objection window over, at least the minimum open, the municipality's
window open, address and municipality known, and no blocking answer from the municipality.
Every refused case says why. Each municipality gets its own file (`per_municipality`).

Fields (one row per case; exactly these, never a BSN):
    name                               the tenant's name
    address                            street, postal code and place in one field
    phone, email                       contact details (phone in E.164)
    amount_eur                         the amount in arrears for this case, e.g. "745.50"
    arrears_since                      the date the arrears began (ISO), the missed date
    signal_date                        the date of this export (ISO)
    type                               always "Huur"
    landlord_id                        organisation.landlord_id
    municipality                       the tenant's municipality (gemeente)
    amount_eur                         the case total (all its open months)
The municipality answers per address and arrears date (`herinnering wgs-feedback`).
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from herinnering.adapters.csv_files import SafeDictWriter
from herinnering.adapters.db import AsyncConnection, Row, early_warning_store
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.services.legal.early_warning import compose_address, verdict_for

FIELDS = ("name", "address", "phone", "email", "amount_eur", "arrears_since", "signal_date", "type",
          "landlord_id", "municipality")


@dataclass(frozen=True)
class WgsRow:
    name: str
    address: str
    phone: str
    email: str
    amount_eur: str
    arrears_since: str
    signal_date: str
    type: str
    landlord_id: str
    municipality: str


@dataclass(frozen=True)
class Refusal:
    case_id: int
    contract_id: str
    period: str
    reason: str  # names the missing MVI step(s) or the objection


@dataclass
class WgsExport:
    rows: list[WgsRow] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    amounts: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)

    def csv(self) -> str:
        out = io.StringIO()
        writer = SafeDictWriter(out, fieldnames=FIELDS, lineterminator="\n")  # no cell runs as a formula
        writer.writeheader()
        for row in self.rows:
            writer.writerow(asdict(row))
        return out.getvalue()

    def json(self) -> str:
        return json.dumps({"fields": list(FIELDS), "signals": [asdict(row) for row in self.rows]},
                          ensure_ascii=False, indent=2) + "\n"

    def per_municipality(self) -> dict[str, WgsExport]:
        """One export per municipality: each gets only its own residents."""
        parts: dict[str, WgsExport] = {}
        for row, case_id, amount in zip(self.rows, self.case_ids, self.amounts, strict=True):
            part = parts.setdefault(row.municipality, WgsExport())
            part.rows.append(row)
            part.case_ids.append(case_id)
            part.amounts.append(amount)
        return parts


def _euros(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


async def collect(connection: AsyncConnection, settings: Settings, since: date, today: date) -> WgsExport:
    """The cases ready for the municipality, and the refused ones with their reason."""
    candidates = await early_warning_store.signal_candidates(connection, since)
    export = WgsExport()
    for case in candidates:
        outstanding = max(0, case.amount_due_cents - case.amount_paid_cents)
        if outstanding <= 0:
            continue
        verdict = await verdict_for(connection, settings, case, case.municipality, today)
        if not verdict.ready:
            export.refused.append(Refusal(case.id, case.external_id, case.period, verdict.explain()))
            continue
        export.rows.append(_row(case, outstanding, settings, today))
        export.case_ids.append(case.id)
        export.amounts.append(outstanding)
    return export


def _row(case: Row[Any], outstanding: int, settings: Settings, today: date) -> WgsRow:
    return WgsRow(
        name=case.name, address=compose_address(case.address, case.postal_code, case.city),
        phone=case.phone or "", email=case.email or "", amount_eur=_euros(outstanding),
        arrears_since=case.arrears_since.isoformat(), signal_date=today.isoformat(), type="Huur",
        landlord_id=settings.organisation.landlord_id, municipality=case.municipality or "",
    )


async def mark_signalled(connection: AsyncConnection, export: WgsExport, now: datetime) -> None:
    """Remember what was passed on, so the next export does not repeat it (unless the debt grows)."""
    for case_id, amount in zip(export.case_ids, export.amounts, strict=True):
        tenant_id = await early_warning_store.mark_signalled(connection, case_id, amount, now)
        await event_log.append(connection, [event_log.event(tenant_id, "wgs_signalled", now, case_id=case_id,
                                                            amount_cents=amount)])
