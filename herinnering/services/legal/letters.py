"""Use cases of letters: generate the written reminder or the 14-day letter from the tenant's
arrears case, gather generated letters into a post batch, and mark them posted.

A letter is *generated* first: the frame (`templates/letters/<language>/frame.j2`: sender,
address block, date and reference, the case's months and total, how to pay — IBAN, reference,
link — and a named contact person) around the text (`templates/messages/<language>/<kind>.letter.j2`),
in Dutch (the legal text) and, on its own page, in the tenant's language. The 14-day letter
names the costs, computed once on the case total (anti-stacking: see domain/payments/costs.py),
and the dates that follow from the posting date it was generated for; a case total below
`lawful.letter_minimum_eur` gets no 14-day letter. Nothing counts yet.

A letter counts only once it is *posted*: in a post batch (one PDF to print and the list of
what is in it, then marked posted with the posting date), by registered mail with its
track-and-trace number, or by e-mail with the provider's delivery record. Then — and from
the posting date — the presumed receipt, the end of the term and the day costs become due are
stored, the MVI steps `written_reminder` and `data_offer` are recorded (every letter holds the
offer), and the ladder's written-reminder task is done. The PDF is kept exactly as posted,
with its sha256. A 14-day letter cannot be posted after the date its stated dates assume (the
tenant would get less than 14 days): it must then be generated again.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import jinja2
from babel.dates import format_date
from pypdf import PdfReader, PdfWriter

from herinnering.adapters import pdf
from herinnering.adapters.db import AsyncConnection, Row, case_store, letter_store, tenant_store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.clock import local_day
from herinnering.domain.legal.mvi import MviStep
from herinnering.domain.payments.costs import Costs, LetterDates, collection_costs, letter_dates
from herinnering.errors import BadInput, Conflict, NotFound, TemplateError
from herinnering.runtime import Runtime
from herinnering.services.legal import mvi
from herinnering.services.payments.links import payment_link_url

FOURTEEN_DAY_LETTER = "veertiendagenbrief"
SIX_MONTHS = 183
POST_METHODS = ("batch", "registered", "email")
LOCALES = {"nl": "nl_NL", "en": "en_GB", "tr": "tr_TR", "ar": "ar", "pl": "pl_PL"}


@dataclass(frozen=True)
class GeneratedLetter:
    letter_id: int
    kind: str
    case_id: int
    case_period: str
    generated_on: date
    planned_post_on: date
    total_cents: int
    months: tuple[str, ...]
    stated: LetterDates | None   # the dates the letter states, for posting on `planned_post_on`
    costs: Costs | None
    pdf: bytes
    body: str
    translation: str | None


@dataclass(frozen=True)
class PostBatch:
    batch_id: int
    letter_ids: tuple[int, ...]
    listing: str
    pdf: bytes
    pdf_sha256: str


def _day_text(day: date, language: str) -> str:
    return long_date(day, language) + f" {day.year}"


def _month_text(period: str, language: str) -> str:
    try:
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "LLLL y", locale=LOCALES.get(language, "nl_NL"))
    except ValueError:
        return period


def _grouped(iban: str) -> str:
    """NL91 ABNA 0417 1643 00: an IBAN as people copy it."""
    plain = iban.replace(" ", "")
    return " ".join(plain[i:i + 4] for i in range(0, len(plain), 4))


def _address_lines(tenant: Row[Any]) -> list[str]:
    place = " ".join(part for part in (tenant.postal_code or "", tenant.city or "") if part)
    return [line for line in (tenant.address or "", place) if line]


def _render(templates: MessageTemplates, name: str, context: dict[str, Any]) -> str | None:
    try:
        template = templates.env.get_template(name)
    except jinja2.TemplateNotFound:
        return None
    try:
        return template.render(**context).strip()
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{template.name}: {exc.message}") from None


def _compose(runtime: Runtime, kind: str, language: str, tenant: Row[Any], case: Row[Any], months: list[Row[Any]],
             total: int, generated_on: date, stated: LetterDates | None, costs: Costs | None,
             link_url: str) -> str | None:
    """The whole letter in one language: the frame around the kind's text; None if that
    language has no text for this kind."""
    settings = runtime.settings
    organisation, lawful = settings.organisation, settings.lawful
    context: dict[str, Any] = {
        "org_name": organisation.name, "org_phone": organisation.phone, "name": tenant.name,
        "contract_id": tenant.external_id, "amount": money(total, language),
        "today_date": _day_text(generated_on, language),
    }
    if stated is not None and costs is not None:
        context.update(
            costs=money(costs.total_cents, language), vat=money(costs.vat_cents, language) if costs.vat_cents else "",
            received_date=_day_text(stated.received_on, language),
            term_end_date=_day_text(stated.term_ends_on, language),
        )
    body = _render(runtime.templates, MessageTemplates.name(kind, "letter", language), context)
    if body is None:
        return None
    frame = {
        **context, "body": body, "address_lines": _address_lines(tenant),
        "case_ref": f"{tenant.external_id}/{case.id}", "total": money(total, language),
        "months": [{"month": _month_text(m.period, language), "due": _day_text(m.due_on, language),
                    "open": money(max(0, m.amount_due_cents - m.amount_paid_cents), language)}
                   for m in months],
        "iban": _grouped(lawful.payment_iban or settings.returns.creditor.iban), "reference": tenant.external_id,
        "link_url": link_url, "contact_name": lawful.contact_name or organisation.name,
        "contact_phone": lawful.contact_phone or organisation.phone,
    }
    text = _render(runtime.templates, f"letters/{language}/frame.j2", frame)
    if text is None:
        raise TemplateError(f"no letter frame templates/letters/{language}/frame.j2")
    return text


async def generate(runtime: Runtime, tenant: Row[Any], kind: str, *, by: str, channel: str = "letter",
                   post_on: date | None = None) -> GeneratedLetter:
    """Generate one letter for the tenant's open case (see the module docstring); nothing counts
    until it is posted."""
    settings = runtime.settings
    if kind not in settings.lawful.letter_kinds:
        raise BadInput(f"--kind {kind!r}: letters are {', '.join(settings.lawful.letter_kinds)}")
    now = runtime.clock.now()
    today = local_day(now, settings)
    post_on = post_on or today
    if post_on < today:
        raise BadInput(f"--post-on {post_on.isoformat()} is in the past")
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant.id) or tenant  # as stored now (address, language)
        case = await case_store.open_case_of(connection, tenant.id)
        if case is None:
            raise Conflict(f"{tenant.external_id} has no open arrears case")
        months = [m for m in await case_store.months_of(connection, case.id) if m.amount_paid_cents < m.amount_due_cents]
        total = max(0, case.amount_due_cents - case.amount_paid_cents)
        if total <= 0 or not months:
            raise Conflict(f"{tenant.external_id}: nothing is open; no letter needed")
        earlier = await letter_store.of_kind(connection, case.id, kind)
        if earlier is not None:
            raise Conflict(f"{tenant.external_id}: this case's {kind} was already {earlier.state} "
                                   f"({earlier.generated_on:%d-%m-%Y}); costs and letters come once per case")
        stated = costs = None
        if kind == FOURTEEN_DAY_LETTER:
            minimum = settings.lawful.letter_minimum_cents
            if total < minimum:
                raise Conflict(f"{tenant.external_id}: the case total € {total / 100:.2f} is below the "
                                       f"minimum for a 14-day letter (lawful.letter_minimum_eur = {minimum / 100:.2f})")
            stated = letter_dates(post_on)
            costs = collection_costs(
                total, vat_percent=settings.lawful.vat_percent, monthly_rent_cents=tenant.monthly_rent_cents,
                charged_last_six_months_cents=await letter_store.costs_posted_since(
                    connection, tenant.id, date.fromordinal(post_on.toordinal() - SIX_MONTHS)))
        link_url = await payment_link_url(connection, settings, tenant.id, case.period, total, now) or ""
        parts = (runtime, kind)
        body = _compose(*parts, "nl", tenant, case, months, total, today, stated, costs, link_url)
        if body is None:
            raise TemplateError(f"no Dutch letter template {MessageTemplates.name(kind, 'letter', 'nl')}")
        translation = None
        if tenant.language != "nl":
            translation = _compose(*parts, tenant.language, tenant, case, months, total, today, stated, costs,
                                   link_url)
        pages = [pdf.Section("", body.split("\n"))]
        if translation:
            pages.append(pdf.Section("", translation.split("\n"), rtl=tenant.language == "ar"))
        document = pdf.render_letter(pages, footer=f"{settings.organisation.name} — {tenant.external_id}/{case.id}")
        listed = [{"period": m.period, "due_on": m.due_on.isoformat(),
                   "open_cents": m.amount_due_cents - m.amount_paid_cents} for m in months]
        letter_id = await letter_store.insert(
            connection, tenant_id=tenant.id, case_id=case.id, kind=kind, channel=channel, language=tenant.language,
            generated_on=today, planned_post_on=post_on, state="generated", principal_cents=total,
            costs_cents=costs.total_cents if costs else 0, body=body, translation=translation, months=listed,
            contact_name=(settings.lawful.contact_name or settings.organisation.name)[:200], pdf=document,
            pdf_sha256=hashlib.sha256(document).hexdigest(), created_by=by[:64], created_at=now)
        await event_log.append(connection, [event_log.event(
            tenant.id, "letter_generated", now, case_id=case.id, letter_id=letter_id, kind=kind, channel=channel,
            total_cents=total, months=[m.period for m in months], costs_cents=costs.total_cents if costs else 0,
            planned_post_on=post_on.isoformat())])
    return GeneratedLetter(letter_id, kind, case.id, case.period, today, post_on, total,
                           tuple(m.period for m in months), stated, costs, document, body, translation)


# --- posting -------------------------------------------------------------------------------


def _merge(documents: list[bytes]) -> bytes:
    """The letters' own PDFs one after the other, unchanged, as one file to print."""
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def make_post_batch(runtime: Runtime, *, by: str) -> PostBatch:
    """Put every generated paper letter not in a batch yet into one batch to print."""
    now = runtime.clock.now()
    async with runtime.db.begin() as connection:
        rows = await letter_store.unbatched_paper(connection)
        if not rows:
            raise Conflict("no generated letters wait to be posted")
        names = {t.id: t for t in [await tenant_store.by_id(connection, r.tenant_id) for r in rows] if t is not None}
        lines = [f"{n}. brief {r.id} {r.kind} — {names[r.tenant_id].external_id}, zaak {r.case_id}, "
                 f"totaal {money(r.principal_cents, 'nl')}"
                 + (f", te posten uiterlijk {r.planned_post_on:%d-%m-%Y}" if r.kind == FOURTEEN_DAY_LETTER else "")
                 + f" (sha256 {r.pdf_sha256[:16]})" for n, r in enumerate(rows, start=1)]
        listing = "\n".join(lines)
        document = _merge([r.pdf for r in rows])
        digest = hashlib.sha256(document).hexdigest()
        batch_id = await letter_store.insert_batch(
            connection, [r.id for r in rows], state="printed", letter_count=len(rows), listing=listing, pdf=document,
            pdf_sha256=digest, created_by=by[:64], created_at=now)
        await event_log.append(connection, [event_log.event(
            r.tenant_id, "letter_batched", now, letter_id=r.id, batch_id=batch_id) for r in rows])
    return PostBatch(batch_id, tuple(r.id for r in rows), listing, document, digest)


