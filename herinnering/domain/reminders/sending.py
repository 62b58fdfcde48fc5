"""What a provider's answer to "send this" means for the message.

    Accepted   the provider took it (we have its SID)
    Rejected   permanent: a bad or unsubscribed number; never retried
    RetryLater the provider says it did not process the request (429): safe to send again
    Unknown    a 5xx, a timeout, a dropped connection: it may or may not have gone out, so it
               is looked up at the provider before anything is sent again
    Halt       our credentials or account are wrong: stop sending, change nothing

The Twilio adapter turns exceptions into these; the dispatcher acts on them.
"""

from __future__ import annotations

from dataclasses import dataclass

OPT_OUT_CODES = frozenset({21610})
RETRY_CODES = frozenset({20429, 21611, 30001})
HALT_CODES = frozenset({20003, 20005, 20008, 21606, 21212})


@dataclass(frozen=True)
class Accepted:
    sid: str
    status: str


@dataclass(frozen=True)
class Rejected:
    code: int | None
    message: str

    @property
    def opted_out(self) -> bool:
        return self.code in OPT_OUT_CODES


@dataclass(frozen=True)
class RetryLater:
    code: int | None
    message: str
    retry_after: float | None = None  # seconds, from the provider's Retry-After header


@dataclass(frozen=True)
class Unknown:
    code: int | None
    message: str


@dataclass(frozen=True)
class Halt:
    code: int | None
    message: str


SendOutcome = Accepted | Rejected | RetryLater | Unknown | Halt


def classify_error(
    http_status: int | None, code: int | None, message: str, retry_after: float | None = None
) -> SendOutcome:
    """Map a provider error (HTTP status and Twilio error code) to what we do next."""
    if http_status == 429 or code in RETRY_CODES:
        return RetryLater(code, message, retry_after)
    if http_status in (401, 403) or code in HALT_CODES:
        return Halt(code, message)
    if http_status is None or http_status >= 500:
        return Unknown(code, message)
    return Rejected(code, message)
