"""Use cases around the early-warning gate: the verdict for one case (from its MVI record,
the municipality's window and answers), the tenant's objection (by keyword, or recorded by an
officer), and importing the municipality's answers to our signals.

An objection is recorded as the MVI step `objection` on every open case of the tenant, with the
text and channel it came in, so the gate refuses the signal and the proof bundle shows it.
A municipality's "deceased" stops everything for that tenant: planned messages are cancelled,
the tenant is marked opted out and the ladder is paused open-ended.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    case_store,
    early_warning_store,
    message_store,
    mvi_store,
    tenant_store,
)
from herinnering.adapters.db import events as event_log
from herinnering.config import Settings
from herinnering.domain.legal.early_warning import (
    Feedback,
    StepRecord,
    Verdict,
    gate,
    parse_feedback,
)
from herinnering.domain.legal.mvi import CHANNELS, MviStep
from herinnering.domain.payments.costs import presumed_receipt
from herinnering.services.conversations.objections import TenantObjected
from herinnering.services.legal import mvi
from herinnering.services.payments.pause import pause

TENANT_WIDE = frozenset({Feedback.DECEASED, Feedback.NOT_RESIDENT})


def compose_address(address: str | None, postal_code: str | None, city: str | None) -> str:
    """'Lindelaan 12, 1234 AB Utrecht': one address field, as the signal carries it."""
    place = " ".join(part for part in (postal_code or "", city or "") if part)
    return ", ".join(part for part in (address or "", place) if part)


def _plain(text: str) -> str:
    return " ".join(text.replace(",", " ").lower().split())


async def feedback_of(connection: AsyncConnection, case: Row[Any]) -> list[Feedback]:
    """The answers that count for this case: its own, and tenant-wide ones on any of the tenant's cases."""
    rows = await early_warning_store.answers_for_tenant(connection, case.tenant_id)
    return [Feedback(row.status) for row in rows if row.case_id == case.id or Feedback(row.status) in TENANT_WIDE]


def contact_missing(tenant: Row[Any]) -> list[tuple[str, str]]:
    """What the signal needs of the tenant record and does not have (English, Dutch), in words an officer acts on."""
    missing = []
    if not (tenant.address and tenant.postal_code and tenant.city):
        parts = [(en, nl) for en, nl, value in (("street and number", "straat en huisnummer", tenant.address),
                                                ("postcode", "postcode", tenant.postal_code),
                                                ("city", "plaats", tenant.city)) if not value]
        missing.append((f"the address ({', '.join(en for en, _ in parts)})",
                        f"het adres ({', '.join(nl for _, nl in parts)})"))
    if not tenant.municipality:
        missing.append(("the municipality", "de gemeente"))
    return missing


async def offer_received_on(connection: AsyncConnection, case_id: int) -> date | None:
    """When the tenant received the first posted written offer: a posted letter's presumed
    receipt, a delivered e-mail's delivery day."""
    rows = await early_warning_store.posted_letters(connection, case_id)
    days = [row.posted_on if row.post_method == "email" else presumed_receipt(row.posted_on) for row in rows]
    return min(days) if days else None


async def verdict_for(connection: AsyncConnection, settings: Settings, case: Row[Any], municipality: str | None,
                      today: date) -> Verdict:
    """The gate's verdict on one case today (the tenant's objection on any of their cases counts)."""
    tenant = await tenant_store.by_id(connection, case.tenant_id)
    if tenant is None:
        raise LookupError(f"case {case.id}: tenant {case.tenant_id} does not exist")
    own = await mvi.records_of(connection, case.id)
    elsewhere = await mvi_store.steps_on_other_cases(connection, case.tenant_id, case.id, MviStep.OBJECTION.value)
    records = [StepRecord(MviStep(r.step), r.channel, r.occurred_at, r.recorded_by, r.source_key)
               for r in [*own, *elsewhere]]
    lawful = settings.lawful
    return gate(
        records, window=lawful.window(municipality or tenant.municipality), missed_on=case.arrears_since,
        today=today, outstanding_cents=max(0, case.amount_due_cents - case.amount_paid_cents),
        signalled_cents=case.signalled_cents if case.signalled_at is not None else None,
        feedback=await feedback_of(connection, case), offer_received_on=await offer_received_on(connection, case.id),
        objection_days=lawful.objection_days,
        minimum_cents=round(lawful.signal_minimum_months * tenant.monthly_rent_cents),
        contact_missing=contact_missing(tenant),
    )


# --- the tenant's objection ---------------------------------------------------------------


async def record_objection(
    connection: AsyncConnection, tenant_id: int, *, channel: str, text: str, by: str, key: str, now: datetime,
) -> list[dict[str, Any]]:
    """Record the tenant's objection on every open case; returns events (empty when no open case)."""
    open_cases = await early_warning_store.unclosed_case_ids(connection, tenant_id)
    recorded = 0
    for case_id in open_cases:
        recorded += await mvi.record(
            connection, case_id=case_id, tenant_id=tenant_id, step=MviStep.OBJECTION,
            channel=channel if channel in CHANNELS else "other", text=text or "bezwaar", occurred_at=now,
            by=by, source_key=f"objection:{key}:{case_id}", now=now,
        )
    return [event_log.event(tenant_id, "objection_recorded", now, cases=recorded, channel=channel, by=by)]


