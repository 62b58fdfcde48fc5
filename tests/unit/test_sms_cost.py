"""SMS cost without mangling: a name is never transliterated, Polish SMS drop their diacritics
only where that makes the whole text GSM-7, Turkish and Arabic keep theirs, and `templates check`
reports segments with realistic names and the monthly cost per language."""

from __future__ import annotations

import pytest

from herinnering.adapters.templates import MessageTemplates, sms_fold_languages
from herinnering.cli import main
from herinnering.config import load_settings
from herinnering.domain.reminders.sms import fold_outside, is_gsm7, measure
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import (
    LONG_NAME,
    SAMPLE_NAMES,
    cost_report,
    kinds_in,
    sample_context,
    segment_report,
)

SETTINGS = load_settings(environ={})
TEMPLATES = MessageTemplates(templates_dir())
POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def test_folding_keeps_the_protected_values_and_happens_only_when_it_makes_gsm7() -> None:
    assert fold_outside("Dzień dobry, Anna. Płatność: 10 zł", ["Anna"]) == "Dzien dobry, Anna. Platnosc: 10 zl"
    # a name GSM-7 cannot carry keeps the whole text as it was: folding would save nothing
    text = "Dzień dobry, Łukasz Wójcik."
    assert fold_outside(text, ["Łukasz Wójcik"]) == text


def test_only_polish_sms_are_folded() -> None:
    assert sms_fold_languages() == frozenset({"pl"})


def render(kind: str, channel: str, language: str, name: str) -> str:
    return TEMPLATES.render(kind, channel, language, {**sample_context(language, SETTINGS), "name": name}).body


@pytest.mark.parametrize("kind", ["pre_debit", "payment_link", "ladder_reminder"])
def test_a_polish_sms_is_gsm7_with_a_plain_name_and_keeps_every_letter_with_a_polish_name(kind: str) -> None:
    plain = render(kind, "sms", "pl", LONG_NAME)
    assert is_gsm7(plain) and not set(plain) & POLISH
    polish = render(kind, "sms", "pl", "Łukasz Wójcik")
    assert "Łukasz Wójcik" in polish and "Dzień dobry" in polish and measure(polish).encoding == "UCS-2"
    assert set(render(kind, "whatsapp", "pl", LONG_NAME)) & POLISH  # WhatsApp always keeps them


def test_turkish_sms_keep_their_letters() -> None:
    body = render("pre_debit", "sms", "tr", LONG_NAME)
    assert "Sayın" in body and "ı" in body


@pytest.mark.parametrize("language", ["nl", "en", "tr", "ar", "pl"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_name_is_never_transliterated(language: str, name: str) -> None:
    for kind in kinds_in(templates_dir()):
        source = TEMPLATES.env.loader.get_source(TEMPLATES.env, TEMPLATES.name(kind, "sms", language))[0]
        if "{{ name }}" in source:
            assert name in render(kind, "sms", language, name), kind


def test_the_segment_report_shows_what_a_name_costs() -> None:
    rows = {(r.kind, r.language): r.segments for r in segment_report(templates_dir(), SETTINGS)}
    dutch = rows["pre_debit", "nl"]
    assert dutch[LONG_NAME] == ("GSM-7", 2)
    assert dutch["Zoë van Dijk"][0] == dutch["Hüseyin Aydın"][0] == "UCS-2"   # ë and ı are not GSM-7


def test_the_cost_report_prices_the_monthly_reminder_per_language() -> None:
    costs = {(c.language, c.name): c for c in cost_report(segment_report(templates_dir(), SETTINGS), 0.10)}
    dutch = costs["nl", LONG_NAME]
    assert dutch.per_thousand == pytest.approx(dutch.segments * 0.10 * 1000) and dutch.versus_dutch == 0
    turkish = costs["tr", "Hüseyin Aydın"]
    assert turkish.versus_dutch == pytest.approx((turkish.segments - dutch.segments) * 100)


def test_templates_check_prints_segments_and_costs_at_the_given_price(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "check", "--price-per-segment", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "SMS segments with realistic names" in out and "EUR 0.1000 per segment" in out
    assert "Hüseyin Aydın" in out
