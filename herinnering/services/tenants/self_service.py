"""Use cases: the tenant's own actions — a new collection day, a payment-arrangement proposal, a
call-back — by message (DAG, REGELING, BEL) or on the personal page; the same functions serve
both.

`on_inbound` is called by `services.inbound.receive` for a message the keyword bot does not
know, while the bot owns the thread (an officer who took over silences it). It loads the
tenant's open dialog, lets `domain.dialogs.step` decide, stores the new state, carries out a
finished dialog and queues the reply. It returns False when the message is not part of a
dialog, so it goes to the inbox like any other.

A collection-day change is a row in `collection_day_changes` with the first month it applies
to (`domain.collection_day.first_month`); the planner reads the day per month through
a join (`adapters/db/planning_store.effective_days`), and an officer can reverse a change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import format_date

from herinnering.adapters.db import (
    AsyncConnection,
    Row,
    collection_day_store,
    dialog_store,
    outbox,
    thread_store,
)
from herinnering.adapters.db import case_store as store
from herinnering.adapters.db import events as event_log
from herinnering.adapters.templates import LOCALES, MessageTemplates, money
from herinnering.config import Settings
from herinnering.domain.conversations.dialogs import (
    DialogKind,
    DialogRules,
    DialogState,
    Outcome,
    step,
)
from herinnering.domain.payments.collection_day import DayChange, day_for, first_month
from herinnering.domain.reminders.planning import Period, next_window_opening
from herinnering.domain.reminders.sms import gsm7_safe
from herinnering.domain.reminders.states import MessageState
from herinnering.errors import BadInput
from herinnering.runtime import Runtime
from herinnering.services.payments.balance import outstanding

log = logging.getLogger(__name__)

PART_NL = {"morning": "ochtend", "afternoon": "middag", "evening": "avond"}


def long_month(language: str, period: Period | None = None) -> str:
    """'februari 2027', 'February 2027' (a worst case when no period is given)."""
    period = period or Period(2027, 9)
    text = format_date(period.first_day(), "LLLL y", locale=LOCALES.get(language, "nl_NL"))
    return gsm7_safe(text)


def dialog_rules(settings: Settings) -> DialogRules:
    return DialogRules(days=settings.reminders.collection_days,
                       timeout=timedelta(hours=settings.self_service.dialog_timeout_hours), words=settings.self_service.words)


def _local_day(moment: datetime, settings: Settings) -> date:
    return moment.astimezone(settings.reminders.timezone).date()


# --- collection day -----------------------------------------------------------------------------


day_changes = collection_day_store.changes_of


def _active(rows: list[Row[Any]]) -> list[DayChange]:
    return [DayChange(r.new_day, r.effective_period) for r in rows if r.state == "scheduled"]


async def current_day(connection: AsyncConnection, tenant: Row[Any], period: Period) -> int:
    """The tenant's collection day in `period`, with their changes applied."""
    return day_for(str(period), tenant.collection_day, _active(await day_changes(connection, tenant.id)))


@dataclass(frozen=True)
class DayChoice:
    new_day: int
    effective: Period
    change_id: int | None  # None: the tenant already had this day


