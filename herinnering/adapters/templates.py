"""Rendering what a tenant reads: jinja2 templates, Dutch first, amounts and dates via babel.

Message texts live in `templates/messages/<language>/<kind>.<channel>.j2`. Undefined variables
fail loudly (StrictUndefined), so a typo breaks a test, not a tenant's SMS. A language without
a template falls back to Dutch with a logged warning. Rendered text is made GSM-7 safe
(babel writes non-breaking spaces, which would double an SMS's cost). For a language whose
`config/wording/<lang>.toml` says `[sms] fold_diacritics = true` (Polish), an SMS is sent
without diacritics when that makes it GSM-7 — never the tenant's name or another value.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from babel.core import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern

from herinnering.domain.reminders.sms import fold_outside, gsm7_safe
from herinnering.errors import TemplateError
from herinnering.resources import config_dir

log = logging.getLogger(__name__)

LOCALES = {"nl": "nl_NL", "en": "en_GB", "tr": "tr_TR", "ar": "ar", "pl": "pl_PL"}
DATE_PATTERNS = {"tr": "d MMMM EEEE", "ar": "EEEE d MMMM"}
FALLBACK_LANGUAGE = "nl"
# Values an SMS never changes, even where its own text drops diacritics: names, addresses, links.
KEPT_AS_WRITTEN = ("name", "org_name", "text", "link_url", "page_url", "payment_url", "contract_id", "org_iban",
                   "officer_name", "address")


@dataclass(frozen=True)
class RenderedMessage:
    body: str
    template: str
    language: str


@functools.cache
def _currency_format(language: str) -> tuple[Locale, NumberPattern]:
    """The locale and its currency pattern, parsed once: `format_currency` parses both on
    every call, most of the time a dispatcher spends on an amount."""
    locale = Locale.parse(LOCALES.get(language, "nl_NL"))
    return locale, locale.currency_formats["standard"]


@functools.lru_cache(maxsize=8192)
def money(cents: int, language: str) -> str:
    """€ 845,50 in Dutch, €845.50 in English; always Latin digits. (What `format_currency`
    writes, from the pattern parsed once; rents repeat, so texts are kept too.)"""
    locale, pattern = _currency_format(language)
    text = pattern.apply(Decimal(cents) / 100, locale, currency="EUR", currency_digits=True, numbering_system="latn")
    return gsm7_safe(text)


@functools.lru_cache(maxsize=4096)
def long_date(day: date, language: str) -> str:
    """'maandag 28 december', 'Monday 28 December'. (A month's messages share a few dates.)"""
    pattern = DATE_PATTERNS.get(language, "EEEE d MMMM")
    return gsm7_safe(format_date(day, pattern, locale=LOCALES.get(language, "nl_NL")))


def template_path(name: Any, channel: Any, language: Any) -> Any:
    """The one rule for a message template's file: `messages/<language>/<name>.<channel>.j2`,
    where `<name>` is the message kind or an experiment variant's template. Plain strings give
    a string; SQL expressions (the planner's INSERT) give the same rule as an SQL expression."""
    return "messages/" + language + "/" + name + "." + channel + ".j2"


def template_name(path: str) -> str:
    """The `<name>` of a path made by `template_path` (its inverse): what a stored message is
    rendered with when it goes out on another channel or in another language."""
    return PurePosixPath(path).name.split(".", 1)[0]


LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"


def left_to_right(value: object) -> str:
    """A phone number, link, IBAN or contract id kept left to right inside Arabic text (Unicode
    isolate LRI … PDI): without it "020 123 4567" shows as "4567 123 020"."""
    return f"{LRI}{value}{PDI}"


def isolated(value: object) -> str:
    """An amount or a date set apart in its own direction (FSI … PDI), so it cannot pull the
    words around it out of order."""
    return f"{FSI}{value}{PDI}"


def add_filters(env: jinja2.Environment) -> jinja2.Environment:
    """The filters every message template may use: `ltr` and `isolate` (for Arabic)."""
    env.filters["ltr"] = left_to_right
    env.filters["isolate"] = isolated
    return env


def sms_fold_languages(config_directory: Path | None = None) -> frozenset[str]:
    """Languages whose SMS may drop diacritics (`[sms] fold_diacritics` in config/wording/<lang>.toml)."""
    folder = (config_directory or config_dir()) / "wording"
    found = set()
    for path in sorted(folder.glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("sms", {})
        if table.get("fold_diacritics") is True:
            found.add(path.stem)
    return frozenset(found)


class MessageTemplates:
    """The message templates on disk, rendered strictly."""

    def __init__(self, directory: Path, sms_fold: frozenset[str] | None = None) -> None:
        self.sms_fold = sms_fold_languages() if sms_fold is None else sms_fold
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(directory)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        add_filters(self.env)

    @staticmethod
    def name(kind: str, channel: str, language: str) -> str:
        return str(template_path(kind, channel, language))

    def render(self, kind: str, channel: str, language: str, context: dict[str, Any]) -> RenderedMessage:
        used = language
        try:
            template = self.env.get_template(self.name(kind, channel, language))
        except jinja2.TemplateNotFound:
            log.warning("no %s %s template in %r; falling back to Dutch", kind, channel, language)
            used = FALLBACK_LANGUAGE
            try:
                template = self.env.get_template(self.name(kind, channel, used))
            except jinja2.TemplateNotFound:
                raise TemplateError(f"no template {self.name(kind, channel, used)}") from None
        try:
            text = template.render(**context)
        except jinja2.UndefinedError as exc:
            raise TemplateError(f"{template.name}: {exc.message}") from None
        body = gsm7_safe(" ".join(text.split()))
        if channel == "sms" and used in self.sms_fold:
            body = fold_outside(body, [gsm7_safe(str(context[key])) for key in KEPT_AS_WRITTEN if context.get(key)])
        return RenderedMessage(body=body, template=template.name or "", language=used)
