"""WhatsApp's rules as values: the 24-hour window, which form a message takes, and what to do
when WhatsApp says no.

Meta lets a business send free text ("session" messages) only within 24 hours of the tenant's
last message to it; outside that window only an approved template goes out, sent through
Twilio's Content API as a ContentSid with ContentVariables "1", "2", … . A business-initiated
WhatsApp message also needs the tenant's opt-in. `choose_form` takes those facts and returns
the form to send — template, session or SMS — with the reason, so the dispatcher only carries
it out. The template registry (`TemplateRegistry`) maps each message kind and language to its
ContentSid, its ordered variables and its quick-reply buttons. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

WINDOW = timedelta(hours=24)
# WhatsApp errors after which another channel may still reach the tenant: outside the window,
# not a WhatsApp user, not a valid WhatsApp recipient.
FALLBACK_CODES = frozenset({63016, 63003, 63024})
# Quick-reply payloads the bot understands (they are keyword intents: domain/conversations/keywords.py).
BUTTON_PAYLOADS = ("pay_link", "call_me", "paid")
MAX_BUTTON_TITLE = 20   # WhatsApp's limit for a quick-reply title
MAX_BUTTONS = 3
STATIC_VARIABLES = frozenset({"org_name", "org_phone"})  # fixed in the approved text itself
_CONTENT_SID = re.compile(r"HX[0-9a-f]{32}")
# Meta's template categories. A reminder about rent is a utility message; a marketing template
# may not carry it (and costs more), so start-up refuses that mapping.
CATEGORIES = ("utility", "marketing")
UTILITY_ONLY = frozenset({"pre_debit", "pre_debit_kind", "payment_link", "ladder_reminder", "instalment_reminder",
                          "debt_help_offer"})
_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


class Form(StrEnum):
    TEMPLATE = "template"  # ContentSid + ContentVariables, no Body
    SESSION = "session"    # free-form Body, inside the 24-hour window
    SMS = "sms"            # not WhatsApp at all


def window_open(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether free-form WhatsApp is allowed: the tenant wrote to us less than 24 hours ago."""
    return last_inbound is not None and now - last_inbound < WINDOW


def window_closes(last_inbound: datetime | None) -> datetime | None:
    return None if last_inbound is None else last_inbound + WINDOW


@dataclass(frozen=True)
class ChannelFacts:
    """What decides a message's form, gathered by the dispatcher at the moment of sending."""

    planned: str                   # the message's channel when it was created
    preference: str | None         # the tenant's own choice by keyword ("SMS" / "WHATSAPP"), if any
    opted_in: bool                 # a recorded WhatsApp opt-in (or an import that says so, when allowed)
    whatsapp_sender: bool          # a WhatsApp sender is configured
    last_inbound: datetime | None  # the tenant's last WhatsApp message to us
    reply: bool = False            # an answer to the tenant (bot or officer), not a reminder
    has_template: bool = False     # the registry has an approved template for this kind and language
    variables_complete: bool = True  # every template variable has a value (WhatsApp refuses empty ones)
    fallback: bool = False         # this message is itself the SMS fallback of a failed WhatsApp message


@dataclass(frozen=True)
class Choice:
    form: Form
    reason: str

    @property
    def channel(self) -> str:
        return "sms" if self.form is Form.SMS else "whatsapp"


def choose_form(facts: ChannelFacts, now: datetime) -> Choice:
    """The form a message takes now. A reply may use the open window without an opt-in (the
    tenant wrote first); a reminder needs the opt-in; outside the window only a template."""
    if facts.fallback:
        return Choice(Form.SMS, "fallback after a WhatsApp failure")
    wanted = facts.preference if facts.preference and not facts.reply else facts.planned
    if wanted != "whatsapp":
        return Choice(Form.SMS, "the tenant's channel is SMS")
    if not facts.whatsapp_sender:
        return Choice(Form.SMS, "no WhatsApp sender configured")
    if window_open(facts.last_inbound, now):
        if facts.reply or facts.opted_in:
            return Choice(Form.SESSION, "inside the 24-hour window")
        return Choice(Form.SMS, "no WhatsApp opt-in")
    if not facts.opted_in:
        return Choice(Form.SMS, "no WhatsApp opt-in")
    if not facts.has_template:
        return Choice(Form.SMS, "outside the 24-hour window and no approved template for this message")
    if not facts.variables_complete:
        return Choice(Form.SMS, "outside the 24-hour window and a template variable is empty")
    return Choice(Form.TEMPLATE, "outside the 24-hour window: approved template")


@dataclass(frozen=True)
class Fallback:
    """What to do after WhatsApp failed a message: an SMS, an officer task, or nothing."""

    action: str  # "sms" | "task" | "none"
    reason: str


def after_failure(code: int | None, *, channel: str, policy: str, sms_allowed: bool, is_fallback: bool) -> Fallback:
    """`policy` is the configured fallback ("sms" or "task"). Never a second try on one channel:
    a failed SMS (or a failed fallback) gets no further message, only WhatsApp failures move on."""
    if channel != "whatsapp" or code not in FALLBACK_CODES or is_fallback:
        return Fallback("none", "not a WhatsApp failure another channel can fix")
    if policy == "sms" and sms_allowed:
        return Fallback("sms", f"WhatsApp error {code}: sent by SMS instead")
    return Fallback("task", f"WhatsApp error {code}: an officer contacts the tenant")


def sms_allowed(phone: str | None, opted_out: bool) -> bool:
    """SMS may reach the tenant: a mobile number and no opt-out."""
    if not phone or opted_out:
        return False
    return not phone.startswith("+31") or phone.startswith("+316")


