"""Wording rules for what tenants read: no threats before the 14-day letter, and plain language.

Before the 14-day letter (BW 6:96) no message may speak of legal steps, court, a bailiff,
eviction, losing the home, ending the lease, handing the file over, a collection agency, costs,
interest, credit registration, a final warning or seizure — in any of our languages. Such words
frighten without legal footing, and costs named before that letter are not owed.

A `Lexicon` per language (data: `config/wording/<lang>.toml`, loaded by
`services/reminders/wording_check.py`) holds threat phrases by category and an allow-list of help phrases
("zonder kosten", "woonkosten", "costs nothing"). A phrase is a row of word patterns matched on
whole words of the text after case, accents and Arabic letter variants are evened out:

    gerechtelijk*            a word starting with "gerechtelijk"
    *deurwaarder*            a word containing "deurwaarder" (compounds: gerechtsdeurwaarder)
    woning|huis … kwijt*     one of the words, then up to three words, then a word starting "kwijt"

A threat found inside an allowed phrase does not count. `threats` says which phrase matched,
the words it matched and why that is a threat. `readability` measures a text the way each
language is measured: Flesch–Douma (nl), Flesch reading ease (en), Ateşman (tr), Pisarek
(pl) and, for Arabic where no settled formula exists, words per sentence and letters per word.
Pure: no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Why each kind of threat is refused before the 14-day letter (shown to officers, in Dutch).
CATEGORIES: dict[str, str] = {
    "legal": "dreigt met juridische of gerechtelijke stappen",
    "court": "noemt de rechter of een rechtszaak",
    "bailiff": "noemt de deurwaarder",
    "eviction": "dreigt met ontruiming of huisuitzetting",
    "home_loss": "zegt dat de huurder de woning kan kwijtraken",
    "lease_end": "dreigt met het beëindigen of ontbinden van het huurcontract",
    "handover": "dreigt het dossier uit handen te geven of over te dragen",
    "collection_agency": "noemt een incassobureau",
    "costs": "noemt kosten, een boete of een toeslag (pas na de veertiendagenbrief, BW 6:96)",
    "interest": "noemt rente",
    "credit_registration": "dreigt met een registratie (BKR, zwarte lijst)",
    "final_warning": "is een laatste waarschuwing, aanmaning of sommatie",
    "seizure": "dreigt met beslag",
}
GAP = "…"      # up to MAX_GAP words in between
MAX_GAP = 3

_LETTERS = str.maketrans({
    "ı": "i", "İ": "i", "ł": "l", "Ł": "l", "ß": "ss",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None,
})
_WORDS = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lower case without accents: 'Zajęcie' → 'zajecie', 'ücret' → 'ucret', 'إخلاء' → 'اخلاء'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain).casefold().translate(_LETTERS)


def words_of(text: str) -> list[str]:
    return _WORDS.findall(normalise(text))


@dataclass(frozen=True)
class Phrase:
    """One phrase of a lexicon: its source text and one compiled pattern per word (None: a gap)."""

    source: str
    parts: tuple[re.Pattern[str] | None, ...]

    @classmethod
    def parse(cls, source: str) -> Phrase:
        parts: list[re.Pattern[str] | None] = []
        for token in source.split():
            if token in (GAP, "..."):
                parts.append(None)
                continue
            alternatives = []
            for alternative in token.split("|"):
                core = normalise(alternative.strip("*"))
                if not core or not all(_WORDS.fullmatch(piece) for piece in [core]):
                    raise ValueError(f"{source!r}: {alternative!r} is not a word pattern")
                alternatives.append(("\\w*" if alternative.startswith("*") else "") + re.escape(core)
                                    + ("\\w*" if alternative.endswith("*") else ""))
            parts.append(re.compile("(?:" + "|".join(alternatives) + ")"))
        if not parts or parts[0] is None or parts[-1] is None:
            raise ValueError(f"{source!r}: a phrase starts and ends with a word")
        return cls(source, tuple(parts))

    def spans(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Every (first, last+1) word span the phrase matches."""
        found = []
        for start in range(len(words)):
            end = self._match(words, start, 0)
            if end is not None:
                found.append((start, end))
        return found

    def _match(self, words: Sequence[str], at: int, part: int) -> int | None:
        if part == len(self.parts):
            return at
        pattern = self.parts[part]
        if pattern is None:
            for skip in range(MAX_GAP + 1):
                end = self._match(words, at + skip, part + 1)
                if end is not None:
                    return end
            return None
        if at < len(words) and pattern.fullmatch(words[at]):
            return self._match(words, at + 1, part + 1)
        return None


