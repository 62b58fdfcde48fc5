"""Logging for every command: one handler on the root logger, text or JSON, and a filter that
masks personal data in every record — ours and the libraries' (twilio, aiohttp) alike.

Phone numbers (E.164, 00-prefixed, URL-encoded `%2B31…`, Dutch `06…`) keep their first and last
digits only (`+316…678`), IBANs and e-mail addresses likewise (`NL91…300`, `j…@example.nl`); tenants' names that the importer has seen (`remember_names`) become
`‹naam›`; configured secrets, passwords in URLs and the tokens in "mijn huur" and payment
links (`/mijn-huur/‹token›`) never show. Masking happens on the final text (message, arguments, traceback), so a stray
`log.info("%s", tenant)` cannot leak either.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from herinnering.config import LoggingSettings

_PHONE = re.compile(
    r"(?<![\w%])(?:(?:\+|%2[bB]|00)[1-9](?:[\s-]?\d){7,14}"   # +31 6 1234 5678, 0031…, %2B31…
    r"|31[\s-]?6(?:[\s-]?\d){8}"                              # 316… without a plus
    r"|06(?:[\s-]?\d){8})(?!\d)"                              # 06-12345678
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])(?![A-Z]{2}[0-9a-fA-F]{32}(?![A-Za-z0-9]))([A-Z]{2}\d{2})[A-Z0-9]{7,26}([A-Z0-9]{3})(?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
NAME_MASK = "‹naam›"
_MAX_NAMES = 500_000
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def mask_phone(match: re.Match[str]) -> str:
    text = match.group()
    lead = "+" if text.startswith(("+", "%2")) else ""
    digits = re.sub(r"\D", "", text[3:] if text.startswith("%2") else text)
    return f"{lead}{digits[:3]}…{digits[-3:]}"


class _Names:
    """Tenants' names, matched as whole runs of words (case-insensitive)."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.max_words = 0
        self.lock = threading.Lock()

    def remember(self, names: Iterable[str]) -> None:
        with self.lock:
            for name in names:
                words = [w.lower() for w in _WORD.findall(name or "")]
                if words and len(" ".join(words)) >= 4 and len(self.names) < _MAX_NAMES:
                    self.names.add(" ".join(words))
                    self.max_words = max(self.max_words, len(words))

    def mask(self, text: str) -> str:
        if not self.names:
            return text
        words = list(_WORD.finditer(text))
        pieces, last, i = [], 0, 0
        while i < len(words):
            for k in range(min(self.max_words, len(words) - i), 0, -1):
                run = words[i:i + k]
                gaps = all(not text[a.end():b.start()].strip() for a, b in zip(run, run[1:], strict=False))
                if gaps and " ".join(w.group().lower() for w in run) in self.names:
                    pieces += [text[last:run[0].start()], NAME_MASK]
                    last, i = run[-1].end(), i + k
                    break
            else:
                i += 1
        return "".join(pieces) + text[last:] if pieces else text


NAMES = _Names()


def remember_names(names: Iterable[str]) -> None:
    """Tell the log filter which names to mask (the importer calls this for every batch)."""
    NAMES.remember(names)


_URL_PASSWORD = re.compile(r"(://[^/:@\s]+:)[^@\s/]+@")
_LINK_TOKEN = re.compile(r"(/(?:mijn-huur|pay)/)[A-Za-z0-9_-]{6,}")  # the key of a tenant's page or payment link
_SECRETS: set[str] = set()


def remember_secrets(values: Iterable[str]) -> None:
    """Configured secrets (auth token, API keys): shown as ‹geheim› should one reach a log."""
    _SECRETS.update(value for value in values if value and len(value) >= 8)


def mask_text(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "‹geheim›")
    text = _URL_PASSWORD.sub(r"\1***@", text)
    text = _LINK_TOKEN.sub("\\1‹token›", text)
    text = _EMAIL.sub(r"\1…@\2", _IBAN.sub(r"\1…\2", _PHONE.sub(mask_phone, text)))
    return NAMES.mask(text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's final text with phone numbers and names masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = mask_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_text(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the moment (a test may swap and close it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure(settings: LoggingSettings, verbose: bool = False, secrets: Iterable[str] = ()) -> logging.Handler | None:
    """One masked handler on stderr for the root logger (replacing ours from an earlier call).
    Like `logging.basicConfig`, it leaves a root logger that someone else set up (pytest, an
    embedding program) alone."""
    remember_secrets(secrets)
    root = logging.getLogger()
    if any(not isinstance(old, _StderrHandler) for old in root.handlers):
        return None
    handler = _StderrHandler(sys.stderr)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonFormatter() if settings.format == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.getLevelName(settings.level)
    root.setLevel(min(level, logging.INFO) if verbose else level)
    if root.level > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every tick at INFO
    # aiosqlite's DEBUG lines carry every statement's parameters (names, numbers, bodies): they
    # never belong in a log, whatever the masking catches.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    return handler


def describe_error(exc: BaseException) -> str:
    """An error in one masked line: a database error by its class and its driver's class only
    (a driver's message may quote the values it refused), anything else by its message."""
    if isinstance(exc, SQLAlchemyError):
        inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else None
        return f"{type(exc).__name__}" + (f" ({type(inner).__name__})" if inner is not None else "")
    return mask_text(f"{type(exc).__name__}: {exc}")

