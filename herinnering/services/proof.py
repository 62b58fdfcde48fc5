"""Use case: the proof bundle of one arrears case — what a lawyer hands to the court.

One document with every step, each as it happened: the early-warning verdict, the MVI steps
(text, channel, time, who), every message to the tenant as sent (text, channel, time, delivery
status), the tenant's replies, the letters (Dutch text and translation, costs and dates), the
officer's tasks (contact attempts), the offer to pass on data and the objection — or, stated in
words, its absence —, the municipality's signal and answers, payments and arrangements.
Written as PDF and as an HTML twin (`templates/web/proof.html.j2`) from the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import jinja2
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters import pdf
from herinnering.adapters.db import case_store
from herinnering.adapters.db.collection_tables import arrangements, arrears_cases, instalments
from herinnering.adapters.db.consent_tables import whatsapp_consents
from herinnering.adapters.db.conversation_tables import thread_messages, threads
from herinnering.adapters.db.lawful_tables import municipal_feedback
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import messages, tasks
from herinnering.bootstrap import Runtime
from herinnering.config import Settings
from herinnering.domain.mvi import DESCRIPTIONS, MviStep
from herinnering.errors import HerinneringError
from herinnering.resources import templates_dir
from herinnering.services import mvi
from herinnering.services.collection import local_day
from herinnering.services.early_warning import compose_address, verdict_for
from herinnering.services.letters import letters_of


@dataclass(frozen=True)
class Bundle:
    title: str
    sections: list[pdf.Section]
    pdf: bytes
    html: str


def _euro(cents: int | None) -> str:
    return f"€ {Decimal(cents or 0) / 100:.2f}".replace(".", ",")


def _when(moment: datetime | date | None, settings: Settings) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return moment.astimezone(settings.reminders.timezone).strftime("%d-%m-%Y %H:%M")
    return moment.strftime("%d-%m-%Y")


async def _all(connection: AsyncConnection, statement: Any) -> list[Row[Any]]:
    return list((await connection.execute(statement)).fetchall())


async def gather(connection: AsyncConnection, settings: Settings, tenant: Row[Any], case: Row[Any],
                 today: date) -> list[pdf.Section]:
    """The sections of the bundle, in the order a judge reads them."""
    steps = await mvi.records_of(connection, case.id)
    verdict = await verdict_for(connection, settings, case, tenant.municipality, today)
    sections = [pdf.Section("Huurder en zaak", [
        f"Huurder: {tenant.name}, huurcontract {tenant.external_id}",
        f"Adres: {compose_address(tenant.address, tenant.postal_code, tenant.city) or '—'}; "
        f"gemeente: {tenant.municipality or '—'}",
        f"Kanaal en taal: {tenant.channel}, {tenant.language}; afgemeld: {'ja' if tenant.opted_out else 'nee'}",
        f"Periode {case.period}: achterstand sinds {_when(case.missed_on, settings)}, verschuldigd "
        f"{_euro(case.amount_due_cents)}, betaald {_euro(case.amount_paid_cents)}, status {case.state}",
    ])]
    gate_lines = ["Klaar voor vroegsignalering: " + ("ja" if verdict.ready else "nee")]
    gate_lines += [f"- {reason}" for reason in verdict.reasons]
    gate_lines.append(f"Gesignaleerd aan de gemeente: {_when(case.signalled_at, settings)}"
                      + (f" ({_euro(case.signalled_cents)})" if case.signalled_at else ""))
    for answer in await _all(connection, select(municipal_feedback).where(municipal_feedback.c.case_id == case.id)
                             .order_by(municipal_feedback.c.answered_on)):
        gate_lines.append(f"Terugkoppeling gemeente {_when(answer.answered_on, settings)}: {answer.status} {answer.note}")
    sections.append(pdf.Section("Vroegsignalering (Besluit gemeentelijke schuldhulpverlening art. 2)", gate_lines))

    step_lines = []
    for row in steps:
        step = MviStep(row.step)
        text = "(de brief staat hieronder bij Brieven)" if row.source_key.startswith("letter:") else row.text
        step_lines.append(f"{_when(row.occurred_at, settings)} — {DESCRIPTIONS[step]} ({row.channel}, door "
                          f"{row.recorded_by}):\n{text}")
    sections.append(pdf.Section("MVI-stappen zoals vastgelegd", step_lines or ["Geen stappen vastgelegd."]))

    offers = [r for r in steps if r.step == MviStep.DATA_OFFER.value]
    objections = [r for r in steps if r.step == MviStep.OBJECTION.value]
    sections.append(pdf.Section("Aanbod gegevens door te geven, en bezwaar", [
        *(f"Aanbod gedaan op {_when(r.occurred_at, settings)} per {r.channel}." for r in offers),
        *([] if offers else ["Er is geen schriftelijk aanbod vastgelegd."]),
        *(f"BEZWAAR op {_when(r.occurred_at, settings)} per {r.channel} (door {r.recorded_by}): {r.text}"
          for r in objections),
        *([] if objections else ["Er is geen bezwaar van de huurder vastgelegd."]),
    ]))

    letter_lines = []
    for letter in await letters_of(connection, case.id):
        if letter.state != "posted":
            letter_lines.append(f"{letter.kind}, opgesteld {_when(letter.generated_on, settings)}, nog niet "
                                f"verstuurd: telt niet mee")
            continue
        head = (f"{letter.kind}, verstuurd {_when(letter.posted_on, settings)} per {letter.channel} "
                f"(pdf sha256 {letter.pdf_sha256[:16]}…)")
        if letter.received_on:
            head += (f"; vermoedelijke ontvangst {_when(letter.received_on, settings)}, termijn tot en met "
                     f"{_when(letter.term_ends_on, settings)}, kosten {_euro(letter.costs_cents)} verschuldigd vanaf "
                     f"{_when(letter.costs_due_from, settings)}")
        letter_lines += [head, letter.body]
        if letter.translation:
            letter_lines += [f"Vertaling ({letter.language}):", letter.translation]
    sections.append(pdf.Section("Brieven", letter_lines or ["Geen brieven verstuurd."]))

    message_lines = []
    for row in await _all(connection, select(messages).where(messages.c.tenant_id == tenant.id)
                          .order_by(messages.c.send_at, messages.c.id)):
        message_lines.append(
            f"{_when(row.sent_at or row.send_at, settings)} — {row.kind} per {row.channel}; status {row.state}"
            + (f" (afgeleverd {_when(row.delivered_at, settings)})" if row.delivered_at else "")
            + (f" (fout {row.error_code})" if row.error_code else "") + f":\n{row.body or '(nog niet opgesteld)'}")
    sections.append(pdf.Section("Berichten aan de huurder (sms/WhatsApp)", message_lines or ["Geen berichten."]))
    consents = await _all(connection, select(whatsapp_consents).where(whatsapp_consents.c.tenant_id == tenant.id)
                          .order_by(whatsapp_consents.c.agreed_at))
    sections.append(pdf.Section("Toestemming voor WhatsApp", [
        f"{_when(c.agreed_at, settings)} — {c.business_name}, kanaal {c.channel}, via {c.method} ({c.source}), "
        f"taal {c.language}:\n{c.text}" for c in consents
    ] or ["Geen toestemming voor WhatsApp vastgelegd."]))

    replies = await _all(connection, select(thread_messages).join(threads, threads.c.id == thread_messages.c.thread_id)
                         .where(threads.c.tenant_id == tenant.id).order_by(thread_messages.c.created_at))
    sections.append(pdf.Section("Gesprek", [
        f"{_when(r.created_at, settings)} — {r.author} ({r.direction}, {r.channel}): {r.body}" for r in replies
    ] or ["Geen berichten van of aan de huurder in het gesprek."]))

    task_lines = [
        f"{_when(t.created_at, settings)} — {t.title} ({t.kind}): {t.state}"
        + (f" op {_when(t.done_at, settings)} door {t.assigned_to or '—'}" if t.done_at else "")
        + (f"; {(t.data or {}).get('channel')}: {(t.data or {}).get('note')}" if (t.data or {}).get("note") else "")
        for t in await _all(connection, select(tasks).where(tasks.c.tenant_id == tenant.id).order_by(tasks.c.id))
    ]
    sections.append(pdf.Section("Contactpogingen en taken van medewerkers", task_lines or ["Geen taken."]))

    money_lines = [
        f"Periode {p.period}: verschuldigd {_euro(p.amount_due_cents)}, betaald {_euro(p.amount_paid_cents)}, "
        f"status {p.status}{' (' + p.reason_code + ')' if p.reason_code else ''}"
        for p in await _all(connection, select(payment_periods).where(payment_periods.c.tenant_id == tenant.id)
                            .order_by(payment_periods.c.period))
    ]
    money_lines += [
        f"{_when(t.booked_on or t.created_at, settings)} — {t.kind} {_euro(t.amount_cents)} ({t.source}"
        f"{', ' + t.reason_code if t.reason_code else ''}) periode {t.period or '—'}"
        for t in await _all(connection, select(payment_transactions).where(payment_transactions.c.tenant_id == tenant.id)
                            .order_by(payment_transactions.c.id))
    ]
    for plan in await _all(connection, select(arrangements).where(arrangements.c.tenant_id == tenant.id)):
        money_lines.append(f"Betalingsregeling {plan.id} ({plan.state}) van {_when(plan.created_at, settings)}: "
                           f"{_euro(plan.total_cents)} voor {plan.periods}, elke {plan.every}")
        money_lines += [f"  termijn {i.number}: {_euro(i.amount_cents)} op {_when(i.due_on, settings)} — {i.state}"
                        for i in await _all(connection, select(instalments).where(
                            instalments.c.arrangement_id == plan.id).order_by(instalments.c.number))]
    sections.append(pdf.Section("Betalingen en betalingsregelingen", money_lines or ["Geen betalingen."]))
    return sections


def html(title: str, sections: list[pdf.Section], generated: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("web/proof.html.j2").render(title=title, sections=sections, generated=generated)


async def build(runtime: Runtime, tenant: Row[Any], period: str | None) -> Bundle:
    """The bundle of the tenant's case for `period` (default: the latest case)."""
    settings = runtime.settings
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        if period:
            case = await case_store.get_case(connection, tenant.id, period)
        else:
            statement = select(arrears_cases).where(arrears_cases.c.tenant_id == tenant.id)
            case = (await connection.execute(statement.order_by(arrears_cases.c.missed_on.desc(),
                                                                arrears_cases.c.id.desc()).limit(1))).first()
        if case is None:
            raise HerinneringError(f"{tenant.external_id} has no {'such ' if period else ''}arrears case")
        sections = await gather(connection, settings, tenant, case, local_day(now, settings))
    title = f"Bewijsdossier {tenant.external_id} {case.period} — {settings.organisation.name}"
    generated = f"Opgesteld op {_when(now, settings)} door herinnering"
    document = pdf.render(title, [pdf.Section("", [generated]), *sections], footer=title)
    return Bundle(title, sections, document, html(title, sections, generated))
