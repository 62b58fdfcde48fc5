"""One exception tree for herinnering.

    HerinneringError           something herinnering can name                         400
    ├── BadInput               a value a person or a caller gave is not acceptable;   422
    │   │                      the message names it (an option, a form field, a key)
    │   ├── ImportFileError    a file cannot be read at all (a bad row is no exception)
    │   │   ├── CsvFileError       the tenant export (domain/tenant_csv.py)
    │   │   ├── CamtFileError      a bank statement (adapters/camt.py)
    │   │   └── PaymentInputError  payments given to the API or a file; nothing stored
    │   ├── ScreenError        a team lead's experiment form (the message is Dutch)
    │   ├── ThreadError        that cannot be done with this conversation
    │   │   └── ThreatRefused  a reply threatens before the 14-day letter went out
    │   └── TokenError         an API token name is not valid
    ├── NotFound               the tenant, letter, task, account … named does not exist   404
    │   └── UnknownTenant      no tenant with that id or contract id
    ├── Conflict               the state moved on: done already, taken meanwhile          409
    │   ├── TaskError          that cannot be done with this task (any more)
    │   ├── NeedsConfirmation  a colleague holds this conversation: ask before taking it
    │   └── OwnerChanged       someone else took the conversation since the page loaded
    ├── Forbidden              the caller may not do this                                403
    │   ├── NotOwner           another officer holds this conversation
    │   └── OptOutRefused      the tenant's segment does not allow the opt-out
    ├── LoginError             e-mail address or password is wrong                       401
    │   ├── CodeRefused        the authenticator app's code is wrong or was used already
    │   └── LockedOut          too many failed attempts: try again later                 429
    ├── ProviderDown           Twilio or Mollie cannot be reached or answered what        503
    │   │                      we cannot use; trying again later may work
    │   ├── ProviderError      the messaging provider
    │   │   └── MediaUnavailable   a tenant's attachment cannot be fetched from it
    │   └── PaymentProviderError   the payment provider
    ├── ConfigError            a setting is wrong; the message begins with section.key    500
    ├── TemplateError          a message template is missing or uses an undefined variable 500
    └── MigrationError         a migration left rows whose foreign keys point nowhere      500

The statuses are applied in one place, `herinnering/web/errors.py`; the CLI prints any of
these without a traceback and exits non-zero. Adapters translate driver and client errors into
these at the edge. The modules that raise a specific error also export its name
(`services.threads.NotOwner`, `adapters.camt.CamtFileError` …).
"""

from __future__ import annotations

from typing import Any


class HerinneringError(Exception):
    """Something went wrong in herinnering."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


# -- the caller's side ----------------------------------------------------------------------
class BadInput(HerinneringError):
    """A value given is not acceptable."""


class ImportFileError(BadInput):
    """The import file cannot be read."""


class CsvFileError(ImportFileError, ValueError):
    """The whole file is unusable; the message names the problem."""


class CamtFileError(ImportFileError):
    """The bank file cannot be read; the message names the element and its line."""


class PaymentInputError(ImportFileError):
    """Payment input was rejected; nothing was stored."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(summary + "".join(f"\n  {p}" for p in problems))


class ScreenError(BadInput):
    """The team lead's form or action was refused; the message says why (in Dutch)."""


class ThreadError(BadInput):
    """That cannot be done with this conversation."""


class ThreatRefused(ThreadError):
    """The reply threatens before the 14-day letter went out."""

    def __init__(self, words: list[str]) -> None:
        super().__init__("before the 14-day letter a reply may not speak of " + ", ".join(words))
        self.words = words


class TokenError(BadInput):
    """A token name is not a valid name."""


class NotFound(HerinneringError):
    """What was named does not exist."""


class UnknownTenant(NotFound):
    """No tenant with that id or contract id."""


class Conflict(HerinneringError):
    """The state moved on; look again."""


class TaskError(Conflict):
    """That cannot be done with this task (any more)."""


class NeedsConfirmation(Conflict):
    """A colleague holds this conversation: ask before taking it."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"{holder} holds this conversation")
        self.holder = holder


class OwnerChanged(Conflict):
    """Someone else took the conversation since the page was loaded."""


class Forbidden(HerinneringError):
    """You may not do that."""


class NotOwner(Forbidden):
    """Another officer took this conversation over: only they reply in it (or a team lead assigns it)."""

    def __init__(self, holder: str, thread: Any) -> None:
        super().__init__(f"{holder} took this conversation over; only they can reply in it")
        self.holder, self.thread = holder, thread


class OptOutRefused(Forbidden):
    """The tenant's segment does not allow turning pre-debit reminders off."""


class LoginError(HerinneringError):
    """E-mail address or password is wrong."""


class CodeRefused(LoginError):
    """The code from the authenticator app is wrong (or was used already)."""


class LockedOut(LoginError):
    """Too many failed attempts: try again later."""


# -- our side and the providers' --------------------------------------------------------------
class ProviderDown(HerinneringError):
    """A provider could not be reached or gave an answer we cannot use; try again later."""


class ProviderError(ProviderDown):
    """The messaging provider gave an answer we could not classify."""


class MediaUnavailable(ProviderError):
    """The attachment could not be fetched from the provider (gone, refused, too large, or not ours)."""


class PaymentProviderError(ProviderDown):
    """The payment provider could not be reached or refused the request."""


class ConfigError(HerinneringError):
    """The configuration is invalid."""


class TemplateError(HerinneringError):
    """A message template could not be rendered."""


class MigrationError(HerinneringError):
    """A migration left rows whose foreign keys point nowhere."""
