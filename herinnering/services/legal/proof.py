"""Use case: the proof bundle of one arrears case — what a lawyer hands to the court — sealed.

One document per case, all in Dutch (keys the code stores appear in words, domain/dutch_words.py),
in the order a judge reads it: the case (its months and total), the early-warning verdict and
the municipality's answers, the MVI steps (text, channel, time, who), the offer and the
objection — or, stated in words, their absence —, the letters as posted with their posting
proof (batch and its hash, track-and-trace number, e-mail delivery record), whether and from
when costs are due, every message with the number it went to, the provider's message id and
its delivery status, the conversation, the officers' tasks and audit entries by name, payments
and arrangements. No live tenant-page or payment link: every web address is replaced. One
sha256 over the bundle's text (`seal`) is printed on it, so any change to the content shows.
Written as PDF and as an HTML twin (`templates/web/proof.html.j2`) from the same sections.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import jinja2

from herinnering.adapters import pdf
from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    arrangement_store,
    case_store,
    proof_store,
    tenant_store,
    user_store,
)
from herinnering.clock import local_day
from herinnering.config import Settings
from herinnering.domain.dutch_words import without_links, word
from herinnering.domain.legal.mvi import MviStep
from herinnering.errors import NotFound
from herinnering.resources import templates_dir
from herinnering.runtime import Runtime
from herinnering.services.legal import mvi
from herinnering.services.legal.early_warning import compose_address, verdict_for
from herinnering.services.legal.letters import costs_due, letters_of


@dataclass(frozen=True)
class Bundle:
    title: str
    sections: list[pdf.Section]
    seal: str      # sha256 over the text of title and sections, printed on the bundle
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


def _who(by: str | None) -> str:
    """Who recorded a step: an officer by e-mail address, or in words for the automatic parts."""
    return {"ladder": "de ladder (automatisch)", "tenant": "de huurder", "bot": "automatisch",
            "system": "automatisch"}.get(by or "", by or "—")


def seal_of(title: str, sections: list[pdf.Section]) -> str:
    """The bundle's seal: sha256 over its title, headings and paragraphs, one per line."""
    lines = [title]
    for section in sections:
        lines.append(section.heading)
        lines.extend(section.paragraphs)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


