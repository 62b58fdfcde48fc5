"""How big a text message is: its encoding, length in units and number of SMS segments.

This module owns the GSM 03.38 character set (the basic table and its extension table) and the
segment arithmetic that decides what a message costs and how long the throttle waits for it,
plus `gsm7_safe`, which swaps typographic characters (non-breaking spaces from number
formatting, curly quotes, dashes) for their plain GSM-7 look-alikes before a text is sent, so
one stray character does not silently switch a message to UCS-2 and double its price.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["SmsSize", "fold_outside", "gsm7_safe", "is_gsm7", "measure"]

# GSM 03.38 basic character set, in table order, without 0x1B (the escape to the extension table).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each is sent as escape + character, so it takes two units.
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7 = _GSM7_BASIC | _GSM7_EXTENSION

_GSM7_SINGLE = 160
_GSM7_PER_SEGMENT = 153  # 7 septets go to the concatenation header
_UCS2_SINGLE = 70
_UCS2_PER_SEGMENT = 67

# What gsm7_safe swaps; anything else is left alone (ë stays ë: a name must stay right).
_PLAIN_EQUIVALENTS = str.maketrans({
    "\u00a0": " ",    # no-break space (babel: "€\xa02,50")
    "\u202f": " ",    # narrow no-break space (babel, French-style grouping)
    "\u2007": " ",    # figure space
    "\u2009": " ",    # thin space
    "\u200a": " ",    # hair space
    "\u2018": "'",    # ‘
    "\u2019": "'",    # ’ (also the typographic apostrophe)
    "\u201a": "'",    # ‚
    "\u201b": "'",    # ‛
    "\u2032": "'",    # ′
    "\u201c": '"',    # “
    "\u201d": '"',    # ”
    "\u201e": '"',    # „ (Dutch opening quote)
    "\u201f": '"',    # ‟
    "\u00ab": '"',    # «
    "\u00bb": '"',    # »
    "\u2010": "-",    # hyphen
    "\u2011": "-",    # non-breaking hyphen
    "\u2012": "-",    # figure dash
    "\u2013": "-",    # en dash
    "\u2014": "-",    # em dash
    "\u2015": "-",    # horizontal bar
    "\u2212": "-",    # minus sign
    "\u2026": "...",  # ellipsis
    "\u200b": None,   # zero-width space
    "\u2060": None,   # word joiner
    "\ufeff": None,   # zero-width no-break space / byte-order mark
})

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsSize:
    """A message's encoding, its length in that encoding's units (GSM-7 septets or UTF-16
    code units) and the number of SMS segments the provider bills."""

    encoding: Encoding
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """Whether every character can be sent in GSM-7 (basic or extension table)."""
    return _GSM7.issuperset(text)  # one pass in C, not a Python loop per character


def _segments(costs: list[int], single: int, per_segment: int) -> int:
    """Segments needed when a character is never split over two segments: an escape sequence
    or a surrogate pair that does not fit moves whole to the next segment, as providers do."""
    if sum(costs) <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > per_segment:
            segments += 1
            used = 0
        used += cost
    return segments


def _even_segments(units: int, single: int, per_segment: int) -> int:
    """`_segments` when every character costs one unit."""
    return 1 if units <= single else -(-units // per_segment)


def measure(text: str) -> SmsSize:
    """Encoding, units and segments of a text as the provider will send it. An empty text is
    one segment, as Twilio counts it."""
    if is_gsm7(text):
        if _GSM7_EXTENSION.isdisjoint(text):  # every character one septet: no per-character walk
            return SmsSize("GSM-7", len(text), _even_segments(len(text), _GSM7_SINGLE, _GSM7_PER_SEGMENT))
        costs = [2 if char in _GSM7_EXTENSION else 1 for char in text]
        return SmsSize("GSM-7", sum(costs), _segments(costs, _GSM7_SINGLE, _GSM7_PER_SEGMENT))
    if not text or max(text) <= "\uffff":  # no surrogate pairs: every character one UCS-2 unit
        return SmsSize("UCS-2", len(text), _even_segments(len(text), _UCS2_SINGLE, _UCS2_PER_SEGMENT))
    costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsSize("UCS-2", sum(costs), _segments(costs, _UCS2_SINGLE, _UCS2_PER_SEGMENT))


def gsm7_safe(text: str) -> str:
    """Replace typographic spaces, quotes, dashes and the ellipsis with plain GSM-7 ones.
    Letters are never changed, so a text with ë stays UCS-2: that is correct, not a bug."""
    return text.translate(_PLAIN_EQUIVALENTS)


# Letters NFKD does not take apart; the rest lose their accents by decomposition.
_FOLD_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "İ": "I", "ø": "o", "đ": "d"})


def _fold_char(char: str) -> str:
    if char in _GSM7_BASIC or char in _GSM7_EXTENSION:
        return char
    plain = "".join(c for c in unicodedata.normalize("NFKD", char.translate(_FOLD_EXTRA))
                    if not unicodedata.combining(c))
    return plain if plain and all(c in _GSM7_BASIC for c in plain) else char


def fold_outside(text: str, keep: Iterable[str]) -> str:
    """The text with its letters written without diacritics (ą → a, ł → l) everywhere except
    inside the `keep` strings (a tenant's name, a link, an amount), when that makes the whole
    text GSM-7; otherwise the text unchanged. A name is never transliterated: a text with
    "Łukasz Wójcik" in it stays UCS-2, and then its own letters may as well stay too."""
    protected = [False] * len(text)
    for value in keep:
        if not value:
            continue
        start = text.find(value)
        while start != -1:
            for i in range(start, start + len(value)):
                protected[i] = True
            start = text.find(value, start + 1)
    folded = "".join(c if protected[i] else _fold_char(c) for i, c in enumerate(text))
    return folded if is_gsm7(folded) else text