@dataclass(frozen=True)
class Threat:
    category: str
    phrase: str     # the lexicon's phrase that matched
    words: str      # the words of the text it matched
    why: str

    def __str__(self) -> str:
        return f"'{self.words}' ({self.why}; regel '{self.phrase}')"


@dataclass(frozen=True)
class Lexicon:
    language: str
    threats: Mapping[str, tuple[Phrase, ...]]   # category → phrases
    allowed: tuple[Phrase, ...]

    @classmethod
    def build(cls, language: str, threats: Mapping[str, Sequence[str]], allowed: Sequence[str]) -> Lexicon:
        unknown = sorted(set(threats) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"unknown threat category {unknown[0]!r}; known: {', '.join(CATEGORIES)}")
        return cls(language, {c: tuple(Phrase.parse(p) for p in phrases) for c, phrases in threats.items()},
                   tuple(Phrase.parse(p) for p in allowed))


def threats(text: str, lexicon: Lexicon) -> list[Threat]:
    """The threats in a text, each once per category, in the text's order; a match that lies
    inside an allowed help phrase does not count."""
    words = words_of(text)
    allowed = [span for phrase in lexicon.allowed for span in phrase.spans(words)]
    found: list[tuple[int, Threat]] = []
    for category, phrases in lexicon.threats.items():
        for phrase in phrases:
            spans = [s for s in phrase.spans(words) if not any(a[0] < s[1] and s[0] < a[1] for a in allowed)]
            if spans:
                first, last = spans[0]
                found.append((first, Threat(category, phrase.source, " ".join(words[first:last]),
                                            CATEGORIES[category])))
                break
    return [threat for _, threat in sorted(found, key=lambda pair: pair[0])]


# --- readability ---------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?؟]+(?=\s|$)|\n\s*\n")
_VOWEL_GROUP = re.compile(r"[aeiouyàáâäèéêëíîïóôöúûü]+")
_DIAERESIS_SPLIT = re.compile(r"(?<=[aeiou])(?=[ëïöüä])")
_EN_VOWELS = re.compile(r"[aeiouy]+")
_TR_VOWELS = re.compile(r"[aeıioöuüâîû]")


def dutch_syllables(word: str) -> int:
    """An estimate: vowel groups, with 'ij' as one vowel and a diaeresis starting a new syllable."""
    lower = word.lower().replace("ij", "y")
    lower = _DIAERESIS_SPLIT.sub("-", lower)
    return max(1, len(_VOWEL_GROUP.findall(lower)))


def english_syllables(word: str) -> int:
    """Vowel groups, less a silent final e ('make'), at least one."""
    lower = word.lower()
    count = len(_EN_VOWELS.findall(lower))
    if lower.endswith("e") and not lower.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def turkish_syllables(word: str) -> int:
    """Every vowel is a syllable in Turkish."""
    return max(1, len(_TR_VOWELS.findall(word.lower().replace("I", "ı"))))


def polish_syllables(word: str) -> int:
    """Vowels, where an 'i' before another vowel only softens it ('nie', 'wiadomość')."""
    lower = word.lower()
    vowels = "aąeęioóuy"
    return max(1, sum(1 for i, c in enumerate(lower)
                      if c in vowels and not (c == "i" and i + 1 < len(lower) and lower[i + 1] in vowels)))


SYLLABLES = {"nl": dutch_syllables, "en": english_syllables, "tr": turkish_syllables, "pl": polish_syllables}