async def mark_batch_posted(runtime: Runtime, batch_id: int, posted_on: date, *, by: str) -> list[int]:
    """The batch went into the post on `posted_on`: every letter in it is posted then."""
    now = runtime.clock.now()
    if posted_on > local_day(now, runtime.settings):
        raise BadInput(f"--on {posted_on.isoformat()} is in the future: mark a batch posted once it is")
    async with runtime.db.begin() as connection:
        batch = await letter_store.batch(connection, batch_id)
        if batch is None:
            raise NotFound(f"post batch {batch_id} does not exist")
        if batch.state == "posted":
            raise Conflict(f"post batch {batch_id} was already posted on {batch.posted_on:%d-%m-%Y}")
        rows = await letter_store.in_batch(connection, batch_id)
        for row in rows:
            _check_postable(row, posted_on)
        for row in rows:
            await _post(connection, runtime, row, posted_on, "batch", by, now)
        await letter_store.set_batch_posted(connection, batch_id, posted_on, by, now)
    return [row.id for row in rows]


async def post_single(runtime: Runtime, letter_id: int, posted_on: date, *, by: str, tracking_number: str | None = None,
                      delivery_record: str | None = None) -> None:
    """Registered mail (with its track-and-trace number) or e-mail (with the provider's delivery record)."""
    if bool(tracking_number) == bool(delivery_record):
        raise BadInput("give either --registered TRACKING_NUMBER or --email-delivered RECORD")
    now = runtime.clock.now()
    if posted_on > local_day(now, runtime.settings):
        raise BadInput(f"--on {posted_on.isoformat()} is in the future")
    async with runtime.db.begin() as connection:
        row = await letter_store.get(connection, letter_id)
        if row is None:
            raise NotFound(f"letter {letter_id} does not exist")
        _check_postable(row, posted_on)
        if row.post_batch_id is not None:
            raise Conflict(f"letter {letter_id} is in post batch {row.post_batch_id}: mark the batch posted")
        method = "registered" if tracking_number else "email"
        await _post(connection, runtime, row, posted_on, method, by, now, tracking_number=tracking_number,
                    delivery_record=delivery_record)


