"""No threats before the 14-day letter, in any language, and plain Dutch (Flesch–Douma)."""

from __future__ import annotations

from pathlib import Path

import pytest

from herinnering.config import load_settings
from herinnering.domain.wording import dutch_syllables, readability, threats
from herinnering.resources import templates_dir
from herinnering.services.wording_check import check_wording


@pytest.mark.parametrize(("language", "text", "found"), [
    ("nl", "Betaal voor maandag, anders sturen we de deurwaarder.", ["deurwaarder"]),
    ("nl", "Dan volgen incassokosten en ontruiming van uw woning.", ["kosten", "ontruim"]),
    ("nl", "Wij leggen beslag op uw loon.", ["beslag"]),
    ("nl", "Vriendelijke herinnering: op 1 december schrijven we de huur af.", []),
    ("en", "Extra costs and a bailiff will follow; we may evict you.", ["cost", "bailiff", "evict"]),
    ("en", "Feel free to call us.", []),                            # "feel" is no fee
    ("tr", "Odemezseniz icra takibi ve haciz baslar.", ["icra", "haciz"]),  # GSM-7 spelling, no accents
    ("tr", "Ödemezseniz tahliye ve masraflar olur.", ["masraf", "tahliye"]),
    ("tr", "Belediye borçlar için ücretsiz yardım eder.", []),     # "ücretsiz" (free) is fine
    ("ar", "سنرسل المحضر وسنطلب إخلاء المنزل.", ["محضر", "اخلاء"]),
    ("pl", "Sprawę przekażemy komornikowi; grozi eksmisja i zajęcie.", ["komornik", "eksmisj", "zajeci"]),
    ("pl", "Gmina bezplatnie pomaga w dlugach.", []),
])
def test_threatening_words_are_found_in_every_language(language: str, text: str, found: list[str]) -> None:
    assert threats(text, language) == found


@pytest.mark.parametrize(("word", "syllables"), [
    ("huur", 1), ("betalen", 3), ("gemeente", 3), ("schuldhulpverlening", 5), ("vrijdag", 2),
    ("geïnteresseerd", 5), ("ruïne", 3), ("a", 1),
])
def test_dutch_syllables(word: str, syllables: int) -> None:
    assert dutch_syllables(word) == syllables


def test_flesch_douma_of_a_plain_and_a_dense_text() -> None:
    plain = readability("Wij hebben uw huur nog niet. Bel ons. Dan zoeken we samen een oplossing.")
    assert (plain.sentences, plain.words) == (3, 14)
    assert plain.flesch_douma == pytest.approx(206.835 - 0.93 * 14 / 3 - 77 * plain.syllables / 14)
    dense = readability("Indien betaling van de verschuldigde huurpenningen achterwege blijft, zal de verhuurder "
                        "genoodzaakt zijn invorderingsmaatregelen overeenkomstig de toepasselijke bepalingen te treffen.")
    assert plain.flesch_douma > 60 > dense.flesch_douma and dense.level == "C1 or harder"


def write(directory: Path, language: str, name: str, text: str) -> None:
    path = directory / "messages" / language / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_pre_debit_reminder_that_threatens_fails_in_dutch_and_in_turkish(tmp_path: Path) -> None:
    settings = load_settings(environ={})
    write(tmp_path, "nl", "pre_debit.sms.j2", "Hallo {{ name }}, betaal op tijd, anders komt de deurwaarder.")
    write(tmp_path, "tr", "pre_debit.sms.j2", "Merhaba {{ name }}, zamaninda odeyin, yoksa icra memuru gelir.")
    write(tmp_path, "en", "pre_debit.sms.j2", "Hello {{ name }}, we will take the rent on {{ debit_date }}.")
    write(tmp_path, "nl", "veertiendagenbrief.letter.j2", "Betaalt u niet? Dan zijn de kosten {{ costs }}.")
    results = {(r.language, r.kind): r for r in check_wording(tmp_path, settings)}
    assert "deurwaarder" in (results["nl", "pre_debit"].problem or "")
    assert "icra" in (results["tr", "pre_debit"].problem or "")
    assert results["en", "pre_debit"].problem is None
    assert results["nl", "veertiendagenbrief"].problem is None  # the 14-day letter may name the costs


def test_a_dense_dutch_text_fails_the_readability_bar(tmp_path: Path) -> None:
    write(tmp_path, "nl", "pre_debit.sms.j2", "Indien betaling van de verschuldigde huurpenningen achterwege "
          "blijft, zal de verhuurder genoodzaakt zijn invorderingsmaatregelen te overwegen.")
    [result] = check_wording(tmp_path, load_settings(environ={}))
    assert result.problem is not None and "Flesch-Douma" in result.problem


def test_the_shipped_templates_pass_the_wording_check() -> None:
    problems = [(r.language, r.kind, r.channel, r.problem)
                for r in check_wording(templates_dir(), load_settings(environ={})) if r.problem]
    assert problems == []
