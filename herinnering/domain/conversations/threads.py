"""Who answers a conversation, and what the bot does with one inbound message.

A thread belongs to the bot until an officer takes it over; then the bot stays silent (except
for STOP, which is the tenant's right whoever holds the thread) until the officer hands it
back. Ownership moves only along one table, like the message states in `states.py`, so a
double click or two officers at once cannot move it somewhere it may not go.

    bot ──take over──▶ officer ──hand back──▶ bot
                         │  ▲
                         └──┘ assign (another officer)

`decide` is the keyword bot: from the intent, the owner and the time it returns what to do,
as a value. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from herinnering.domain.conversations.keywords import Intent


class Owner(StrEnum):
    BOT = "bot"
    OFFICER = "officer"


class Action(StrEnum):
    TAKE_OVER = "take_over"
    HAND_BACK = "hand_back"
    ASSIGN = "assign"


# (owner now, action) → owner after. Anything not in the table is refused.
TRANSITIONS: dict[tuple[Owner, Action], Owner] = {
    (Owner.BOT, Action.TAKE_OVER): Owner.OFFICER,
    (Owner.OFFICER, Action.TAKE_OVER): Owner.OFFICER,  # a colleague takes it from another officer
    (Owner.BOT, Action.ASSIGN): Owner.OFFICER,
    (Owner.OFFICER, Action.ASSIGN): Owner.OFFICER,
    (Owner.OFFICER, Action.HAND_BACK): Owner.BOT,
}


def next_owner(current: Owner | str, action: Action | str) -> Owner | None:
    """The owner after `action`, or None when the table does not allow it."""
    return TRANSITIONS.get((Owner(current), Action(action)))


def owners_allowing(action: Action | str) -> frozenset[Owner]:
    """Every owner from which `action` is allowed: the WHERE clause of a guarded update."""
    return frozenset(owner for owner, act in TRANSITIONS if act == Action(action))


@dataclass(frozen=True)
class OfficeHours:
    """When a person can answer: a local time range on some weekdays (1 = Monday)."""

    timezone: ZoneInfo
    start: time
    end: time
    weekdays: frozenset[int]

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        return local.isoweekday() in self.weekdays and self.start <= local.time() < self.end


class Reply(StrEnum):
    """Which text the bot sends back: templates bot_<value> (kind bot_reply), or stop_confirmation."""

    STOP_CONFIRMATION = "stop_confirmation"
    START_CONFIRMATION = "start_confirmation"
    HELP = "help"
    PAID_THANKS = "paid_thanks"
    ACKNOWLEDGEMENT = "acknowledgement"
    OUT_OF_OFFICE = "out_of_office"
    CHANNEL_SMS = "channel_sms"            # "from now on by SMS"
    CHANNEL_WHATSAPP = "channel_whatsapp"  # "from now on by WhatsApp"
    CALL_ME = "call_me"                    # "we will call you"
    OBJECTION_CONFIRMATION = "objection_confirmation"  # BEZWAAR: "we do not pass your details on"


@dataclass(frozen=True)
class BotDecision:
    reply: Reply | None = None
    opt_out: bool = False
    opt_in: bool = False
    verify_payment: bool = False  # create the "verify payment" task
    needs_officer: bool = False   # the thread waits for a person
    acknowledge: bool = False     # this reply is the conversation's one acknowledgement
    switch_channel: str | None = None  # the tenant chose a channel ("sms" / "whatsapp")
    call_back: bool = False       # a task: call the tenant (WhatsApp button "Bel mij")
    resend_link: bool = False     # send the open payment link again (button "Betaallink")


def decide(intent: Intent, owner: Owner | str, *, acknowledged: bool, office_open: bool,
           known_tenant: bool) -> BotDecision:
    """What the bot does with one inbound message."""
    by_bot = Owner(owner) is Owner.BOT
    if intent is Intent.STOP:
        return BotDecision(reply=Reply.STOP_CONFIRMATION, opt_out=known_tenant)
    if intent is Intent.START:
        return BotDecision(reply=Reply.START_CONFIRMATION if by_bot else None, opt_in=known_tenant,
                           needs_officer=not by_bot)
    if intent is Intent.HELP:
        return BotDecision(reply=Reply.HELP if by_bot else None, needs_officer=True)
    if intent is Intent.PAID:
        return BotDecision(reply=Reply.PAID_THANKS if by_bot else None, verify_payment=known_tenant,
                           needs_officer=not by_bot or not known_tenant)
    if intent in (Intent.CHANNEL_SMS, Intent.CHANNEL_WHATSAPP):  # the tenant's own choice, like STOP
        sms = intent is Intent.CHANNEL_SMS
        return BotDecision(reply=(Reply.CHANNEL_SMS if sms else Reply.CHANNEL_WHATSAPP) if known_tenant else None,
                           switch_channel=("sms" if sms else "whatsapp") if known_tenant else None,
                           needs_officer=not known_tenant)
    if intent is Intent.CALL_ME:
        return BotDecision(reply=Reply.CALL_ME if by_bot and known_tenant else None, call_back=known_tenant,
                           needs_officer=not by_bot or not known_tenant)
    if intent is Intent.OBJECTION:  # BEZWAAR gets its own confirmation, whoever holds the thread; a person reads it
        return BotDecision(reply=Reply.OBJECTION_CONFIRMATION if known_tenant else None, needs_officer=True)
    if intent is Intent.PAY_LINK:
        return BotDecision(resend_link=known_tenant, needs_officer=not by_bot or not known_tenant)
    if not by_bot or acknowledged:
        return BotDecision(needs_officer=True)
    return BotDecision(
        reply=Reply.ACKNOWLEDGEMENT if office_open else Reply.OUT_OF_OFFICE, needs_officer=True, acknowledge=True,
    )
