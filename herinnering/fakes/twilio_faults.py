"""What can go wrong at the fake Twilio: its error catalogue, injected faults and number rules.

Kept apart from the HTTP server so the rules a test sets up (a 429 on the next call, a number
that never receives anything) read as plain data, the same whether they arrive from Python or
as JSON on the `/_fake/` admin endpoints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# The messages Twilio returns for the codes the bot meets; the wording follows Twilio's docs.
ERROR_MESSAGES: dict[int, str] = {
    20001: "Invalid parameter",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    21602: "Message body is required.",
    21603: "A 'From' or 'MessagingServiceSid' parameter is required to send a message.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    21655: "The ContentSid is Invalid",
    21656: "The ContentVariables Parameter is invalid",
    63016: "Failed to send freeform message because you are outside the allowed window.",
}

# The code Twilio puts in the body when a status has no more specific one.
_DEFAULT_CODES = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

DELIVERY_OUTCOMES = ("delivered", "undelivered", "failed")
_DEFAULT_DELIVERY_ERRORS = {"undelivered": 30003, "failed": 30008}


class FakeConfigError(ValueError):
    """A fault or number rule that cannot be honoured; the admin API answers it with 400."""


def error_message(code: int) -> str:
    return ERROR_MESSAGES.get(code, f"Error {code}")


def error_body(status: int, code: int | None = None, message: str | None = None) -> dict[str, Any]:
    """Twilio's legacy error JSON, the shape the official client turns into TwilioRestException."""
    code = code if code is not None else _DEFAULT_CODES.get(status, status)
    return {
        "code": code,
        "message": message or error_message(code),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


@dataclass(frozen=True)
class Fault:
    """One injected outcome for the next create call.

    `status` alone (or with `code`) answers with that error; `retry_after` adds a
    `Retry-After` header (seconds), as a 429 burst does. `reset` drops the connection without
    an answer. `delay` slows the answer down. With `stored=True` the message is accepted
    *first* and then the answer goes wrong (a 5xx, a reset, or one too slow for the caller's
    timeout): the cases where the caller cannot know whether the tenant will get it. A caller
    that gives up while the fake waits cancels the request, so an unstored one never arrives.
    """

    status: int | None = None
    code: int | None = None
    message: str | None = None
    stored: bool = False
    delay: float = 0.0
    retry_after: int | None = None
    reset: bool = False

    def __post_init__(self) -> None:
        if self.status is None and self.code is not None:
            raise FakeConfigError("a fault with a code needs an HTTP status")
        if self.status is not None and not 400 <= self.status <= 599:
            raise FakeConfigError(f"fault status must be 4xx or 5xx, not {self.status}")
        if self.reset and self.status is not None:
            raise FakeConfigError("a reset connection has no status")
        if self.stored and not (self.reset or self.delay or (self.status or 0) >= 500):
            raise FakeConfigError("only a 5xx, a reset or a delay can follow a stored message")
        if self.retry_after is not None and (self.status is None or self.retry_after < 0):
            raise FakeConfigError("retry_after needs an error status and cannot be negative")
        if self.delay < 0:
            raise FakeConfigError("fault delay cannot be negative")

    def body(self) -> dict[str, Any]:
        assert self.status is not None
        return error_body(self.status, self.code, self.message)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False, 0.0)}


@dataclass(frozen=True)
class NumberRule:
    """How Twilio treats one recipient: refuse it on create, or accept it and report an outcome;
    `lookup_error` answers list and fetch calls about it with that HTTP status (a provider that
    cannot be asked for a while)."""

    to: str
    create_error: int | None = None
    delivery: str = "delivered"
    error_code: int | None = None
    lookup_error: int | None = None

    def __post_init__(self) -> None:
        if not self.to:
            raise FakeConfigError("a number rule needs 'to'")
        if self.delivery not in DELIVERY_OUTCOMES:
            raise FakeConfigError(f"delivery must be one of {', '.join(DELIVERY_OUTCOMES)}")
        if self.lookup_error is not None and not 400 <= self.lookup_error <= 599:
            raise FakeConfigError(f"lookup_error must be 4xx or 5xx, not {self.lookup_error}")
        if self.delivery != "delivered" and self.error_code is None:
            object.__setattr__(self, "error_code", _DEFAULT_DELIVERY_ERRORS[self.delivery])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def faults_from_json(payload: Any) -> list[Fault]:
    """One object or a list of them; `times` repeats a fault for that many calls."""
    items = payload if isinstance(payload, list) else [payload]
    faults: list[Fault] = []
    for item in items:
        if not isinstance(item, dict):
            raise FakeConfigError("a fault is a JSON object")
        fields = dict(item)
        times = fields.pop("times", 1)
        if not isinstance(times, int) or times < 1:
            raise FakeConfigError("'times' must be a positive integer")
        faults.extend([_build(Fault, fields)] * times)
    return faults


def number_rule_from_json(payload: Any) -> NumberRule:
    if not isinstance(payload, dict):
        raise FakeConfigError("a number rule is a JSON object")
    return _build(NumberRule, payload)


def _build(cls: Any, fields: dict[str, Any]) -> Any:
    try:
        return cls(**fields)
    except TypeError as exc:  # an unknown or missing key
        raise FakeConfigError(str(exc)) from exc
