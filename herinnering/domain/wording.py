"""Wording rules for what tenants read: no threats before the 14-day letter, and plain Dutch.

Before the 14-day letter (BW 6:96) no message may speak of costs, a bailiff (deurwaarder),
eviction (ontruiming, huisuitzetting), seizure (beslag) or court — in any of our languages.
Such words would frighten without any legal footing, and costs named before that letter are
not owed. `threats` finds them (accents and case ignored, so the GSM-7 spellings of the SMS
texts are caught too). `readability` gives the Flesch–Douma score of a Dutch text:
206.835 − 0.93 × (words per sentence) − 77 × (syllables per word); 60–70 is about B1.
Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Per language: stems of threatening words. Dutch and Arabic glue words together (compounds,
# the article al-), so a stem counts anywhere in a word; elsewhere only at the start of a word.
THREAT_STEMS: dict[str, tuple[str, ...]] = {
    "nl": ("kosten", "deurwaarder", "ontruim", "uitzetting", "uitgezet", "beslag", "dagvaard", "incassobureau",
           "boete", "rechter", "rechtszaak", "ontbind", "wettelijke rente"),
    "en": ("cost", "fee", "fees", "bailiff", "evict", "seiz", "garnish", "court", "penalt", "debt collector",
           "collection agenc", "legal action"),
    "tr": ("masraf", "icra", "haciz", "haczi", "tahliye", "mahkeme", "dava", "ceza", "faiz", "avukat"),
    "ar": ("تكاليف", "تكلفة", "رسوم", "محضر", "اخلاء", "طرد", "حجز", "محكمة", "المحكمة", "غرامة", "قضائي"),
    "pl": ("koszt", "komornik", "eksmisj", "eksmitow", "zajeci", "zajmiemy", "egzekuc", "sad", "sadow",
           "kara", "kary", "odsetk", "oplat", "windykac"),
}
SUBSTRING_LANGUAGES = frozenset({"nl", "ar"})
WHOLE_WORDS = frozenset({"fee", "fees", "sad", "kara", "kary", "dava", "ceza"})  # too short to match a word's start

_EXTRA = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ß": "ss"})


def normalise(text: str) -> str:
    """Lower case without accents: 'Zajęcie' → 'zajecie', 'ücret' → 'ucret', 'إخلاء' → 'اخلاء'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain).casefold()


def threats(text: str, language: str) -> list[str]:
    """The threatening words (stems) found in the text, in the order of the list."""
    plain = normalise(text)
    found = []
    for stem in THREAT_STEMS.get(language, ()):
        key = normalise(stem)
        if stem in WHOLE_WORDS:
            pattern = rf"(?<!\w){re.escape(key)}(?!\w)"
        elif language in SUBSTRING_LANGUAGES:
            pattern = re.escape(key)
        else:
            pattern = rf"(?<!\w){re.escape(key)}"
        if re.search(pattern, plain):
            found.append(stem)
    return found


# --- readability ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n")
_VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëíîïóôöúûü]+")
_DIAERESIS_SPLIT = re.compile(r"(?<=[aeiou])(?=[ëïöüä])")


def dutch_syllables(word: str) -> int:
    """An estimate: vowel groups, with 'ij' as one vowel and a diaeresis starting a new syllable."""
    lower = word.lower().replace("ij", "y")
    lower = _DIAERESIS_SPLIT.sub("-", lower)
    return max(1, len(_VOWEL_GROUP.findall(lower)))


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0

    @property
    def flesch_douma(self) -> float:
        if not self.words:
            return 100.0
        return 206.835 - 0.93 * self.words_per_sentence - 77 * self.syllables_per_word

    @property
    def level(self) -> str:
        score = self.flesch_douma
        return "B1 or easier" if score >= 60 else "B2" if score >= 50 else "C1 or harder"


def readability(text: str) -> Readability:
    """Sentences, words and syllables of a Dutch text (a text without an end mark is one sentence)."""
    words = _WORD.findall(text)
    pieces = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return Readability(sentences=max(1, len(pieces)), words=len(words),
                       syllables=sum(dutch_syllables(w) for w in words))
