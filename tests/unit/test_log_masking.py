"""The log filter: phone numbers, IBANs, e-mail addresses and known names never leave the
process in full, in text or JSON logs, in messages, arguments or tracebacks."""

from __future__ import annotations

import io
import json
import logging

import pytest

from herinnering.logging_setup import (
    JsonFormatter,
    MaskingFilter,
    mask_text,
    remember_names,
    remember_secrets,
)


@pytest.mark.parametrize(("text", "masked"), [
    ("to +31612345678 now", "to +316…678 now"),                 # E.164
    ("whatsapp:+31612345678", "whatsapp:+316…678"),              # a WhatsApp address
    ("To=%2B31612345678&Body=x", "To=+316…678&Body=x"),          # URL-encoded in a query or form
    ("bel 06-12345678", "bel 061…678"),                          # Dutch national, with a dash
    ("bel 06 5837 1132", "bel 065…132"),                         # ... or with spaces
    ("0031612345678", "003…678"),                                # 00 instead of +
    ("iban NL73SNSB0485919859.", "iban NL73…859."),               # an IBAN
    ("mail jan.devries@example.nl", "mail j…@example.nl"),       # an e-mail address
])
def test_personal_numbers_keep_only_their_ends(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "SM0123456789abcdef0123456789abcdef",   # a Twilio message SID
    "2026-11-27 00:00:00,123",              # a timestamp
    "claimed 1234 messages in 0.25 s",      # ordinary numbers
])
def test_ids_times_and_counts_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_known_names_are_masked_as_whole_words_in_any_case() -> None:
    remember_names(["Fatma Yılmaz-Öztürk", "Jan de Vries"])
    assert mask_text("Hallo Fatma Yılmaz-Öztürk, de huur") == "Hallo ‹naam›, de huur"
    assert mask_text("JAN  DE VRIES belde") == "‹naam› belde"
    assert mask_text("Jan de Vriesland") == "Jan de Vriesland"  # another word


def record_through(formatter: logging.Formatter, *args: object, exc: bool = False) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger("test_log_masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc:
            try:
                raise ValueError("no such number +31687654321")
            except ValueError:
                logger.exception("sending to %s failed", *args)
        else:
            logger.warning("message to %s", *args, extra={"recipient": "+31612345678"})
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_arguments_extras_and_tracebacks_are_masked() -> None:
    text = record_through(logging.Formatter("%(message)s %(recipient)s"), "+31612345678")
    assert text.strip() == "message to +316…678 +316…678"
    trace = record_through(logging.Formatter("%(message)s"), "06-12345678", exc=True)
    assert "061…678" in trace and "+316…321" in trace and "87654321" not in trace


def test_json_logs_are_one_masked_object_per_line() -> None:
    [line] = record_through(JsonFormatter(), "+31612345678").splitlines()
    entry = json.loads(line)
    assert entry["message"] == "message to +316…678" and entry["recipient"] == "+316…678"
    assert entry["level"] == "WARNING" and entry["logger"] == "test_log_masking" and entry["time"].endswith("+00:00")


def test_configured_secrets_and_passwords_in_urls_never_show() -> None:
    remember_secrets(["0123456789abcdef-auth-token", ""])
    assert mask_text("token 0123456789abcdef-auth-token!") == "token ‹geheim›!"
    assert mask_text("postgresql+asyncpg://herinnering:hunter2@db/h") == "postgresql+asyncpg://herinnering:***@db/h"