async def gather(connection: AsyncConnection, settings: Settings, tenant: Row[Any], case: Row[Any],
                 today: date) -> list[pdf.Section]:
    """The sections of the bundle, in the order a judge reads them."""
    steps = await mvi.records_of(connection, case.id)
    verdict = await verdict_for(connection, settings, case, tenant.municipality, today)
    months = await case_store.months_of(connection, case.id)
    sections = [pdf.Section("Huurder en zaak", [
        f"Huurder: {tenant.name}, huurcontract {tenant.external_id}",
        f"Adres: {compose_address(tenant.address, tenant.postal_code, tenant.city) or '—'}; "
        f"gemeente: {tenant.municipality or '—'}",
        f"Kanaal en taal: {word('channel', tenant.channel)}, {tenant.language}; "
        f"afgemeld: {'ja' if tenant.opted_out else 'nee'}",
        f"Zaak {case.id}: {word('case_state', case.state)}, geopend {_when(case.opened_at, settings)}, "
        f"achterstand sinds {_when(case.arrears_since, settings)}, totaal open "
        f"{_euro(case.amount_due_cents - case.amount_paid_cents)}",
        *(f"Maand {m.period}: te betalen op {_when(m.due_on, settings)}, verschuldigd {_euro(m.amount_due_cents)}, "
          f"betaald {_euro(m.amount_paid_cents)}" + (" (voldaan)" if m.amount_paid_cents >= m.amount_due_cents else "")
          for m in months),
    ])]
    gate_lines = ["Klaar voor vroegsignalering: " + ("ja" if verdict.ready else "nee")]
    gate_lines += [f"- {reason}" for reason in verdict.dutch]
    gate_lines.append(f"Gesignaleerd aan de gemeente: {_when(case.signalled_at, settings)}"
                      + (f" ({_euro(case.signalled_cents)})" if case.signalled_at else ""))
    for answer in await proof_store.municipal_answers(connection, case.id):
        gate_lines.append(f"Terugkoppeling gemeente {_when(answer.answered_on, settings)}: "
                          f"{word('feedback', answer.status)} {answer.note}".rstrip())
    sections.append(pdf.Section("Vroegsignalering (Besluit gemeentelijke schuldhulpverlening art. 2)", gate_lines))

    step_lines = []
    for row in steps:
        text = ("(de brief staat hieronder bij Brieven)" if row.source_key.startswith("letter:")
                else without_links(row.text))
        step_lines.append(f"{_when(row.occurred_at, settings)} — {word('mvi_step', row.step)} "
                          f"({word('channel', row.channel)}, door {_who(row.recorded_by)}):\n{text}")
    sections.append(pdf.Section("MVI-stappen zoals vastgelegd", step_lines or ["Geen stappen vastgelegd."]))

    offers = [r for r in steps if r.step == MviStep.DATA_OFFER.value]
    objections = [r for r in steps if r.step == MviStep.OBJECTION.value]
    sections.append(pdf.Section("Aanbod gegevens door te geven, en bezwaar", [
        *(f"Aanbod gedaan op {_when(r.occurred_at, settings)} per {word('channel', r.channel)}." for r in offers),
        *([] if offers else ["Er is geen schriftelijk aanbod vastgelegd."]),
        *(f"BEZWAAR op {_when(r.occurred_at, settings)} per {word('channel', r.channel)} (door {_who(r.recorded_by)}): "
          f"{without_links(r.text)}" for r in objections),
        *([] if objections else ["Er is geen bezwaar van de huurder vastgelegd."]),
    ]))

    letter_lines = []
    for letter in await letters_of(connection, case.id):
        kind = word("letter_kind", letter.kind)
        if letter.state != "posted":
            letter_lines.append(f"{kind}, opgesteld {_when(letter.generated_on, settings)}, nog niet verstuurd: "
                                f"telt niet mee.")
            continue
        proof = word("post_method", letter.post_method)
        if letter.post_batch_id is not None:
            batch = await proof_store.batch_seal(connection, letter.post_batch_id)
            if batch is not None:
                proof += f", verzendlijst {batch.id} (pdf sha256 {batch.pdf_sha256})"
        if letter.tracking_number:
            proof += f", track-and-trace {letter.tracking_number}"
        if letter.delivery_record:
            proof += f", afleverbericht: {without_links(letter.delivery_record)}"
        head = (f"{kind}, verstuurd op {_when(letter.posted_on, settings)} per {proof}; totaal "
                f"{_euro(letter.principal_cents)}; pdf zoals verstuurd sha256 {letter.pdf_sha256}")
        if letter.received_on:
            due = costs_due(letter, today)
            head += (f"; vermoedelijke ontvangst {_when(letter.received_on, settings)}, termijn tot en met "
                     f"{_when(letter.term_ends_on, settings)}; kosten {_euro(letter.costs_cents)} verschuldigd vanaf "
                     f"{_when(letter.costs_due_from, settings)} — op {_when(today, settings)} "
                     f"{'verschuldigd' if due else 'nog niet verschuldigd'}")
        letter_lines += [head, without_links(letter.body)]
        if letter.translation:
            letter_lines += [f"Vertaling ({letter.language}):", without_links(letter.translation)]
    sections.append(pdf.Section("Brieven", letter_lines or ["Geen brieven."]))

    message_lines = []
    for row in await proof_store.messages_of(connection, tenant.id):
        message_lines.append(
            f"{_when(row.sent_at or row.send_at, settings)} — {word('message_kind', row.kind)} per "
            f"{word('channel', row.channel)} aan {row.recipient or tenant.phone}; berichtnummer aanbieder "
            f"{row.provider_sid or '—'}; status {word('message_state', row.state)}"
            + (f" (afgeleverd {_when(row.delivered_at, settings)})" if row.delivered_at else "")
            + (f" (foutcode {row.error_code})" if row.error_code else "")
            + f":\n{without_links(row.body) if row.body else '(nog niet opgesteld)'}")
    sections.append(pdf.Section("Berichten aan de huurder (sms/WhatsApp)", message_lines or ["Geen berichten."]))
    consents = await proof_store.consents_of(connection, tenant.id)
    sections.append(pdf.Section("Toestemming voor WhatsApp", [
        f"{_when(c.agreed_at, settings)} — {c.business_name}, kanaal {word('channel', c.channel)}, via {c.method} "
        f"({c.source}), taal {c.language}:\n{without_links(c.text)}" for c in consents
    ] or ["Geen toestemming voor WhatsApp vastgelegd."]))

    replies = await proof_store.conversation_of(connection, tenant.id)
    sections.append(pdf.Section("Gesprek", [
        f"{_when(r.created_at, settings)} — {word('author', r.author)} ({word('direction', r.direction)}, "
        f"{word('channel', r.channel)}): {without_links(r.body)}" for r in replies
    ] or ["Geen berichten van of aan de huurder in het gesprek."]))

    task_lines = [
        f"{_when(t.created_at, settings)} — {t.title}: {word('task_state', t.state)}"
        + (f" op {_when(t.done_at, settings)} door {t.assigned_to or '—'}" if t.done_at else "")
        + (f"; {word('channel', (t.data or {}).get('channel'))}: {without_links(str((t.data or {}).get('note')))}"
           if (t.data or {}).get("note") else "")
        for t in await proof_store.tasks_of(connection, tenant.id)
    ]
    sections.append(pdf.Section("Contactpogingen en taken van medewerkers", task_lines or ["Geen taken."]))
    audit = await proof_store.audit_of(connection, tenant.id)
    sections.append(pdf.Section("Handelingen van medewerkers (auditlog)", [
        f"{_when(a.at, settings)} — {a.user_name or a.user_email} ({a.user_email}): {word('audit_action', a.action)}"
        for a in audit
    ] or ["Geen handelingen van medewerkers vastgelegd."]))

    money_lines = [
        f"Maand {p.period}: verschuldigd {_euro(p.amount_due_cents)}, betaald {_euro(p.amount_paid_cents)}, "
        f"status {word('payment_status', p.status)}{' (' + p.reason_code + ')' if p.reason_code else ''}"
        for p in await proof_store.periods_of(connection, tenant.id)
    ]
    money_lines += [
        f"{_when(t.booked_on or t.created_at, settings)} — {word('transaction_kind', t.kind)} {_euro(t.amount_cents)}"
        f"{' (' + t.reason_code + ')' if t.reason_code else ''}, maand {t.period or '—'}"
        for t in await proof_store.transactions_of(connection, tenant.id)
    ]
    for plan in await proof_store.arrangements_of(connection, tenant.id):
        state = {"active": "lopend", "completed": "voldaan", "cancelled": "gestopt"}.get(plan.state, "(overig)")
        money_lines.append(f"Betalingsregeling {plan.id} ({state}) van {_when(plan.created_at, settings)}: "
                           f"{_euro(plan.total_cents)} voor {plan.periods}, elke {word('every', plan.every)}")
        money_lines += [f"  termijn {i.number}: {_euro(i.amount_cents)} op {_when(i.due_on, settings)} — "
                        f"{word('instalment_state', i.state)}"
                        for i in await arrangement_store.parts_of(connection, plan.id)]
    sections.append(pdf.Section("Betalingen en betalingsregelingen", money_lines or ["Geen betalingen."]))
    return sections


