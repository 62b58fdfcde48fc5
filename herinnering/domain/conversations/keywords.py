"""What a tenant's reply asks for: the keyword bot's reading of an inbound message.

A keyword counts only when it is the whole message, so "stop" opts out but "ik kan niet stoppen
met zorgen" does not. Around that rule the bot is forgiving, because people under stress type
fast on a phone and in their own language: case, accents and Arabic letter variants are ignored
(`canonical`), punctuation, emoji and politeness or greeting words ("Stop alstublieft", "lütfen
durdurun", "توقف من فضلك", "Dzień dobry, pomoc") are set aside (`POLITE`), and one typing slip in
a word of four letters or more is forgiven ("stpo", "betaalt", "zaplacilm") — unless the slip
could mean two different things, when a person reads it. The built-in words cover Dutch,
English, Turkish, Arabic and Polish (`DEFAULT_KEYWORDS`, with the language of each word so a
reply from an unknown number can be answered in the language it was written in); the
configuration adds words. A WhatsApp quick-reply button carries its own payload, which wins
over the text. Pure: no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Intent(StrEnum):
    STOP = "stop"      # opt out of every message; a confirmation is the last one
    START = "start"    # opt back in
    HELP = "help"      # the help text with the corporation's phone number, and an officer
    PAID = "paid"      # "I have paid": thanks, and a task to verify the payment
    OBJECTION = "objection"  # "no data to the municipality" (Wgs): recorded, blocks the signal; a person answers
    PAY_LINK = "pay_link"        # WhatsApp button "Betaallink": send the open payment link again
    CALL_ME = "call_me"          # WhatsApp button "Bel mij": an officer calls the tenant
    CHANNEL_SMS = "sms"          # "SMS": from now on, messages by SMS
    CHANNEL_WHATSAPP = "whatsapp"  # "WHATSAPP": from now on by WhatsApp (and that is the opt-in)
    OTHER = "other"    # anything else: a person reads it


# language → intent → words. Diacritics are written as people write them; `canonical` makes
# "ödedim", "odedim" and "ÖDEDİM" one key, and "zapłaciłam" the same as "zaplacilam".
WORDS: dict[str, dict[Intent, tuple[str, ...]]] = {
    "nl": {
        Intent.STOP: ("stop", "stoppen", "stop maar", "afmelden", "uitschrijven", "ik wil stoppen",
                      "geen berichten meer", "geen sms meer", "niet meer sturen", "stop berichten", "stop sms"),
        Intent.START: ("start", "aanmelden", "starten", "weer aanmelden", "opnieuw aanmelden"),
        Intent.HELP: ("hulp", "help", "info", "informatie", "ik heb hulp nodig", "hulp nodig", "help mij"),
        Intent.PAID: ("betaald", "ik heb betaald", "ik heb al betaald", "al betaald", "is betaald", "is al betaald",
                      "overgemaakt", "ik heb het overgemaakt", "ik heb overgemaakt", "al overgemaakt"),
        Intent.OBJECTION: ("bezwaar", "geen gemeente", "ik maak bezwaar", "niet naar de gemeente",
                           "niet doorgeven"),
        Intent.CHANNEL_SMS: ("sms", "per sms"),
        Intent.CHANNEL_WHATSAPP: ("whatsapp", "whats app", "via whatsapp", "per whatsapp"),
    },
    "en": {
        Intent.STOP: ("stop", "stop all", "unsubscribe", "cancel", "end", "quit", "opt out", "stop messages",
                      "no more messages", "stop texting"),
        Intent.START: ("unstop", "subscribe", "resume"),
        Intent.HELP: ("i need help", "help me", "information"),
        Intent.PAID: ("paid", "i have paid", "i paid", "i've paid", "ive paid", "already paid", "i already paid",
                      "i have already paid", "it is paid", "payment made"),
        Intent.OBJECTION: ("objection", "i object", "no municipality"),
    },
    "tr": {
        Intent.STOP: ("dur", "durdur", "durun", "durdurun", "iptal", "mesaj istemiyorum", "mesaj göndermeyin",
                      "mesaj atmayın", "abonelikten çık", "mesaj gelmesin"),
        Intent.START: ("başla", "başlat", "başlayın", "devam", "tekrar başlat"),
        Intent.HELP: ("yardım", "yardım edin", "yardım istiyorum", "bilgi", "yardıma ihtiyacım var"),
        Intent.PAID: ("ödedim", "ödendi", "ödedik", "ödeme yaptım", "ödemeyi yaptım", "ödemeyi yaptık",
                      "yatırdım", "parayı yatırdım", "havale ettim", "ödeme yapıldı"),
        Intent.OBJECTION: ("itiraz", "itiraz ediyorum", "belediyeye vermeyin"),
    },
    "ar": {
        Intent.STOP: ("توقف", "أوقف", "أوقفوا", "توقفوا", "إيقاف", "قف", "إلغاء", "إلغاء الاشتراك",
                      "لا أريد رسائل", "أوقفوا الرسائل"),
        Intent.START: ("ابدأ", "بدء", "تشغيل", "استئناف"),
        Intent.HELP: ("مساعدة", "ساعدني", "ساعدوني", "أحتاج مساعدة", "معلومات"),
        Intent.PAID: ("دفعت", "لقد دفعت", "تم الدفع", "دفعت الإيجار", "سددت", "تم السداد", "حولت المبلغ",
                      "دفعنا"),
        Intent.OBJECTION: ("اعتراض", "أعترض"),
        Intent.CHANNEL_WHATSAPP: ("واتساب", "واتس اب"),
    },
    "pl": {
        Intent.STOP: ("przestań", "przestańcie", "wypisz", "wypisz mnie", "rezygnuję", "koniec",
                      "nie wysyłajcie", "proszę nie pisać", "nie chcę wiadomości"),
        Intent.START: ("wznów", "zacznij", "włącz"),
        Intent.HELP: ("pomoc", "pomocy", "proszę o pomoc", "potrzebuję pomocy", "pomóżcie", "informacja"),
        Intent.PAID: ("zapłaciłem", "zapłaciłam", "zapłacone", "zapłacono", "opłacone", "już zapłaciłem",
                      "już zapłaciłam", "zapłaciliśmy", "przelałem", "przelałam", "zrobiłem przelew",
                      "zrobiłam przelew"),
        Intent.OBJECTION: ("sprzeciw", "sprzeciwiam się", "nie zgadzam się"),
    },
}

# Words that are set aside when something else is left: politeness, greetings, thanks, "now",
# "already". They also tell the language of a word several languages share ("stop proszę": pl).
POLITE: dict[str, tuple[str, ...]] = {
    "nl": ("alstublieft", "alsjeblieft", "aub", "asjeblieft", "asb", "graag", "dank", "dank u", "dank je",
           "bedankt", "dankuwel", "dank u wel", "hallo", "hoi", "goedemorgen", "goedemiddag", "beste", "svp",
           "ajb", "nu", "maar", "al"),
    "en": ("please", "pls", "plz", "thanks", "thank you", "thx", "hi", "hello", "hey", "now", "ok", "okay",
           "already"),
    "tr": ("lütfen", "teşekkürler", "teşekkür ederim", "sağolun", "sağ olun", "merhaba", "selam", "artık",
           "hemen", "zaten"),
    "ar": ("من فضلك", "لو سمحت", "رجاء", "شكرا", "مرحبا", "السلام عليكم", "الآن"),
    "pl": ("proszę", "dziękuję", "dzięki", "dzień dobry", "cześć", "witam", "teraz", "pan", "pani", "już"),
}

DEFAULT_KEYWORDS: dict[Intent, tuple[str, ...]] = {}
for _by_intent in WORDS.values():
    for _intent, _words in _by_intent.items():
        DEFAULT_KEYWORDS[_intent] = DEFAULT_KEYWORDS.get(_intent, ()) + _words

_TRIM = " \t\r\n.,!?;:'\"()[]{}-_*~`"
# Letters NFKD does not take apart, and the Arabic spellings people mix: hamza carriers and
# madda on alif, alif maqsura, taa marbuta, the tatweel; ı (dotless i), ł, ß.
_LETTERS = str.maketrans({
    "ı": "i", "İ": "i", "ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "æ": "ae",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None,
    "’": "'", "‘": "'",
})
LANGUAGE_ORDER = ("nl", "en", "tr", "ar", "pl")  # a word shared by several languages: the first
MIN_TYPO_LENGTH = 4  # shorter words ("dur", "sms") must be typed exactly


def normalise(text: str) -> str:
    """Lower case, accents removed, outer punctuation trimmed, inner spaces collapsed.
    Inner punctuation stays (the dialogs read amounts such as "€1.250,50" with it)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().strip(_TRIM).split())