def _check_postable(row: Row[Any], posted_on: date) -> None:
    if row.state != "generated":
        raise Conflict(f"letter {row.id} is {row.state} (on {row.posted_on:%d-%m-%Y}); it is posted once")
    if posted_on < row.generated_on:
        raise BadInput(f"letter {row.id} was generated on {row.generated_on:%d-%m-%Y}; it cannot be "
                               f"posted before that")
    if row.kind == FOURTEEN_DAY_LETTER and row.planned_post_on is not None and posted_on > row.planned_post_on:
        raise Conflict(
            f"letter {row.id} states its dates for posting on {row.planned_post_on:%d-%m-%Y}; posted later the tenant "
            f"would get less than 14 days. Do not post it: generate the 14-day letter again")


async def _post(connection: AsyncConnection, runtime: Runtime, row: Row[Any], posted_on: date, method: str, by: str,
                now: datetime, **fields: Any) -> None:
    settings = runtime.settings
    values: dict[str, Any] = {"state": "posted", "posted_on": posted_on, "post_method": method,
                              "posted_by": by[:64], **fields}
    dates = None
    if row.kind == FOURTEEN_DAY_LETTER:
        dates = letter_dates(posted_on)
        stated = letter_dates(row.planned_post_on or posted_on)
        values.update(received_on=dates.received_on, term_ends_on=max(dates.term_ends_on, stated.term_ends_on),
                      costs_due_from=max(dates.costs_due_from, stated.costs_due_from))
    if not await letter_store.set_posted(connection, row.id, **values):
        raise Conflict(f"letter {row.id} was posted meanwhile")
    noon = datetime.combine(posted_on, time(12), tzinfo=settings.reminders.timezone).astimezone(UTC)
    channel = "email" if method == "email" else "letter"
    for step in (MviStep.WRITTEN_REMINDER, MviStep.DATA_OFFER):
        await mvi.record(connection, case_id=row.case_id, tenant_id=row.tenant_id, step=step, channel=channel,
                         text=row.body, occurred_at=noon, by=by, source_key=f"letter:{row.id}:{step.value}", now=now)
    await _close_written_reminder_tasks(connection, row.case_id, row.tenant_id, row.id, now, by)
    await event_log.append(connection, [event_log.event(
        row.tenant_id, "letter_posted", now, case_id=row.case_id, letter_id=row.id, kind=row.kind, method=method,
        posted_on=posted_on.isoformat(), costs_cents=row.costs_cents,
        costs_due_from=values["costs_due_from"].isoformat() if dates else None)])