# -- the template registry ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateEntry:
    kind: str
    variables: tuple[str, ...]            # context names, in ContentVariables order "1", "2", …
    content: Mapping[str, str]            # language → ContentSid
    buttons: tuple[str, ...] = ()         # quick-reply payloads, in order
    category: str = "utility"             # what we submitted it as
    reclassified: str = ""                # the category Meta gave it later, when it changed it

    @property
    def usable(self) -> bool:
        """Re-classed as marketing by the provider: no longer used (the message goes by SMS)."""
        return self.category == "utility" and self.reclassified in ("", "utility")

    def content_variables(self, context: Mapping[str, object]) -> dict[str, str]:
        """{"1": value of the first variable, …}; whitespace collapsed as the rendered body has it."""
        return {str(n): " ".join(str(context.get(name, "")).split()) for n, name in enumerate(self.variables, 1)}


@dataclass(frozen=True)
class TemplateRegistry:
    entries: Mapping[str, TemplateEntry] = field(default_factory=dict)
    buttons: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # payload → language → title

    def find(self, kind: str, language: str) -> tuple[TemplateEntry, str] | None:
        entry = self.entries.get(kind)
        if entry is None or language not in entry.content or not entry.usable:
            return None
        return entry, entry.content[language]

    def button_titles(self, entry: TemplateEntry, language: str) -> list[tuple[str, str]]:
        return [(payload, self.buttons[payload][language]) for payload in entry.buttons]


def parse_registry(data: Mapping[str, object], languages: Sequence[str], required: Sequence[str],
                   source: str = "whatsapp-templates") -> TemplateRegistry:
    """Build and check the registry; raises ValueError naming the entry that is wrong."""
    buttons_raw = data.get("buttons", {})
    if not isinstance(buttons_raw, Mapping):
        raise ValueError(f"{source}: [buttons] must be a table")
    buttons: dict[str, dict[str, str]] = {}
    for payload, titles in buttons_raw.items():
        if payload not in BUTTON_PAYLOADS:
            raise ValueError(f"{source}: buttons.{payload} is not a payload the bot knows ({', '.join(BUTTON_PAYLOADS)})")
        if not isinstance(titles, Mapping):
            raise ValueError(f"{source}: buttons.{payload} must map each language to a title")
        for language in languages:
            title = titles.get(language)
            if not isinstance(title, str) or not title.strip() or len(title) > MAX_BUTTON_TITLE:
                raise ValueError(f"{source}: buttons.{payload}.{language} must be a title of 1 to "
                                 f"{MAX_BUTTON_TITLE} characters, not {title!r}")
        buttons[payload] = {str(k): str(v) for k, v in titles.items()}
    templates = data.get("templates", {})
    if not isinstance(templates, Mapping):
        raise ValueError(f"{source}: [templates.<kind>] tables expected")
    entries: dict[str, TemplateEntry] = {}
    seen: dict[str, str] = {}
    for kind, raw in templates.items():
        where = f"{source}: templates.{kind}"
        if not isinstance(raw, Mapping):
            raise ValueError(f"{where} must be a table")
        unknown = sorted(set(raw) - {"variables", "content", "buttons", "category", "reclassified"})
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]} "
                             "(known: variables, content, buttons, category, reclassified)")
        category, reclassified = raw.get("category", "utility"), raw.get("reclassified", "")
        if category not in CATEGORIES or reclassified not in ("", *CATEGORIES):
            raise ValueError(f"{where}: category and reclassified must be one of {', '.join(CATEGORIES)}")
        if category == "marketing" and kind in UTILITY_ONLY:
            raise ValueError(f"{where}: a reminder about rent may not go as a marketing template "
                             "(submit it as category \"utility\")")
        variables = raw.get("variables", [])
        if not isinstance(variables, list) or not all(isinstance(v, str) and _NAME.fullmatch(v) for v in variables):
            raise ValueError(f"{where}.variables must be a list of template variable names")
        if set(variables) & STATIC_VARIABLES:
            raise ValueError(f"{where}.variables: {', '.join(sorted(STATIC_VARIABLES))} are part of the approved text")
        content = raw.get("content", {})
        if not isinstance(content, Mapping):
            raise ValueError(f"{where}.content must map each language to a ContentSid")
        for language in languages:
            sid = content.get(language)
            if sid is None:
                raise ValueError(f"{where}: no ContentSid for language {language!r}")
            if not isinstance(sid, str) or not _CONTENT_SID.fullmatch(sid):
                raise ValueError(f"{where}.content.{language}: {sid!r} is not a ContentSid (HX and 32 hex digits)")
            if sid in seen:
                raise ValueError(f"{where}.content.{language}: {sid} is also used by {seen[sid]}")
            seen[sid] = f"{kind}/{language}"
        payloads = raw.get("buttons", [])
        if not isinstance(payloads, list) or len(payloads) > MAX_BUTTONS or any(p not in buttons for p in payloads):
            raise ValueError(f"{where}.buttons: at most {MAX_BUTTONS} payloads defined under [buttons]")
        entries[str(kind)] = TemplateEntry(str(kind), tuple(variables), {str(k): str(v) for k, v in content.items()},
                                           tuple(payloads), str(category), str(reclassified))
    missing = [kind for kind in required if kind not in entries]
    if missing:
        raise ValueError(f"{source}: no approved template for {', '.join(missing)} "
                         f"(every WhatsApp message that may open a conversation needs one per language)")
    return TemplateRegistry(entries=entries, buttons=buttons)
