"""The wording part of `herinnering templates check`: every template (SMS, WhatsApp, letter) in
every language is rendered with sample data and read with `domain/wording.py`.

A template of a kind sent before the 14-day letter (every kind not in `lawful.costs_allowed_in`)
fails when it names costs, a bailiff, eviction, seizure or court. Every Dutch text gets its
Flesch–Douma score; one below `lawful.readability_min` fails (texts of at least ten words:
the formula means nothing for a greeting).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from rich.table import Table

from herinnering.config import Settings
from herinnering.domain.wording import Readability, readability, threats

MIN_WORDS = 10  # a shorter text ("Hallo Anna") is too short to score


@dataclass(frozen=True)
class WordingResult:
    kind: str
    language: str
    channel: str
    threats: tuple[str, ...]
    readability: Readability | None  # Dutch texts only
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


def check_wording(directory: Path, settings: Settings) -> list[WordingResult]:
    """Every template file under messages/<language>/, checked."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(directory)), undefined=jinja2.Undefined,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True)
    context = _context(settings)
    lawful = settings.lawful
    results = []
    for path in sorted((directory / "messages").glob("*/*.j2")):
        language = path.parent.name
        kind, channel = (path.name.split(".") + [""])[:2]
        try:
            text = env.get_template(path.relative_to(directory).as_posix()).render(**context)
        except jinja2.TemplateError as exc:
            results.append(WordingResult(kind, language, channel, (), None, f"does not render: {exc}"))
            continue
        found = () if kind in lawful.costs_allowed_in else tuple(threats(text, language))
        score = readability(text) if language == "nl" else None
        problems = []
        if found:
            problems.append(f"threatening words before the 14-day letter: {', '.join(found)}")
        if score is not None and score.words >= MIN_WORDS and score.flesch_douma < lawful.readability_min:
            problems.append(f"Flesch-Douma {score.flesch_douma:.0f} is below {lawful.readability_min:g}")
        results.append(WordingResult(kind, language, channel, found, score, "; ".join(problems) or None))
    return results


def readability_table(directory: Path, settings: Settings) -> Table:
    """The Dutch texts with their Flesch–Douma score, for `herinnering templates check`."""
    table = Table(title=f"Dutch readability (Flesch-Douma; at least {settings.lawful.readability_min:g})")
    for column in ("kind", "channel", "words/sentence", "syllables/word", "score", "level"):
        table.add_column(column)
    for result in check_wording(directory, settings):
        score = result.readability
        if score is None:
            continue
        low = score.flesch_douma < settings.lawful.readability_min
        table.add_row(result.kind, result.channel, f"{score.words_per_sentence:.1f}", f"{score.syllables_per_word:.2f}",
                      f"[red]{score.flesch_douma:.0f}[/]" if low else f"{score.flesch_douma:.0f}", score.level)
    return table
