"""What every tenant reads, in every language: signed with the corporation's name and phone,
Turkish and Polish with their own letters, the glossary's terms, formal address without blame,
the same one action as the Dutch text, and every letter in every language."""

from __future__ import annotations

import re
import tomllib
from functools import cache

import pytest

from herinnering.adapters.templates import MessageTemplates
from herinnering.config import load_settings
from herinnering.domain.conversations.keywords import Intent, keyword_rules
from herinnering.domain.reminders.wording import normalise
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import kinds_in, sample_context

SETTINGS = load_settings(environ={})
LANGUAGES = ("nl", "en", "tr", "ar", "pl")
DIRECTORY = templates_dir()
TEMPLATES = MessageTemplates(DIRECTORY)
KINDS = kinds_in(DIRECTORY)
LETTERS = ("written_reminder", "veertiendagenbrief")
GLOSSARY = tomllib.loads((DIRECTORY / "glossary.toml").read_text(encoding="utf-8"))
PLAIN_NAME = "Anna de Vries"  # no letters outside GSM-7: whatever diacritics a text has are its own


def context(language: str) -> dict[str, object]:
    values = sample_context(language, SETTINGS)
    values.update(name=PLAIN_NAME, address="Lindelaan 12, 1234 AB Utrecht", today_date="5 maart 2027",
                  received_date="9 maart 2027", term_end_date="23 maart 2027", costs="€ 111,83", vat="",
                  amount="€ 745,50")
    return values


@cache
def text(kind: str, channel: str, language: str) -> str:
    name = MessageTemplates.name(kind, channel, language)
    return TEMPLATES.env.get_template(name).render(**context(language))


ALL = [(kind, channel, language) for kind in KINDS for channel in ("sms", "whatsapp") for language in LANGUAGES]
ALL += [(kind, "letter", language) for kind in LETTERS for language in LANGUAGES]


@pytest.mark.parametrize("kind", LETTERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_letter_exists_in_every_language(kind: str, language: str) -> None:
    assert (DIRECTORY / MessageTemplates.name(kind, "letter", language)).exists()  # no silent Dutch


@pytest.mark.parametrize(("kind", "channel", "language"), ALL)
def test_every_text_names_the_corporation_and_its_phone(kind: str, channel: str, language: str) -> None:
    body = text(kind, channel, language)
    assert SETTINGS.organisation.name in body and SETTINGS.organisation.phone in body


TURKISH_LETTERS = set("ıİşŞğĞçÇöÖüÜ")
POLISH_LETTERS = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Common words written without their letters: a sign the text was typed on a keyboard without them.
FOLDED = {"tr": {"sayin", "kiraniz", "lutfen", "odeme", "icin", "tesekkur", "ulasmadi", "sorulariniz", "calisanimiz"},
          "pl": {"dzien", "prosze", "panstwa", "panstwo", "dziekujemy", "mozna", "zaplacic", "platnosc", "miesiac"}}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("language", "letters"), [("tr", TURKISH_LETTERS), ("pl", POLISH_LETTERS)])
def test_turkish_and_polish_whatsapp_texts_carry_their_own_letters(kind: str, language: str, letters: set[str]) -> None:
    for channel in ("whatsapp", "letter") if kind in LETTERS else ("whatsapp",):
        body = text(kind, channel, language)
        if kind == "officer_reply":  # the frame around the officer's own words
            body = body.replace(str(context(language)["text"]), "")
        assert set(body) & letters, body
        words = set(re.findall(r"\w+", body.lower()))
        assert not words & FOLDED[language], words & FOLDED[language]


def concepts() -> list[tuple[str, str]]:
    return [(name, entry["meaning"]) for name, entry in GLOSSARY.items() if name != "avoid"]


@pytest.mark.parametrize(("concept", "meaning"), concepts())
def test_translations_use_the_glossary_term_wherever_the_dutch_text_speaks_of_it(concept: str, meaning: str) -> None:
    entry = GLOSSARY[concept]
    missing = []
    for kind, channel, language in ALL:
        if language == "nl" or not re.search(entry["nl"], normalise(text(kind, channel, "nl"))):
            continue
        if not re.search(entry[language], normalise(text(kind, channel, language))):
            missing.append(f"{language}/{kind}.{channel}: no {entry[language]!r} ({meaning})")
    assert missing == []


@pytest.mark.parametrize(("kind", "channel", "language"), ALL)
def test_no_text_is_informal_gendered_or_blaming(kind: str, channel: str, language: str) -> None:
    body = normalise(text(kind, channel, language).replace(str(context(language)["text"]), ""))
    found = [pattern for pattern in GLOSSARY["avoid"][language] if re.search(pattern, body)]
    assert found == []


RULES = keyword_rules()


# How each language asks for a reply: "Stuur START", "Reply START", "BAŞLA yazıp gönderin",
# "prosimy odpisać START", "أرسلوا كلمة ابدأ".
REPLY_ASKED = {"nl": r"Stuur (\w+)", "en": r"Reply (\w+)", "tr": r"(\w+) yazıp gönderin",
               "pl": r"odpisać (\w+)", "ar": r"أرسلوا (?:كلمة )?([^\s.،]+)"}


def asked_replies(body: str, language: str) -> set[Intent]:
    """The keywords a text asks the tenant to send back, as the bot will read them."""
    return {RULES.classify(word) for word in re.findall(REPLY_ASKED[language], body)} - {Intent.OTHER}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", ["en", "tr", "ar", "pl"])
def test_each_translation_asks_for_the_same_one_action_as_the_dutch(kind: str, language: str) -> None:
    dutch, translated = text(kind, "sms", "nl"), text(kind, "sms", language)
    link = str(context(language)["link_url"])
    assert (link in dutch) == (link in translated)
    assert asked_replies(dutch, "nl") == asked_replies(translated, language)


@pytest.mark.parametrize(("kind", "channel"), [(k, c) for k in KINDS for c in ("sms", "whatsapp")]
                         + [(k, "letter") for k in LETTERS])
def test_arabic_texts_keep_phone_numbers_and_links_left_to_right(kind: str, channel: str) -> None:
    body = text(kind, channel, "ar")
    assert f"\u2066{SETTINGS.organisation.phone}\u2069" in body  # LRI … PDI: never "4567 123 020"
    link = str(context("ar")["link_url"])
    assert link not in body or f"\u2066{link}\u2069" in body