def html(title: str, sections: list[pdf.Section], generated: str, seal: str) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template("web/proof.html.j2").render(title=title, sections=sections, generated=generated,
                                                        seal=seal)


async def build(runtime: Runtime, tenant: Row[Any], period: str | None, *, case_id: int | None = None) -> Bundle:
    """The sealed bundle of one case: `case_id`, or the case holding `period`, or the tenant's latest."""
    settings = runtime.settings
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        if case_id is not None:
            case = await case_store.case_by_id(connection, case_id)
            case = case if case is not None and case.tenant_id == tenant.id else None
        elif period:
            case = await case_store.get_case(connection, tenant.id, period)
        else:
            case = await proof_store.latest_case(connection, tenant.id)
        if case is None:
            raise NotFound(f"{tenant.external_id} has no {'such ' if period or case_id else ''}arrears case")
        sections = await gather(connection, settings, tenant, case, local_day(now, settings))
    title = f"Bewijsdossier {tenant.external_id} zaak {case.id} — {settings.organisation.name}"
    seal = seal_of(title, sections)
    generated = (f"Opgesteld op {_when(now, settings)} door herinnering. Zegel (sha256 over titel en inhoud): "
                 f"{seal}")
    document = pdf.render(title, [pdf.Section("", [generated]), *sections], footer=f"{title} — zegel {seal[:16]}")
    return Bundle(title, sections, seal, document, html(title, sections, generated, seal))


async def build_for_officer(runtime: Runtime, tenant_id: int, *, user_id: int, user_email: str) -> tuple[Row[Any], Bundle] | None:
    """The bundle of the tenant's latest case, its making in the audit log; None when the
    tenant does not exist. Raises HerinneringError when there is no case."""
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant_id)
    if tenant is None:
        return None
    bundle = await build(runtime, tenant, None)
    async with runtime.db.begin() as connection:
        await user_store.audit(connection, user_id=user_id, user_email=user_email, action="proof_bundle",
                               now=runtime.clock.now(), tenant_id=tenant_id)
    return tenant, bundle
