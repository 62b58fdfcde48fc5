from __future__ import annotations

import pytest
from babel.numbers import format_currency
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.reminders.sms import SmsSize, gsm7_safe, is_gsm7, measure


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", SmsSize("GSM-7", 0, 1)),                   # empty: one segment, as Twilio counts it
        ("a" * 160, SmsSize("GSM-7", 160, 1)),          # a full single SMS
        ("a" * 161, SmsSize("GSM-7", 161, 2)),          # one more: concatenated, 153 a segment
        ("a" * 306, SmsSize("GSM-7", 306, 2)),          # two full concatenated segments
        ("a" * 307, SmsSize("GSM-7", 307, 3)),
        ("€", SmsSize("GSM-7", 2, 1)),                   # extension table: escape + character
        ("[", SmsSize("GSM-7", 2, 1)),
        ("a" * 158 + "€", SmsSize("GSM-7", 160, 1)),    # the euro sign still fits
        ("a" * 159 + "€", SmsSize("GSM-7", 161, 2)),    # ...and here it does not
        ("^{}\\[~]|€\f", SmsSize("GSM-7", 20, 1)),      # the whole extension table
        ("a" * 152 + "€" + "a" * 152, SmsSize("GSM-7", 306, 3)),  # € is not split: moves on
        ("ë" + "a" * 69, SmsSize("UCS-2", 70, 1)),      # one ë makes it UCS-2: 70 fit
        ("ë" + "a" * 70, SmsSize("UCS-2", 71, 2)),      # 67 a segment after that
        ("ë" * 134, SmsSize("UCS-2", 134, 2)),
        ("ë" * 135, SmsSize("UCS-2", 135, 3)),
        ("😀", SmsSize("UCS-2", 2, 1)),                  # outside the BMP: a surrogate pair
        ("😀" * 35, SmsSize("UCS-2", 70, 1)),
        ("a" * 66 + "😀" + "a" * 66, SmsSize("UCS-2", 134, 3)),  # a pair is never split
    ],
)
def test_measure(text: str, size: SmsSize) -> None:
    assert measure(text) == size


@pytest.mark.parametrize(
    ("char", "gsm"),
    [
        *((c, True) for c in "éèäöüàñÄÖÜÉ"),  # in the GSM-7 basic table
        *((c, False) for c in "ëïêáóú"),        # common in Dutch, but not GSM-7
        ("€", True),
        ("\u00a0", False),  # the no-break space babel puts in money amounts
        ("\u2019", False),  # typographic apostrophe
        ("\x1b", False),    # the escape code itself is not text
        ("`", False),
    ],
)
def test_the_dutch_trap(char: str, gsm: bool) -> None:
    assert is_gsm7(char) is gsm
    assert measure(f"Beste huurder {char}").encoding == ("GSM-7" if gsm else "UCS-2")


def test_gsm7_safe_makes_babel_money_gsm7() -> None:
    amount = format_currency(1234.5, "EUR", locale="nl_NL")
    assert amount == "€\xa01.234,50"
    assert not is_gsm7(amount)
    assert gsm7_safe(amount) == "€ 1.234,50"
    assert measure(gsm7_safe(amount)) == SmsSize("GSM-7", 11, 1)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("€\u202f2,50", "€ 2,50"),                   # narrow no-break space
        ("‘huur’ – “nu” …", "'huur' - \"nu\" ..."),  # curly quotes, en dash, ellipsis
        ("„Dag”—tot ziens", '"Dag"-tot ziens'),     # Dutch opening quote, em dash
        ("Joëlle", "Joëlle"),                       # letters are never changed
    ],
)
def test_gsm7_safe(text: str, safe: str) -> None:
    assert gsm7_safe(text) == safe


@given(st.text())
def test_measure_is_consistent(text: str) -> None:
    size = measure(text)
    assert size.encoding == ("GSM-7" if is_gsm7(text) else "UCS-2")
    single, per_segment = (160, 153) if size.encoding == "GSM-7" else (70, 67)
    if size.units <= single:
        assert size.segments == 1
    else:
        # a two-unit character is never split, so at most one unit is lost per segment
        assert -(-size.units // per_segment) <= size.segments <= -(-size.units // (per_segment - 1))
    if size.encoding == "UCS-2":
        assert size.units == len(text.encode("utf-16-le")) // 2


def _walked(text: str) -> SmsSize:
    """The character-by-character count (what `measure` did before its whole-string fast paths)."""
    extension = set("\f^{}\\[~]|€")
    gsm = is_gsm7(text)
    costs = [2 if (char in extension if gsm else ord(char) > 0xFFFF) else 1 for char in text]
    single, per_segment = (160, 153) if gsm else (70, 67)
    segments, used = 1, 0
    if sum(costs) > single:
        for cost in costs:
            if used + cost > per_segment:
                segments, used = segments + 1, 0
            used += cost
    return SmsSize("GSM-7" if gsm else "UCS-2", sum(costs), segments)


@given(st.lists(st.sampled_from([*"aé€[ ëş😀\n", "a" * 50]), max_size=40).map("".join) | st.text())
def test_measure_counts_as_a_walk_over_every_character_would(text: str) -> None:
    assert measure(text) == _walked(text)


@given(st.text(alphabet=st.sampled_from("abc €[\u00a0\u2019\u2013\u2026\u201c\u201d")))
def test_gsm7_safe_leaves_only_gsm7_from_typography(text: str) -> None:
    assert is_gsm7(gsm7_safe(text))
    assert gsm7_safe(gsm7_safe(text)) == gsm7_safe(text)
