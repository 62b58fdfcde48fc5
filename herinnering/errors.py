"""One exception tree for herinnering.

    HerinneringError
    ├── ConfigError          a setting is wrong; the message names the key and what is allowed
    ├── ImportFileError      a tenant file cannot be read at all (a bad row is not an exception)
    ├── TemplateError        a message template is missing or uses an undefined variable
    ├── ProviderError        the messaging provider misbehaved in a way we could not classify
    └── MigrationError       a migration left rows whose foreign keys point nowhere

Adapters translate driver and client errors into these at the edge; the CLI prints them
without a traceback and exits non-zero.
"""

from __future__ import annotations


class HerinneringError(Exception):
    """Something went wrong in herinnering."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or "").strip())


class ConfigError(HerinneringError):
    """The configuration is invalid."""


class ImportFileError(HerinneringError):
    """The import file cannot be read."""


class TemplateError(HerinneringError):
    """A message template could not be rendered."""


class ProviderError(HerinneringError):
    """The messaging provider gave an answer we could not classify."""


class MigrationError(HerinneringError):
    """A migration left rows whose foreign keys point nowhere."""