async def change_collection_day(connection: AsyncConnection, settings: Settings, tenant: Row[Any], new_day: int,
                                source: str, now: datetime) -> DayChoice:
    if new_day not in settings.reminders.collection_days:
        raise BadInput(f"day {new_day} is not one of the allowed collection days")
    today = _local_day(now, settings)
    old_day = await current_day(connection, tenant, Period.of(today).next())
    effective = first_month(old_day, new_day, today, settings.self_service.day_notice_days)
    if old_day == new_day:
        return DayChoice(new_day, effective, None)
    pending = [row for row in await day_changes(connection, tenant.id)
               if row.state == "scheduled" and row.effective_period > str(Period.of(today))]
    if pending and pending[-1].new_day == new_day:
        return DayChoice(new_day, Period.parse(pending[-1].effective_period), None)  # chosen already (a double POST)
    await collection_day_store.supersede(  # a later choice replaces one not yet in force
        connection, [row.id for row in pending if row.effective_period >= str(effective)])
    change_id = await collection_day_store.insert(
        connection, tenant_id=tenant.id, old_day=old_day, new_day=new_day, effective_period=str(effective),
        state="scheduled", source=source, created_at=now)
    if change_id is None:  # the same choice at the same moment in another request
        return DayChoice(new_day, effective, None)
    await event_log.append(connection, [event_log.event(
        tenant.id, "collection_day_changed", now, change_id=change_id, old_day=old_day, new_day=new_day,
        effective_period=str(effective), source=source,
        reason=f"incassodag {old_day} → {new_day} vanaf {effective} (gekozen door de huurder, {source})")])
    return DayChoice(new_day, effective, change_id)


async def confirm_day_change(connection: AsyncConnection, settings: Settings, tenant: Row[Any], choice: DayChoice,
                             now: datetime) -> None:
    """A message to the tenant that their collection day changes (through the outbox, in the
    send window): they learn of it even when someone else used their link."""
    if choice.change_id is None:
        return
    channel = tenant.channel if tenant.channel in ("sms", "whatsapp") else "sms"
    await outbox.insert_planned(connection, [{
        "tenant_id": tenant.id, "kind": "day_change_confirmation", "period": str(choice.effective),
        "idempotency_key": f"day_change_confirmation:{choice.change_id}", "channel": channel,
        "template": MessageTemplates.name("day_change_confirmation", channel, tenant.language), "variant": "default",
        "state": MessageState.PLANNED.value, "send_at": next_window_opening(now, settings.reminders.planning_rules()),
        "not_after": None, "attempts": 0,
        "context": {"new_day": choice.new_day, "from_month": long_month(tenant.language, choice.effective)},
        "created_at": now, "updated_at": now,
    }])


async def reverse_day_change(connection: AsyncConnection, change_id: int, officer: str, now: datetime) -> bool:
    """An officer undoes a change; it stays in the history as reversed."""
    row = await collection_day_store.get(connection, change_id)
    if row is None or row.state != "scheduled":
        return False
    await collection_day_store.reverse(connection, change_id, officer, now)
    await event_log.append(connection, [event_log.event(
        row.tenant_id, "collection_day_reversed", now, change_id=change_id, officer=officer,
        reason=f"wijziging incassodag naar {row.new_day} teruggedraaid")])
    return True


# --- arrangement request and call-back ------------------------------------------------------------


async def request_arrangement(connection: AsyncConnection, tenant: Row[Any], cents: int, key: str,
                              now: datetime) -> int | None:
    owed = await outstanding(connection, tenant.id)
    return await store.add_task(
        connection, tenant_id=tenant.id, kind="arrangement_request", source="tenant",
        title=f"Betalingsregeling gevraagd: € {cents / 100:.2f} per maand".replace(".", ","),
        dedupe_key=f"arrangement_request:{key}"[:128], now=now,
        data={"proposal_cents": cents, "outstanding_cents": owed},
    )


async def request_callback(connection: AsyncConnection, tenant: Row[Any], part: str, key: str,
                           now: datetime) -> int | None:
    return await store.add_task(
        connection, tenant_id=tenant.id, kind="call_back", source="tenant",
        title=f"Terugbellen in de {PART_NL.get(part, part)}", dedupe_key=f"call_back:{key}"[:128], now=now,
        data={"part_of_day": part},
    )


# --- the dialog by message ---------------------------------------------------------------------


async def _load(connection: AsyncConnection, tenant_id: int) -> DialogState | None:
    row = await dialog_store.get(connection, tenant_id)
    if row is None:
        return None
    return DialogState(DialogKind(row.kind), row.step, row.expires_at, int(row.data.get("tries", 0)))


