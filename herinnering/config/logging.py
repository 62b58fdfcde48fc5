"""`[logging]`: text or JSON lines, and the level (-v lowers it to INFO)."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.loading import default_data
from herinnering.config.validator import Section

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class LoggingSettings:
    format: str  # text | json
    level: str   # DEBUG, INFO, WARNING, ERROR


def parse(s: Section) -> LoggingSettings:
    level = s.get("level")
    if not isinstance(level, str) or level.upper() not in LEVELS:
        raise s.fail("level", level, "one of " + ", ".join(LEVELS))
    return LoggingSettings(format=s.choice("format", ("text", "json")), level=level.upper())


def shipped() -> LoggingSettings:
    """config/default.toml's [logging], for the records written before the settings are read."""
    return parse(Section.of(default_data(), "logging"))
