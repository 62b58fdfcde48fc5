"""Use case: send a letter — the written reminder or the 14-day letter — as a PDF, and record it.

The letter is rendered from `templates/messages/<language>/<kind>.letter.j2`: the Dutch text
first (the legal one), then the translation in the tenant's language on its own page. The
14-day letter names the exact costs of the statutory scale and the dates that follow from the
day of sending (presumed receipt, the end of the 14-day term, costs due from). The letter is
stored as sent (`letters`, once per case and kind, so costs are never announced twice) and
recorded as the MVI steps `written_reminder` and `data_offer` — every letter holds the offer —
so the early-warning gate and the proof bundle see it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import jinja2
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters import pdf
from herinnering.adapters.db import events as event_log
from herinnering.adapters.db.collection_tables import ladder_steps
from herinnering.adapters.db.lawful_tables import letters
from herinnering.adapters.db.tables import tasks
from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.bootstrap import Runtime
from herinnering.domain.collection_costs import Costs, LetterDates, collection_costs, letter_dates
from herinnering.domain.mvi import MviStep
from herinnering.errors import HerinneringError
from herinnering.services import cases, mvi
from herinnering.services.collection import local_day
from herinnering.services.early_warning import compose_address

FOURTEEN_DAY_LETTER = "veertiendagenbrief"
SIX_MONTHS = timedelta(days=183)


@dataclass(frozen=True)
class SentLetter:
    letter_id: int
    kind: str
    case_period: str
    sent_on: date
    dates: LetterDates | None
    costs: Costs | None
    pdf: bytes
    body: str
    translation: str | None


def _render(templates: MessageTemplates, kind: str, language: str, context: dict[str, Any]) -> str | None:
    try:
        template = templates.env.get_template(MessageTemplates.name(kind, "letter", language))
    except jinja2.TemplateNotFound:
        return None
    try:
        return template.render(**context).strip()
    except jinja2.UndefinedError as exc:
        raise HerinneringError(f"{template.name}: {exc.message}") from None


def _context(runtime: Runtime, tenant: Row[Any], language: str, principal: int, sent_on: date,
             dates: LetterDates | None, costs: Costs | None) -> dict[str, Any]:
    organisation = runtime.settings.organisation
    context: dict[str, Any] = {
        "org_name": organisation.name, "org_phone": organisation.phone, "name": tenant.name,
        "contract_id": tenant.external_id, "address": compose_address(tenant.address, tenant.postal_code, tenant.city),
        "amount": money(principal, language), "today_date": long_date(sent_on, language) + f" {sent_on.year}",
    }
    if dates is not None and costs is not None:
        context.update(
            costs=money(costs.total_cents, language), vat=money(costs.vat_cents, language) if costs.vat_cents else "",
            received_date=long_date(dates.received_on, language) + f" {dates.received_on.year}",
            term_end_date=long_date(dates.term_ends_on, language) + f" {dates.term_ends_on.year}",
        )
    return context


async def _charged_recently(connection: AsyncConnection, tenant_id: int, since: date) -> int:
    total = (await connection.execute(select(func.coalesce(func.sum(letters.c.costs_cents), 0)).where(
        letters.c.tenant_id == tenant_id, letters.c.sent_on >= since))).scalar()
    return int(total or 0)


async def send_letter(runtime: Runtime, tenant: Row[Any], kind: str, *, period: str | None, by: str,
                      channel: str = "letter") -> SentLetter:
    """Render, store and record one letter for the tenant's open case (or the given period)."""
    settings = runtime.settings
    if kind not in settings.lawful.letter_kinds:
        raise HerinneringError(f"--kind {kind!r}: letters are {', '.join(settings.lawful.letter_kinds)}")
    now = runtime.clock.now()
    sent_on = local_day(now, settings)
    async with runtime.db.begin() as connection:
        tenant = await cases.tenant(connection, tenant.id) or tenant  # as stored now (address, language)
        rows = await cases.cases_of(connection, tenant.id)
        rows = [r for r in rows if r.period == period] if period else [r for r in rows if r.state != "closed"]
        if not rows:
            raise HerinneringError(f"{tenant.external_id} has no {'such' if period else 'open'} arrears case")
        case = rows[-1]
        principal = max(0, case.amount_due_cents - case.amount_paid_cents)
        if principal <= 0:
            raise HerinneringError(f"{tenant.external_id} {case.period}: nothing is open; no letter needed")
        earlier = (await connection.execute(select(letters.c.sent_on).where(
            letters.c.case_id == case.id, letters.c.kind == kind))).scalar()
        if earlier is not None:
            raise HerinneringError(f"{tenant.external_id} {case.period}: the {kind} was already sent on {earlier}")
        dates = costs = None
        if kind == FOURTEEN_DAY_LETTER:
            dates = letter_dates(sent_on)
            costs = collection_costs(
                principal, vat_percent=settings.lawful.vat_percent, monthly_rent_cents=tenant.monthly_rent_cents,
                charged_last_six_months_cents=await _charged_recently(connection, tenant.id, sent_on - SIX_MONTHS))
        body = _render(runtime.templates, kind, "nl", _context(runtime, tenant, "nl", principal, sent_on, dates, costs))
        if body is None:
            raise HerinneringError(f"no Dutch letter template {MessageTemplates.name(kind, 'letter', 'nl')}")
        translation = None
        if tenant.language != "nl":
            translation = _render(runtime.templates, kind, tenant.language,
                                  _context(runtime, tenant, tenant.language, principal, sent_on, dates, costs))
        pages = [pdf.Section("", body.split("\n"))]
        if translation:
            pages.append(pdf.Section("", translation.split("\n"), rtl=tenant.language == "ar"))
        document = pdf.render_letter(pages, footer=f"{settings.organisation.name} — {tenant.external_id} {case.period}")
        letter_id = (await connection.execute(letters.insert().values(
            tenant_id=tenant.id, case_id=case.id, kind=kind, channel=channel, language=tenant.language,
            sent_on=sent_on, received_on=dates.received_on if dates else None,
            term_ends_on=dates.term_ends_on if dates else None, costs_due_from=dates.costs_due_from if dates else None,
            principal_cents=principal, costs_cents=costs.total_cents if costs else 0, body=body,
            translation=translation, pdf_sha256=hashlib.sha256(document).hexdigest(), created_by=by[:64],
            created_at=now,
        ).returning(letters.c.id))).scalar_one()
        for step in (MviStep.WRITTEN_REMINDER, MviStep.DATA_OFFER):
            await mvi.record(connection, case_id=case.id, tenant_id=tenant.id, step=step, channel=channel, text=body,
                             occurred_at=now, by=by, source_key=f"letter:{letter_id}:{step.value}", now=now)
        await _close_written_reminder_tasks(connection, case.id, tenant.id, letter_id, now, by)
        await event_log.append(connection, [event_log.event(
            tenant.id, "letter_sent", now, case_id=case.id, letter_id=letter_id, kind=kind, channel=channel,
            costs_cents=costs.total_cents if costs else 0,
            costs_due_from=dates.costs_due_from.isoformat() if dates else None)])
    return SentLetter(letter_id, kind, case.period, sent_on, dates, costs, document, body, translation)


