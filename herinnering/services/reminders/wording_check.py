"""The wording check: one public function, `check_text`, reads any text a tenant will get — a
template, a letter, an officer's reply — for threats and readability in its language.

The lexicons are data (`config/wording/<lang>.toml`, see `domain/reminders/wording.py` for the phrase
syntax); each also holds its language's readability limits (the Dutch Flesch–Douma minimum is
`lawful.readability_min`). A threat in a text sent before the 14-day letter is refused: every
kind not in `lawful.costs_allowed_in`, and an officer's reply while no 14-day letter has gone out
in the case. After that letter the threats are still reported, as a warning. `check_wording`
runs the check over every shipped template and letter for `herinnering templates check`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from rich.table import Table

from herinnering.adapters.templates import add_filters
from herinnering.config import Settings
from herinnering.domain.reminders.wording import (
    Lexicon,
    Readability,
    ReadabilityLimits,
    Threat,
    readability,
    threats,
)
from herinnering.errors import ConfigError
from herinnering.resources import config_dir

MIN_WORDS = 10  # a shorter text ("Hallo Anna") is too short to score
LANGUAGES = ("nl", "en", "tr", "ar", "pl")


@dataclass(frozen=True)
class WordingRules:
    lexicon: Lexicon
    limits: ReadabilityLimits


@dataclass(frozen=True)
class WordingVerdict:
    """What the check found in one text. `refused`: it may not be sent as it is."""

    language: str
    threats: tuple[Threat, ...]
    readability: Readability | None   # None for texts shorter than MIN_WORDS
    refused: bool
    problems: tuple[str, ...]         # threats (when refused) and readability, as sentences

    @property
    def ok(self) -> bool:
        return not self.problems


@lru_cache(maxsize=32)
def _load(path: Path, language: str, dutch_min: float) -> WordingRules:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no wording lexicon for language {language!r}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    unknown = sorted(set(data) - {"readability", "threats", "allow", "sms"})
    if unknown:
        raise ConfigError(f"{path}: unknown table [{unknown[0]}]; known: readability, threats, allow, sms")
    if not isinstance(data.get("sms", {}).get("fold_diacritics", False), bool):
        raise ConfigError(f"{path}: sms.fold_diacritics must be true or false")
    found = data.get("threats", {})
    allowed = data.get("allow", {}).get("phrases", [])
    for key, value in [*found.items(), ("allow.phrases", allowed)]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of phrases")
    try:
        lexicon = Lexicon.build(language, found, allowed)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    table = data.get("readability", {})
    known = {"min", "max", "max_words_per_sentence", "max_letters_per_word", "score_min_words"}
    if set(table) - known:
        raise ConfigError(f"{path}: unknown readability.{sorted(set(table) - known)[0]}; known: {', '.join(sorted(known))}")
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: readability.{key} = {value!r} is not a number")
    score = dutch_min if language == "nl" else table.get("min", table.get("max"))
    limits = ReadabilityLimits(language, None if score is None else float(score),
                               table.get("max_words_per_sentence"), table.get("max_letters_per_word"),
                               int(table.get("score_min_words", 0)))
    return WordingRules(lexicon, limits)


def rules_for(language: str, settings: Settings, directory: Path | None = None) -> WordingRules:
    """The lexicon and readability limits of one language (read once, then cached)."""
    folder = (directory or config_dir()) / "wording"
    return _load(folder / f"{language}.toml", language, settings.lawful.readability_min)


def check_text(text: str, language: str, settings: Settings, *, kind: str = "officer_reply",
               fourteen_day_letter_sent: bool = False, directory: Path | None = None) -> WordingVerdict:
    """Check one text before it goes to a tenant. Threats are refused unless `kind` may name
    them (`lawful.costs_allowed_in`, the 14-day letter itself) or the case's 14-day letter has
    gone out (`fourteen_day_letter_sent`, for officer replies)."""
    rules = rules_for(language, settings, directory)
    found = tuple(threats(text, rules.lexicon))
    lawful_stage = kind in settings.lawful.costs_allowed_in or fourteen_day_letter_sent
    refused = bool(found) and not lawful_stage
    problems = []
    if refused:
        problems.append("threatening wording before the 14-day letter: " + "; ".join(str(t) for t in found))
    measured = readability(text, language)
    if measured.words < MIN_WORDS:
        return WordingVerdict(language, found, None, refused, tuple(problems))
    problems.extend(rules.limits.problems(measured))
    return WordingVerdict(language, found, measured, refused, tuple(problems))


# --- every shipped template and letter -------------------------------------------------------

@dataclass(frozen=True)
class WordingResult:
    kind: str
    language: str
    channel: str
    threats: tuple[Threat, ...]
    readability: Readability | None
    problem: str | None


def _context(settings: Settings) -> dict[str, object]:
    """Sample values; a variable not listed renders empty (the words around it are what is read)."""
    return {
        "name": "Anna de Vries", "org_name": settings.organisation.name, "org_phone": settings.organisation.phone,
        "amount": "€ 745,50", "amount_due": "€ 745,50", "contract_id": "HC-1000001", "period": "2026-12",
        "debit_date": "maandag 28 december", "due_date": "maandag 28 december", "today_date": "5 maart 2027",
        "link_url": "https://betaal.example.nl/p/Xq3", "address": "Lindelaan 12, 1234 AB Utrecht",
        "costs": "€ 111,83", "vat": "", "received_date": "9 maart 2027", "term_end_date": "23 maart 2027",
        "instalment_number": 3, "instalments": 6, "officer_name": "Fatima",
        "text": "Dank voor uw bericht. Ik bel u morgen tussen 10 en 12 uur.",
    }


def template_files(directory: Path) -> list[tuple[Path, str, str, str]]:
    """(path, language, kind, channel) of every message and letter template."""
    found = []
    for path in sorted((directory / "messages").glob("*/*.j2")):
        kind, channel = (path.name.split(".") + [""])[:2]
        found.append((path, path.parent.name, kind, channel))
    for path in sorted((directory / "letters").glob("**/*.j2")):
        language = next((part for part in path.relative_to(directory).parts if part in LANGUAGES), None)
        if language is not None and not path.name.startswith("_"):
            found.append((path, language, path.name.split(".")[0], "letter"))
    return found


def check_wording(directory: Path, settings: Settings) -> list[WordingResult]:
    """Every message and letter template, rendered with sample data and checked."""
    env = add_filters(jinja2.Environment(loader=jinja2.FileSystemLoader(str(directory)), undefined=jinja2.Undefined,
                                         autoescape=False, trim_blocks=True, lstrip_blocks=True))
    context = _context(settings)
    results = []
    for path, language, kind, channel in template_files(directory):
        try:
            text = env.get_template(path.relative_to(directory).as_posix()).render(**context)
        except jinja2.TemplateError as exc:
            results.append(WordingResult(kind, language, channel, (), None, f"does not render: {exc}"))
            continue
        if language not in LANGUAGES:
            continue
        verdict = check_text(text, language, settings, kind=kind)
        shown = verdict.threats if verdict.refused else ()
        results.append(WordingResult(kind, language, channel, shown, verdict.readability,
                                     "; ".join(verdict.problems) or None))
    return results


def readability_table(directory: Path, settings: Settings) -> Table:
    """Every text with its language's readability measure, for `herinnering templates check`."""
    table = Table(title="Readability (nl Flesch-Douma, en Flesch, tr Ateşman, pl Pisarek, ar sentence length)")
    for column in ("kind", "language", "channel", "measure", "score", "words/sentence", "level"):
        table.add_column(column)
    for result in check_wording(directory, settings):
        score = result.readability
        if score is None:
            continue
        shown = f"{score.score:.0f}" if score.language != "pl" else f"{score.score:.1f}"
        table.add_row(result.kind, result.language, result.channel, score.measure,
                      f"[red]{shown}[/]" if result.problem else shown, f"{score.words_per_sentence:.1f}", score.level)
    return table