async def _save(connection: AsyncConnection, tenant_id: int, state: DialogState | None, now: datetime) -> None:
    await dialog_store.replace(connection, tenant_id, None if state is None else {
        "kind": state.kind.value, "step": state.step, "data": {"tries": state.tries}, "expires_at": state.expires_at,
    }, now)


async def on_inbound(connection: AsyncConnection, runtime: Runtime, thread: Any, tenant: Row[Any], message: Any,
                     now: datetime) -> bool:
    """Handle one inbound message as part of a dialog; False: not a dialog message (see module doc)."""
    settings = runtime.settings
    state = await _load(connection, tenant.id)
    move = step(state, message.button_payload or message.body, now, dialog_rules(settings))
    if move.outcome is Outcome.NOT_MINE:
        return False
    await _save(connection, tenant.id, move.state, now)
    if move.outcome is Outcome.TO_INBOX:
        return False
    context: dict[str, Any] = {}
    language = tenant.language
    if move.outcome is Outcome.DONE:
        if move.kind is DialogKind.DAY:
            assert isinstance(move.value, int)
            choice = await change_collection_day(connection, settings, tenant, move.value, message.channel, now)
            context = {"new_day": choice.new_day, "from_month": long_month(language, choice.effective)}
        elif move.kind is DialogKind.ARRANGEMENT:
            assert isinstance(move.value, int)
            await request_arrangement(connection, tenant, move.value, message.sid, now)
            context = {"proposal": money(move.value, language)}
        else:
            await request_callback(connection, tenant, str(move.value), message.sid, now)
            context = {"part": str(move.value)}
    elif move.kind is DialogKind.DAY:
        context = {"days": ", ".join(str(d) for d in sorted(settings.reminders.collection_days)) if
                   len(settings.reminders.collection_days) <= 8 else
                   f"{min(settings.reminders.collection_days)} t/m {max(settings.reminders.collection_days)}"}
    await thread_store.touch_inbound(connection, thread.id, message.channel, now, needs_reply=False, flagged=False)
    await _reply(connection, runtime, thread, tenant, message, f"dialog_{move.reply}", context, now)
    await event_log.append(connection, [
        event_log.event(tenant.id, "inbound_message", now, thread_id=thread.id, intent=f"dialog:{move.kind}",
                        channel=message.channel, sid=message.sid),
        event_log.event(tenant.id, "dialog_step", now, kind=str(move.kind), outcome=move.outcome.value),
    ])
    return True


async def _reply(connection: AsyncConnection, runtime: Runtime, thread: Any, tenant: Row[Any], message: Any,
                 template: str, context: dict[str, Any], now: datetime) -> None:
    """Queue the dialog's answer like the bot's own replies: rendered now, sent once per inbound sid."""
    settings = runtime.settings
    channel = message.channel if message.channel == "whatsapp" and settings.twilio.whatsapp_from else "sms"
    rendered = runtime.templates.render(template, channel, tenant.language, {
        "org_name": settings.organisation.name, "org_phone": settings.organisation.phone, "name": tenant.name,
        **context,
    })
    rows = await outbox.insert_planned(connection, [{
        "tenant_id": tenant.id, "recipient": ("whatsapp:" if channel == "whatsapp" else "") + message.phone,
        "kind": "bot_reply", "period": now.strftime("%Y-%m"), "idempotency_key": f"bot_reply:in:{message.sid}",
        "channel": channel, "template": rendered.template, "variant": "default",
        "state": MessageState.PLANNED.value, "send_at": now, "not_after": None, "attempts": 0,
        "context": {"reply": template}, "body": rendered.body, "created_at": now, "updated_at": now,
    }])
    if rows:
        await thread_store.store_outbound(connection, thread.id, author="bot", channel=channel,
                                          message_id=rows[0].id, now=now, body=rendered.body,
                                          data={"reply": template})
