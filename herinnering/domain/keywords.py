"""What a tenant's reply asks for: the keyword bot's reading of an inbound message.

A keyword counts only when it is the whole message (after trimming spaces and punctuation,
ignoring case and accents), so "stop" opts out but "ik kan niet stoppen met zorgen" does not.
A WhatsApp quick-reply button carries its own payload, which wins over the text. The words
are configurable; the defaults are Dutch and English. Pure: no I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


DEFAULT_KEYWORDS: dict[Intent, tuple[str, ...]] = {
    Intent.STOP: ("stop", "stoppen", "afmelden", "uitschrijven", "unsubscribe", "stop all"),
    Intent.START: ("start", "aanmelden", "unstop"),
    Intent.HELP: ("hulp", "help", "info"),
    Intent.PAID: ("betaald", "paid", "ik heb betaald", "i have paid", "i paid"),
    Intent.CHANNEL_SMS: ("sms",),
    Intent.CHANNEL_WHATSAPP: ("whatsapp", "whats app"),
    Intent.OBJECTION: ("bezwaar", "objection", "i object", "geen gemeente"),
}

_TRIM = " \t\r\n.,!?;:'\"()[]{}-_*~`"


def normalise(text: str) -> str:
    """Lower case, accents removed, outer punctuation trimmed, inner spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().strip(_TRIM).split())


@dataclass(frozen=True)
class KeywordRules:
    """Normalised word → intent; build it with `keyword_rules`."""

    words: Mapping[str, Intent]

    def classify(self, body: str | None, button_payload: str | None = None) -> Intent:
        """The intent of one inbound message; a button payload wins over the text."""
        for candidate in (button_payload, body):
            if candidate:
                intent = self.words.get(normalise(candidate))
                if intent is not None:
                    return intent
                if candidate is button_payload:
                    try:  # a payload may name the intent itself ("stop", "paid")
                        return Intent(normalise(candidate))
                    except ValueError:
                        pass
        return Intent.OTHER


def keyword_rules(words: Mapping[Intent, Iterable[str]] | None = None) -> KeywordRules:
    """Rules from intent → words (the defaults when None). A word may mean one intent only."""
    table: dict[str, Intent] = {}
    for intent, listed in (words or DEFAULT_KEYWORDS).items():
        for word in listed:
            key = normalise(word)
            if not key:
                raise ValueError(f"an empty keyword for {intent.value}")
            if table.get(key, intent) is not intent:
                raise ValueError(f"keyword {word!r} is given for both {table[key].value} and {intent.value}")
            table[key] = Intent(intent)
    return KeywordRules(words=table)
