"""The keyword bot's reading of a reply: whole message, any case, any accents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.keywords import DEFAULT_KEYWORDS, Intent, keyword_rules, normalise

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