def canonical(text: str) -> str:
    """The key a keyword is matched on: `normalise` plus one spelling for letter variants, dots in
    abbreviations dropped ("a.u.b." → "aub"), other punctuation, symbols and emoji as spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    kept = []
    for char in decomposed:
        kind = unicodedata.category(char)
        if unicodedata.combining(char) or kind == "Cf":
            continue
        if char == ".":
            kept.append("")
        elif kind[0] in "PSZC" and char != "'":
            kept.append(" ")
        else:
            kept.append(char)
    plain = unicodedata.normalize("NFKC", "".join(kept)).translate(_LETTERS).casefold()
    return " ".join(plain.replace("'", "").split())


def _without_polite(words: list[str], polite: Mapping[tuple[str, ...], str]) -> tuple[list[str], str | None]:
    """The message's words with politeness phrases (one to three words long) taken out, and the
    language of the first one taken out."""
    kept: list[str] = []
    language = None
    index = 0
    while index < len(words):
        for size in (3, 2, 1):
            phrase = tuple(words[index:index + size])
            if phrase in polite:
                language = language or polite[phrase]
                index += size
                break
        else:
            kept.append(words[index])
            index += 1
    return kept, language


def _distance_at_most_one(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns a into b. A
    wrong letter in a four-letter word is not forgiven: "stom" is not "stop"."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return len(a) > MIN_TYPO_LENGTH
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Match:
    intent: Intent
    language: str | None  # the language of the word that matched (None: configured or a button)


@dataclass(frozen=True)
class KeywordRules:
    """Canonical word → intent (and its language); build it with `keyword_rules`."""

    words: Mapping[str, Intent]
    languages: Mapping[str, frozenset[str]] = field(default_factory=dict)
    polite: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    def _language(self, word: str, hint: str | None) -> str | None:
        said_in = self.languages.get(word, frozenset())
        if hint is not None and (hint in said_in or len(said_in) != 1):
            return hint
        return min(said_in, key=LANGUAGE_ORDER.index) if said_in else None

    def match(self, body: str | None, button_payload: str | None = None) -> Match:
        """The intent of one inbound message and the language it was said in."""
        if button_payload:
            intent = self.words.get(canonical(button_payload))
            if intent is not None:
                return Match(intent, None)
            try:  # a payload may name the intent itself ("stop", "paid")
                return Match(Intent(normalise(button_payload)), None)
            except ValueError:
                pass
        if not body:
            return Match(Intent.OTHER, None)
        said = canonical(body)
        candidates = [said]
        kept, hint = _without_polite(said.split(), self.polite)
        stripped = " ".join(kept)
        if stripped and stripped != said:
            candidates.append(stripped)
        for candidate in candidates:
            intent = self.words.get(candidate)
            if intent is not None:
                return Match(intent, self._language(candidate, hint))
        for candidate in candidates:  # one typing slip, when it points one way only
            if len(candidate) < MIN_TYPO_LENGTH:
                continue
            near = {(intent, word) for word, intent in self.words.items()
                    if len(word) >= MIN_TYPO_LENGTH and _distance_at_most_one(candidate, word)}
            intents = {intent for intent, _ in near}
            if len(intents) == 1:
                word = sorted(w for _, w in near)[0]
                return Match(intents.pop(), self._language(word, hint))
        return Match(Intent.OTHER, None)

    def classify(self, body: str | None, button_payload: str | None = None) -> Intent:
        """The intent of one inbound message; a button payload wins over the text."""
        return self.match(body, button_payload).intent


def keyword_rules(words: Mapping[Intent, Iterable[str]] | None = None, *, builtin: bool | None = None) -> KeywordRules:
    """Rules from intent → words. Without words: the built-in five-language list. With words:
    only those, unless `builtin=True`, when they are added to the built-in list (the
    configuration's way). A word may mean one intent only."""
    table: dict[str, Intent] = {}
    languages: dict[str, set[str]] = {}
    use_builtin = words is None if builtin is None else builtin

    def add(intent: Intent, word: str, language: str | None) -> None:
        key = canonical(word)
        if not key:
            raise ValueError(f"an empty keyword for {intent.value}")
        if table.get(key, intent) is not intent:
            raise ValueError(f"keyword {word!r} is given for both {table[key].value} and {intent.value}")
        table[key] = Intent(intent)
        if language is not None:
            languages.setdefault(key, set()).add(language)

    if use_builtin:
        for language, by_intent in WORDS.items():
            for intent, listed in by_intent.items():
                for word in listed:
                    add(intent, word, language)
    for intent, given in (words or {}).items():
        for word in given:
            add(Intent(intent), word, None)
    polite = {tuple(canonical(p).split()): language for language, phrases in POLITE.items() for p in phrases}
    return KeywordRules(words=table, languages={k: frozenset(v) for k, v in languages.items()}, polite=polite)