# The measure of each language and whether a higher number is easier.
MEASURES: dict[str, tuple[str, bool]] = {
    "nl": ("Flesch-Douma", True), "en": ("Flesch reading ease", True), "tr": ("Ateşman", True),
    "pl": ("Pisarek", False), "ar": ("words per sentence", False),
}


@dataclass(frozen=True)
class Readability:
    sentences: int
    words: int
    syllables: int
    letters: int = 0
    hard_words: int = 0   # four syllables or more (Pisarek)
    language: str = "nl"

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0

    @property
    def letters_per_word(self) -> float:
        return self.letters / self.words if self.words else 0.0

    @property
    def flesch_douma(self) -> float:
        if not self.words:
            return 100.0
        return 206.835 - 0.93 * self.words_per_sentence - 77 * self.syllables_per_word

    @property
    def score(self) -> float:
        """The language's own measure (see MEASURES)."""
        if not self.words:
            return 100.0 if MEASURES[self.language][1] else 0.0
        if self.language == "en":
            return 206.835 - 1.015 * self.words_per_sentence - 84.6 * self.syllables_per_word
        if self.language == "tr":
            return 198.825 - 40.175 * self.syllables_per_word - 2.610 * self.words_per_sentence
        if self.language == "pl":
            return math.sqrt(self.words_per_sentence ** 2 + (100 * self.hard_words / self.words) ** 2) / 2
        if self.language == "ar":
            return self.words_per_sentence
        return self.flesch_douma

    @property
    def measure(self) -> str:
        return MEASURES[self.language][0]

    @property
    def level(self) -> str:
        if self.language == "nl":
            score = self.flesch_douma
            return "B1 or easier" if score >= 60 else "B2" if score >= 50 else "C1 or harder"
        if self.language in ("en", "tr"):
            return "easy" if self.score >= 70 else "fairly easy" if self.score >= 60 else "hard"
        if self.language == "pl":
            return "easy" if self.score <= 7 else "fairly easy" if self.score <= 10 else "hard"
        return "short" if self.score <= 12 else "long"


def readability(text: str, language: str = "nl") -> Readability:
    """Sentences, words, syllables, letters and hard words of a text (a text without an end mark
    is one sentence)."""
    words = _WORD.findall(text)
    pieces = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    counter = SYLLABLES.get(language, dutch_syllables)
    syllables = [counter(w) for w in words]
    return Readability(sentences=max(1, len(pieces)), words=len(words), syllables=sum(syllables),
                       letters=sum(len(w) for w in words), hard_words=sum(1 for s in syllables if s >= 4),
                       language=language if language in MEASURES else "nl")


@dataclass(frozen=True)
class ReadabilityLimits:
    """Per language: the lowest (or highest, for Pisarek and Arabic) score, and plain limits on
    words per sentence and letters per word that every language shares."""

    language: str
    score: float | None
    max_words_per_sentence: float | None = None
    max_letters_per_word: float | None = None
    score_min_words: int = 0   # shorter texts are held to the plain limits only

    def problems(self, measured: Readability) -> list[str]:
        found = []
        name, higher_is_easier = MEASURES.get(self.language, MEASURES["nl"])
        if self.score is not None and self.language != "ar" and measured.words >= self.score_min_words:
            if higher_is_easier and measured.score < self.score:
                found.append(f"{name} {measured.score:.0f} is below {self.score:g}")
            if not higher_is_easier and measured.score > self.score:
                found.append(f"{name} {measured.score:.1f} is above {self.score:g}")
        if self.max_words_per_sentence is not None and measured.words_per_sentence > self.max_words_per_sentence:
            found.append(f"{measured.words_per_sentence:.1f} words per sentence (at most "
                         f"{self.max_words_per_sentence:g})")
        if self.max_letters_per_word is not None and measured.letters_per_word > self.max_letters_per_word:
            found.append(f"{measured.letters_per_word:.1f} letters per word (at most {self.max_letters_per_word:g})")
        return found
