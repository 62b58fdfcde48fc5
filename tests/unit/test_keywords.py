"""The keyword bot's reading of a reply: whole message, any case, any accents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.conversations.keywords import (
    DEFAULT_KEYWORDS,
    Intent,
    canonical,
    keyword_rules,
    normalise,
)

RULES = keyword_rules()


@pytest.mark.parametrize(("text", "intent"), [
    ("STOP", Intent.STOP),            # Twilio's classic
    ("stoppen", Intent.STOP),         # Dutch
    ("  Stop! ", Intent.STOP),        # spaces and punctuation around it
    ("stöp", Intent.STOP),            # accents ignored
    ("START", Intent.START),
    ("Hulp", Intent.HELP),
    ("help?", Intent.HELP),
    ("BETAALD", Intent.PAID),
    ("Ik heb   betaald.", Intent.PAID),  # inner spaces collapsed
    ("paid", Intent.PAID),
    ("ik kan niet stoppen met zorgen", Intent.OTHER),  # a keyword inside a sentence is not a keyword
    ("stop met die berichten aub", Intent.OTHER),
    ("", Intent.OTHER),
    ("Kan ik later betalen?", Intent.OTHER),
])
def test_a_keyword_counts_only_as_the_whole_message(text: str, intent: Intent) -> None:
    assert RULES.classify(text) is intent


def test_a_whatsapp_button_payload_wins_over_the_text() -> None:
    assert RULES.classify("Ja", button_payload="PAID") is Intent.PAID
    assert RULES.classify("stop", button_payload="something-else") is Intent.STOP


def test_the_words_are_configurable() -> None:
    rules = keyword_rules({Intent.STOP: ["dur"], Intent.PAID: ["ödedim"]})
    assert rules.classify("DUR") is Intent.STOP
    assert rules.classify("Odedim") is Intent.PAID
    assert rules.classify("stop") is Intent.OTHER


def test_one_word_cannot_mean_two_things() -> None:
    with pytest.raises(ValueError, match="both"):
        keyword_rules({Intent.STOP: ["stop"], Intent.START: ["STÖP"]})


@given(st.sampled_from([w for words in DEFAULT_KEYWORDS.values() for w in words]),
       st.lists(st.sampled_from([str.upper, str.lower, str.title, lambda s: f" {s}!"]), max_size=3))
def test_case_and_decoration_never_change_the_intent(word: str, changes: list) -> None:  # type: ignore[type-arg]
    changed = word
    for change in changes:
        changed = change(changed)
    assert RULES.classify(changed) is RULES.classify(word) is not Intent.OTHER


def test_normalise_removes_accents_and_case() -> None:
    assert normalise("  ÉéN  Bericht… ") == "een bericht"  # the ellipsis is trimmed punctuation


# --- five languages, politeness, typos (issue 18) --------------------------------------------

@pytest.mark.parametrize(("text", "intent", "language"), [
    # STOP
    ("Stop alstublieft", Intent.STOP, "nl"),      # politeness word set aside
    ("stop a.u.b.", Intent.STOP, "nl"),           # the abbreviation with its dots
    ("STOP AUB!!", Intent.STOP, "nl"),
    ("Stoppen graag", Intent.STOP, "nl"),
    ("geen berichten meer", Intent.STOP, "nl"),
    ("stpo", Intent.STOP, "nl"),                  # two letters swapped
    ("stopp", Intent.STOP, "nl"),                 # one letter too many
    ("stopen", Intent.STOP, "nl"),                # one letter missing
    ("Stop please", Intent.STOP, "en"),
    ("unsubscribe", Intent.STOP, "en"),
    ("dur", Intent.STOP, "tr"),
    ("DURDUR", Intent.STOP, "tr"),
    ("Lütfen durdurun.", Intent.STOP, "tr"),
    ("lutfen durdurun", Intent.STOP, "tr"),       # written without ü
    ("İPTAL", Intent.STOP, "tr"),                 # the dotted capital İ
    ("توقف", Intent.STOP, "ar"),
    ("توقّف من فضلك", Intent.STOP, "ar"),         # with a shadda and "please"
    ("أوقف", Intent.STOP, "ar"),
    ("اوقف", Intent.STOP, "ar"),                  # alif without its hamza
    ("إلغاء الاشتراك", Intent.STOP, "ar"),
    ("stop proszę", Intent.STOP, "pl"),           # the politeness word tells the language
    ("STOP prosze", Intent.STOP, "pl"),
    ("przestańcie", Intent.STOP, "pl"),
    ("wypisz mnie", Intent.STOP, "pl"),
    # HELP
    ("hulp", Intent.HELP, "nl"),
    ("Hulp nodig", Intent.HELP, "nl"),
    ("help", Intent.HELP, "nl"),
    ("help me please", Intent.HELP, "en"),
    ("yardım", Intent.HELP, "tr"),
    ("YARDIM", Intent.HELP, "tr"),
    ("yardim", Intent.HELP, "tr"),                # dotless ı typed as i
    ("yardım edin lütfen", Intent.HELP, "tr"),
    ("مساعدة", Intent.HELP, "ar"),
    ("مساعده", Intent.HELP, "ar"),                # taa marbuta written as haa
    ("ساعدني", Intent.HELP, "ar"),
    ("pomoc", Intent.HELP, "pl"),
    ("Dzień dobry, pomocy 🙏", Intent.HELP, "pl"),  # greeting and emoji set aside
    # PAID
    ("betaald", Intent.PAID, "nl"),
    ("Ik heb al betaald.", Intent.PAID, "nl"),
    ("ik heb betaalt", Intent.PAID, "nl"),        # the common d/t slip
    ("overgemaakt", Intent.PAID, "nl"),
    ("paid", Intent.PAID, "en"),
    ("I've paid", Intent.PAID, "en"),
    ("already paid thanks", Intent.PAID, "en"),
    ("ödedim", Intent.PAID, "tr"),
    ("odedim", Intent.PAID, "tr"),
    ("Ödemeyi yaptım", Intent.PAID, "tr"),
    ("odeme yaptim", Intent.PAID, "tr"),
    ("دفعت", Intent.PAID, "ar"),
    ("تم الدفع", Intent.PAID, "ar"),
    ("Zapłaciłem", Intent.PAID, "pl"),
    ("zapłaciłam", Intent.PAID, "pl"),
    ("zaplacilem", Intent.PAID, "pl"),            # without Polish letters
    ("Zaplacilam juz", Intent.PAID, "pl"),
    ("już zapłaciłam", Intent.PAID, "pl"),
    ("zaplacilm", Intent.PAID, "pl"),             # one letter missing
    # START
    ("start", Intent.START, "nl"),
    ("başla", Intent.START, "tr"),
    ("basla", Intent.START, "tr"),
    ("ابدأ", Intent.START, "ar"),
    ("wznów", Intent.START, "pl"),
    # the others
    ("bezwaar", Intent.OBJECTION, "nl"),
    ("itiraz ediyorum", Intent.OBJECTION, "tr"),
    ("اعتراض", Intent.OBJECTION, "ar"),
    ("sprzeciw", Intent.OBJECTION, "pl"),
    ("واتساب", Intent.CHANNEL_WHATSAPP, "ar"),
])
def test_keywords_are_understood_in_five_languages(text: str, intent: Intent, language: str) -> None:
    match = RULES.match(text)
    assert (match.intent, match.language) == (intent, language)


@pytest.mark.parametrize("text", [
    "stom",                             # a wrong letter in a four-letter word is not forgiven
    "ok",                               # only a politeness word
    "bedankt",
    "Stop met zorgen maken, ik betaal morgen",
    "ödeyemiyorum",                     # "I cannot pay": for a person, not "paid"
    "nie zapłaciłem",                   # "I did not pay"
    "لم أدفع",                          # "I did not pay"
    "dzień dobry",
])
def test_what_is_not_a_keyword_goes_to_a_person(text: str) -> None:
    assert RULES.classify(text) is Intent.OTHER


def test_a_slip_that_could_mean_two_things_is_not_guessed() -> None:
    rules = keyword_rules({Intent.STOP: ["halt"], Intent.HELP: ["hals"]})
    assert rules.classify("hal") is Intent.OTHER
    assert rules.classify("halt") is Intent.STOP


def test_configured_words_are_added_to_the_five_languages() -> None:
    rules = keyword_rules({Intent.STOP: ["genoeg"]}, builtin=True)
    assert rules.classify("genoeg") is Intent.STOP and rules.classify("durdur") is Intent.STOP
    with pytest.raises(ValueError, match="both"):
        keyword_rules({Intent.HELP: ["dur"]}, builtin=True)


def test_canonical_merges_arabic_letter_variants_and_turkish_i() -> None:
    assert canonical("إيقاف") == canonical("ايقاف")
    assert canonical("مساعدة") == canonical("مساعده")
    assert canonical("YARDIM") == canonical("yardım") == "yardim"
    assert canonical("a.u.b.") == "aub"