async def on_objection(connection: AsyncConnection, objection: TenantObjected) -> list[dict[str, Any]]:
    """Subscriber (bootstrap): a tenant objected in a conversation, by keyword or to an officer."""
    return await record_objection(connection, objection.tenant_id, channel=objection.channel, text=objection.text,
                                  by=objection.by, key=objection.key, now=objection.occurred_at)


async def objections(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    return [row for row in await mvi.records_of(connection, case_id) if row.step == MviStep.OBJECTION.value]


# --- the municipality's answers ------------------------------------------------------------

COLUMNS = {
    "name": "name", "naam": "name",
    "address": "address", "adres": "address",
    "arrears_since": "arrears_since", "achterstand_sinds": "arrears_since", "datum_achterstand": "arrears_since",
    "status": "status", "terugkoppeling": "status",
    "answered_on": "answered_on", "datum": "answered_on",
    "note": "note", "toelichting": "note",
}


@dataclass
class FeedbackReport:
    stored: int = 0
    repeated: int = 0
    stopped_tenants: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    number: int
    address: str
    arrears_since: date
    status: Feedback
    answered_on: date
    note: str


def parse_feedback_csv(text: str, today: date) -> tuple[list[_Line], list[str]]:
    """The lines of a municipality's answer file, and every bad line named."""
    sample = text[:2048]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") > sample.count(",") else ",")
    headers = {h: COLUMNS.get((h or "").strip().lower()) for h in reader.fieldnames or []}
    missing = {"address", "arrears_since", "status"} - set(headers.values())
    if missing:
        return [], [f"line 1: missing column(s) {', '.join(sorted(missing))}"]
    lines, errors = [], []
    for number, raw in enumerate(reader, start=2):
        row = {headers[k]: (v or "").strip() for k, v in raw.items() if k in headers and headers[k]}
        status = parse_feedback(row.get("status", ""))
        try:
            since = date.fromisoformat(row.get("arrears_since", ""))
            answered = date.fromisoformat(row["answered_on"]) if row.get("answered_on") else today
        except ValueError:
            errors.append(f"line {number}: a date is not like 2026-12-02")
            continue
        if status is None:
            errors.append(f"line {number}: status {row.get('status')!r} is not one of " + ", ".join(Feedback))
            continue
        if not row.get("address"):
            errors.append(f"line {number}: no address")
            continue
        lines.append(_Line(number, row["address"], since, status, answered, row.get("note", "")))
    return lines, errors


async def import_feedback(connection: AsyncConnection, settings: Settings, text: str, now: datetime,
                          today: date, by: str) -> FeedbackReport:
    """Store the municipality's answers (each once) and act on them; a file with a bad line stores nothing."""
    report = FeedbackReport()
    lines, report.errors = parse_feedback_csv(text, today)
    matched: list[tuple[_Line, Row[Any]]] = []
    for line in lines:
        candidates = await early_warning_store.signalled_cases_since(connection, line.arrears_since)
        found = [c for c in candidates if _plain(compose_address(c.address, c.postal_code, c.city)) == _plain(line.address)]
        if len(found) != 1:
            report.errors.append(f"line {line.number}: no signalled case at {line.address!r} with arrears since "
                                 f"{line.arrears_since}" if not found else f"line {line.number}: more than one case matches")
            continue
        matched.append((line, found[0]))
    if report.errors:
        return report
    for line, case in matched:
        key = hashlib.sha256(f"{case.id}|{line.status}|{line.answered_on}".encode()).hexdigest()
        new = await early_warning_store.add_answer(
            connection, case_id=case.id, status=line.status.value, answered_on=line.answered_on, note=line.note,
            source_key=key, created_at=now)
        if not new:
            report.repeated += 1
            continue
        report.stored += 1
        rows = [event_log.event(case.tenant_id, "municipal_feedback", now, case_id=case.id, status=line.status.value)]
        if line.status is Feedback.DECEASED:
            rows.extend(await stop_everything(connection, settings, case.tenant_id, now, by))
            report.stopped_tenants.append(case.external_id)
        await event_log.append(connection, rows)
    return report


async def stop_everything(connection: AsyncConnection, settings: Settings, tenant_id: int, now: datetime,
                          by: str) -> list[dict[str, Any]]:
    """No message goes to a deceased tenant again: cancel what is planned, opt out, pause the ladder."""
    rows = []
    if await tenant_store.set_opted_out(connection, tenant_id, now):
        rows.append(event_log.event(tenant_id, "tenant_opted_out", now, source="municipality_deceased"))
    rows.extend(await message_store.cancel_planned(connection, tenant_id, now, "tenant deceased (municipality)"))
    await pause(connection, settings, tenant_id, None, "overleden (terugkoppeling gemeente)", now, by)
    return rows


async def signal_lines(connection: AsyncConnection, settings: Settings, tenant: Row[Any], case_ids: list[int],
                       today: date) -> dict[int, str]:
    """Per case one line for `herinnering ladder`: ready for the municipality, or why not."""
    lines = {}
    for case_id in case_ids:
        case = await case_store.case_by_id(connection, case_id)
        if case is None:
            raise LookupError(f"case {case_id} does not exist")
        verdict = await verdict_for(connection, settings, case, tenant.municipality, today)
        lines[case_id] = ("Wgs: ready for the municipality" if verdict.ready
                          else f"Wgs: not yet — {verdict.explain()}")
    return lines
