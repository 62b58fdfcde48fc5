"""Evidence of quality kept with the texts: a review row per language and template, and a
back-translation to Dutch of every non-Dutch text that `templates check --compare` prints beside
the Dutch original."""

from __future__ import annotations

import re

import pytest

from herinnering.cli import main
from herinnering.config import load_settings
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import back_translations, compare, kinds_in

SETTINGS = load_settings(environ={})
DIRECTORY = templates_dir()
KINDS = kinds_in(DIRECTORY) + list(SETTINGS.lawful.letter_kinds)


@pytest.mark.parametrize("language", ["en", "tr", "ar", "pl"])
def test_the_review_table_has_a_row_for_every_template_in_every_language(language: str) -> None:
    review = (DIRECTORY / "REVIEW.md").read_text(encoding="utf-8")
    section = review.split(f"## {language}\n", 1)[1].split("\n## ", 1)[0]
    rows = set(re.findall(r"^\| (\w+) \|", section, flags=re.M)) - {"template"}
    assert rows == set(KINDS)


def test_every_non_dutch_text_has_a_back_translation() -> None:
    items = compare(DIRECTORY, SETTINGS)
    assert {i.language for i in items} == {"en", "tr", "ar", "pl"} and len(items) >= 4 * len(KINDS)
    assert [f"{i.language}/{i.kind}.{i.channel}" for i in items if not i.back_translation] == []


@pytest.mark.parametrize("language", ["en", "tr", "ar", "pl"])
def test_a_back_translation_names_only_variables_its_text_uses_and_keeps_name_and_phone(language: str) -> None:
    texts = {(i.kind, i.channel): i for i in compare(DIRECTORY, SETTINGS) if i.language == language}
    for kind, channels in back_translations(DIRECTORY, language).items():
        for channel, back in channels.items():
            item = texts[kind, channel]
            used = set(re.findall(r"\{\{ (\w+)", item.translation))
            named = set(re.findall(r"\{(\w+)\}", back))
            assert named <= used, (kind, named - used)
            assert {"org_phone", "org_name"} & used <= named, kind


def test_templates_check_compare_prints_translation_back_translation_and_dutch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["templates", "check", "--compare"]) == 0
    out = capsys.readouterr().out
    assert "terug: Geachte {name}, op {debit_date} schrijven we uw huur" in out      # Turkish pre_debit
    assert "nl:    Hallo {{ name }}, op {{ debit_date }} schrijven wij de huur af" in out
    assert "0 texts without a back-translation" in out
