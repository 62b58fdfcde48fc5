"""`herinnering templates check`: every message kind × language × channel, rendered with
realistic worst-case data (a long name, a large amount), measured the way Twilio counts it.

A kind missing in one of the configured languages, a template that needs a variable nobody
provides, or an SMS longer than its limit is a failure: better here than on a phone. The limit
is two GSM-7 segments (306 characters) and four UCS-2 segments (268 characters): Turkish,
Arabic and Polish are written correctly, and a name such as "Hüseyin Aydın" makes any text
UCS-2, so the room in characters is kept about the same rather than the wording mangled.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
from jinja2 import meta

from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.config import Settings
from herinnering.domain.reminders.sms import Encoding, measure
from herinnering.errors import TemplateError
from herinnering.services.reminders.check_rows import (
    CHANNELS,
    MAX_WHATSAPP_CHARACTERS,
    CheckRow,
    kinds_in,
)
from herinnering.services.reminders.whatsapp_check import check_registry
from herinnering.services.reminders.wording_check import check_wording
from herinnering.services.tenants.self_service import long_month

MAX_SMS_SEGMENTS = 2          # GSM-7
MAX_UCS2_SEGMENTS = 4         # UCS-2: about the same number of characters
# Kinds that may take more: the reminder for tenants who pay by transfer must carry the IBAN and
# the payment reference (and a web address where there is one).
SEGMENT_ALLOWANCE = {"pre_due": 4}
LONG_NAME = "Anna-Maria van der Heijden-Bouchikhi"


def sample_context(language: str, settings: Settings) -> dict[str, object]:
    """Worst-case values for every variable the shipped templates use."""
    return {
        "name": LONG_NAME,
        "amount": money(123_456, language),
        "amount_due": money(246_912, language),
        "debit_date": long_date(date(2026, 12, 28), language),
        "due_date": long_date(date(2026, 12, 28), language),
        "org_name": settings.organisation.name,
        "org_phone": settings.organisation.phone,
        "contract_id": "HC-1000001",
        "link_url": "https://betaal.example.nl/p/Xq3-9fKw2LmZ8rTb",
        "instalment_number": 3,
        "instalments": 6,
        "officer_name": "Fatima",
        "text": "Dank voor uw bericht. Ik bel u morgen tussen 10 en 12 uur.",
        # issue 10: reason-aware returns, self-service dialogs, the personal page
        "days": "1, 5, 10, 15, 20, 25", "new_day": 25, "from_month": long_month(language),
        "proposal": money(12_345, language), "part": "afternoon", "recollect_on": "28-12-2026",
        "page_url": "https://huur.example.nl/mijn-huur/Xq3-9fKw2LmZ8rTbQ1wE5yUi8oPa",
        # issue 16: how a tenant who pays by transfer pays
        "org_iban": "NL91 ABNA 0417 1643 00", "payment_url": "https://www.delinde.nl/betalen",
    }


def sms_limit(encoding: str, kind: str = "") -> int:
    """The most SMS segments a text of this kind may take in this encoding."""
    return max(SEGMENT_ALLOWANCE.get(kind, 0), MAX_SMS_SEGMENTS if encoding == "GSM-7" else MAX_UCS2_SEGMENTS)


def check_templates(directory: Path, settings: Settings) -> list[CheckRow]:
    templates = MessageTemplates(directory)
    rows = []
    for kind in kinds_in(directory):
        for language in settings.reminders.languages:
            for channel in CHANNELS:
                rows.append(_check_one(templates, directory, kind, language, channel, settings))
    # issue 11: no threats before the 14-day letter, plain Dutch
    rows.extend(CheckRow(w.kind, w.language, f"{w.channel} (wording)", 0, "-", 0, w.problem)
                for w in check_wording(directory, settings) if w.problem)
    rows.extend(check_registry(directory, settings))  # the approved WhatsApp templates
    return rows


def _check_one(templates: MessageTemplates, directory: Path, kind: str, language: str, channel: str,
               settings: Settings) -> CheckRow:
    name = templates.name(kind, channel, language)
    if not (directory / name).exists():
        return CheckRow(kind, language, channel, 0, "-", 0, f"missing: {name}")
    context = sample_context(language, settings)
    source = templates.env.loader.get_source(templates.env, name)[0]  # type: ignore[union-attr]
    needed = meta.find_undeclared_variables(templates.env.parse(source)) - set(context)
    if needed:
        return CheckRow(kind, language, channel, 0, "-", 0, f"no sample value for {', '.join(sorted(needed))}")
    try:
        body = templates.render(kind, channel, language, context).body
    except (TemplateError, jinja2.TemplateError) as exc:
        return CheckRow(kind, language, channel, 0, "-", 0, str(exc))
    size = measure(body)
    problem = None
    limit = sms_limit(size.encoding, kind)
    if channel == "sms" and size.segments > limit:
        problem = f"{size.segments} {size.encoding} SMS segments (at most {limit})"
    elif channel == "whatsapp" and len(body) > MAX_WHATSAPP_CHARACTERS:
        problem = f"{len(body)} characters (WhatsApp allows {MAX_WHATSAPP_CHARACTERS})"
    elif not body.strip():
        problem = "renders empty"
    return CheckRow(kind, language, channel, len(body), size.encoding, size.segments, problem)


# --- what names do to segments, and what that costs -------------------------------------------

# Realistic names: a long Dutch double name (GSM-7), and names GSM-7 cannot carry. A name is never
# transliterated, so these decide a message's encoding whatever the template's own letters are.
SAMPLE_NAMES = (LONG_NAME, "Zoë van Dijk", "Hüseyin Aydın", "Łukasz Wójcik")
MONTHLY_KIND = "pre_debit"   # the message every tenant gets every month


@dataclass(frozen=True)
class SegmentRow:
    kind: str
    language: str
    segments: dict[str, tuple[Encoding, int]]   # name → (encoding, segments)


def segment_report(directory: Path, settings: Settings) -> list[SegmentRow]:
    """Per SMS kind and language: the encoding and segments with each sample name."""
    templates = MessageTemplates(directory)
    rows = []
    for kind in kinds_in(directory):
        for language in settings.reminders.languages:
            if not (directory / templates.name(kind, "sms", language)).exists():
                continue
            sizes = {}
            for name in SAMPLE_NAMES:
                context = {**sample_context(language, settings), "name": name}
                try:
                    body = templates.render(kind, "sms", language, context).body
                except (TemplateError, jinja2.TemplateError):
                    continue
                size = measure(body)
                sizes[name] = (size.encoding, size.segments)
            rows.append(SegmentRow(kind, language, sizes))
    return rows


@dataclass(frozen=True)
class CostRow:
    language: str
    name: str
    segments: int
    per_thousand: float      # euro per 1,000 tenants per month for the monthly reminder
    versus_dutch: float      # the difference with Dutch and a GSM-7 name


def cost_report(rows: list[SegmentRow], price_per_segment: float) -> list[CostRow]:
    """The monthly reminder's cost per language and name, at the given price per segment."""
    monthly = {row.language: row.segments for row in rows if row.kind == MONTHLY_KIND}
    baseline = monthly.get("nl", {}).get(LONG_NAME, (None, 0))[1] * price_per_segment * 1000
    costs = []
    for language, sizes in monthly.items():
        for name, (_, segments) in sizes.items():
            euro = segments * price_per_segment * 1000
            costs.append(CostRow(language, name, segments, euro, euro - baseline))
    return costs


