"""What an officer types into the tenant search, as terms for the database's full-text index.

Pure. Letters are folded the way the index folds them (case, and the accents of the names the
corporations' tenants carry: "Yılmaz", "Wróbel", "Öztürk" are found as "yilmaz", "wrobel",
"ozturk"); every term matches as a word prefix ("yilm" finds "Yılmaz"), all terms must match.
A phone number in any format ("+31 6 1234 5678", "06-12345678", "0031612345678") becomes its
last nine digits, the subscriber number that every format shares, matched whole; the start of
one typed with spaces ("06 1234") a prefix of its national form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# One character each: the same pairs go into PostgreSQL's translate() (the index expression).
# Dashes, slashes, dots and underscores become spaces: PostgreSQL's parser would read
# "HC-204518" as "hc" and the number "-204518", and "1.5" or "a/b" as one token.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÇçČčĆćÉÈÊËéèêëĘęĞğÍÌÎÏİíìîïıŁłÑñŃńÓÒÔÖÕØóòôöõøŐőŞşŠšŚśÚÙÛÜúùûüŰűÝýÿŽžŹźŻżĄą-/._"
FOLD_TO = "AAAAAAaaaaaaCcCcCcEEEEeeeeEeGgIIIIIiiiiiLlNnNnOOOOOOooooooOoSsSsSsUUUUuuuuUuYyyZzZzZzAa    "
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)
SUBSCRIBER_DIGITS = 9   # a Dutch number without its 0 or +31: 6 1234 5678
MAX_TERMS = 6
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d\s\-./()]{7,}\d(?!\w)")
_WORD = re.compile(r"\w+")
_PHONE_CHARS = re.compile(r"\+?[\d\s\-./()]+")

assert len(FOLD_FROM) == len(FOLD_TO)


@dataclass(frozen=True)
class Term:
    text: str      # folded, letters and digits only
    prefix: bool   # a word prefix; False: the whole word


def fold(text: str) -> str:
    return text.translate(_FOLD).lower()


def _phone(candidate: str) -> str | None:
    digits = "".join(ch for ch in candidate if ch.isdigit())
    return digits[-SUBSCRIBER_DIGITS:] if len(digits) >= SUBSCRIBER_DIGITS else None


def _phone_start(typed: str) -> Term | None:
    """The start of a number ("06 1234", "+31 6 12"): a prefix of its national form (06…)."""
    text = typed.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not _PHONE_CHARS.fullmatch(text) or not 4 <= len(digits) < SUBSCRIBER_DIGITS + 1:
        return None
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif text.startswith("+") and digits.startswith("31"):
        digits = "0" + digits[2:]
    return Term(digits, prefix=True) if digits.startswith("0") else None


def terms(typed: str) -> list[Term]:
    """The search terms of what was typed (at most MAX_TERMS; none for nothing searchable)."""
    if " " in typed.strip() and (start := _phone_start(typed)) is not None:
        return [start]
    found: list[Term] = []
    rest = typed
    for match in _PHONE.finditer(typed):
        number = _phone(match.group())
        if number is not None:
            found.append(Term(number, prefix=False))
            rest = rest.replace(match.group(), " ", 1)
    found.extend(Term(word, prefix=True) for word in _WORD.findall(fold(rest).replace("_", " ")))
    return list(dict.fromkeys(found))[:MAX_TERMS]
