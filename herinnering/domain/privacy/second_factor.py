"""Officers' second factor: time-based one-time codes (TOTP, RFC 6238) as authenticator apps
make them — six digits, a new one every 30 seconds, SHA-1, from a base32 secret.

Pure: the time is passed in. A code is accepted for the current step and one step either side
(a phone's clock drifts, a person types slowly), and only for a step later than the last one
accepted, so a code seen over a shoulder or replayed cannot be used a second time.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime

import pyotp

DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1  # steps accepted either side of now
_CODE = re.compile(r"[0-9]{6}")


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def new_secret() -> str:
    """A fresh random secret (160 bits, base32: 32 characters)."""
    return pyotp.random_base32(32)


def step_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """The code an authenticator app shows at `at` (for tests and the demo)."""
    return _totp(secret).generate_otp(step_at(at))


def normalise_code(typed: str) -> str:
    """What a person types: "123 456" and "123-456" are "123456"."""
    return "".join(ch for ch in typed if not ch.isspace() and ch != "-")


def accepted_step(secret: str, typed: str, at: datetime, last_step: int | None) -> int | None:
    """The step whose code `typed` is, if it is within the drift and later than `last_step`; else None."""
    code = normalise_code(typed)
    if not _CODE.fullmatch(code):
        return None
    totp = _totp(secret)
    now = step_at(at)
    for step in range(max(0, now - DRIFT_STEPS), now + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it over by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