async def _close_written_reminder_tasks(connection: AsyncConnection, case_id: int, tenant_id: int, letter_id: int,
                                       now: Any, by: str) -> None:
    """The ladder's "send a written reminder" task of this case is done once a letter was
    posted: an officer should not find it open and send a second letter. Its MVI steps came
    with the letter (`letter_id` in the task's data tells `mvi.record_task` not to record them again)."""
    open_ones = await letter_store.open_written_reminder_tasks(connection, case_id)
    for task in open_ones:
        await letter_store.close_task(connection, task.id, {**(task.data or {}), "letter_id": letter_id}, by, now)
    await event_log.append(connection, [
        event_log.event(tenant_id, "task_done", now, task_id=task.id, by=by, letter_id=letter_id) for task in open_ones
    ])


# --- read side -----------------------------------------------------------------------------


def costs_due(letter: Row[Any], today: date) -> bool:
    """Whether the costs a posted 14-day letter named may be charged today (never before posting)."""
    return letter.state == "posted" and letter.costs_due_from is not None and today >= letter.costs_due_from


letters_of = letter_store.of_case
batches = letter_store.batches
batch_pdf = letter_store.batch_pdf


async def letter_of_case(runtime: Runtime, case_id: int, letter_id: int) -> Row[Any] | None:
    """One letter of a case as stored now (its dates once posted)."""
    async with runtime.db.begin() as connection:
        return next((row for row in await letters_of(connection, case_id) if row.id == letter_id), None)
