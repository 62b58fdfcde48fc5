"""The ladder's and arrangements' texts, in all five languages: they render with the variables
the services give them, Dutch stays GSM-7, and none mentions costs, bailiffs or eviction."""

from __future__ import annotations

import pytest

from herinnering.adapters.templates import MessageTemplates
from herinnering.domain.reminders.sms import is_gsm7, measure
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import sms_limit

LANGUAGES = ("nl", "en", "tr", "ar", "pl")
BASE = {"name": "Anna de Vries", "contract_id": "HC-000001", "amount": "€ 745,50", "org_name": "Woonstichting De Linde",
        "org_phone": "020 123 4567"}
KINDS = {
    "payment_link": {"amount_due": "€ 745,50", "link_url": "https://pay.example.nl/p/abc", "period": "2026-12"},
    "ladder_reminder": {"amount_due": "€ 745,50", "link_url": "", "period": "2026-12"},
    "debt_help_offer": {"amount_due": "€ 745,50", "link_url": "", "period": "2026-12"},
    "instalment_reminder": {"amount_due": "€ 248,50", "due_date": "dinsdag 5 januari", "instalment_number": 1,
                            "instalments": 3},
}
FORBIDDEN = ("kosten", "incassokosten", "deurwaarder", "ontruiming", "beslag", "bailiff", "evict", "costs")
TEMPLATES = MessageTemplates(templates_dir())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_ladder_text_renders_in_every_language(kind: str, channel: str, language: str) -> None:
    rendered = TEMPLATES.render(kind, channel, language, {**BASE, **KINDS[kind]})
    assert rendered.language == language and "020 123 4567" in rendered.body
    assert not any(word in rendered.body.lower() for word in FORBIDDEN)
    if language == "nl":
        assert is_gsm7(rendered.body), rendered.body
    size = measure(rendered.body)
    assert size.segments <= sms_limit(size.encoding, kind), size  # 2 GSM-7, 4 UCS-2 (tr, ar, pl)


def test_the_link_is_in_the_text_when_there_is_one_and_the_text_still_reads_without() -> None:
    with_link = TEMPLATES.render("payment_link", "sms", "nl", {**BASE, **KINDS["payment_link"]}).body
    without = TEMPLATES.render("payment_link", "sms", "nl", {**BASE, **KINDS["payment_link"], "link_url": ""}).body
    assert "https://pay.example.nl/p/abc" in with_link and "overmaken" in without


MUNICIPALITY = {"nl": "gemeente", "en": "municipality", "tr": "belediye", "ar": "البلدية", "pl": "gmin"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_written_reminder_letter_points_to_debt_help_and_offers_to_pass_data_on(language: str) -> None:
    text = TEMPLATES.env.get_template(f"messages/{language}/written_reminder.letter.j2").render(
        **BASE, period="2026-12", today_date="maandag 14 december")
    assert MUNICIPALITY[language] in text
    assert not any(word in text.lower() for word in FORBIDDEN)