async def _close_written_reminder_tasks(connection: AsyncConnection, case_id: int, tenant_id: int, letter_id: int,
                                       now: Any, by: str) -> None:
    """The ladder's "send a written reminder" task of this case is done once a letter went out: an
    officer should not find it open and send a second letter. Its MVI steps came with the letter
    (`letter_id` in the task's data tells `mvi.record_task` not to record them again)."""
    ladder_tasks = select(ladder_steps.c.task_id).where(ladder_steps.c.case_id == case_id,
                                                         ladder_steps.c.task_id.is_not(None))
    open_ones = (await connection.execute(select(tasks.c.id, tasks.c.data).where(
        tasks.c.id.in_(ladder_tasks), tasks.c.kind == "written_reminder", tasks.c.state == "open"))).fetchall()
    for task in open_ones:
        await connection.execute(update(tasks).where(tasks.c.id == task.id, tasks.c.state == "open").values(
            state="done", done_at=now, updated_at=now, assigned_to=by[:64],
            data={**(task.data or {}), "letter_id": letter_id}))
    await event_log.append(connection, [
        event_log.event(tenant_id, "task_done", now, task_id=task.id, by=by, letter_id=letter_id) for task in open_ones
    ])


def costs_due(letter: Row[Any], today: date) -> bool:
    """Whether the costs a 14-day letter named may be charged today."""
    return letter.costs_due_from is not None and today >= letter.costs_due_from


async def letters_of(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    return list((await connection.execute(
        select(letters).where(letters.c.case_id == case_id).order_by(letters.c.sent_on, letters.c.id))).fetchall())