# --- back-translations: `herinnering templates check --compare` --------------------------------

@dataclass(frozen=True)
class Comparison:
    kind: str
    channel: str
    language: str
    dutch: str            # the Dutch template's text (variables as {{ name }})
    translation: str      # the template's text in `language`
    back_translation: str | None   # templates/backtranslations/<language>.toml, None when missing


def _source(directory: Path, kind: str, channel: str, language: str) -> str | None:
    path = directory / MessageTemplates.name(kind, channel, language)
    if not path.exists():
        return None
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S).strip()
    return re.sub(r"\|(ltr|isolate)", "", text)


def back_translations(directory: Path, language: str) -> dict[str, dict[str, str]]:
    path = directory / "backtranslations" / f"{language}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def compare(directory: Path, settings: Settings) -> list[Comparison]:
    """Every non-Dutch SMS text and letter (and the officer's WhatsApp frame) beside its Dutch
    original and its back-translation to Dutch, for a Dutch reviewer."""
    pairs = [(kind, "sms") for kind in kinds_in(directory)] + [("officer_reply", "whatsapp")]
    pairs += [(kind, "letter") for kind in settings.lawful.letter_kinds]
    found = []
    for language in settings.reminders.languages:
        if language == "nl":
            continue
        back = back_translations(directory, language)
        for kind, channel in pairs:
            dutch, translation = _source(directory, kind, channel, "nl"), _source(directory, kind, channel, language)
            if dutch is None or translation is None:
                continue
            found.append(Comparison(kind, channel, language, dutch, translation, back.get(kind, {}).get(channel)))
    return found
