"""`[whatsapp]`: the fallback after a WhatsApp failure, and the template registry it points at.

The registry file (config/whatsapp-templates.toml unless `templates` names another; a relative
name is looked up in the config folder) is checked against the configured languages, so a kind
or language without its approved ContentSid stops start-up with a message naming the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from herinnering.config.validator import Section
from herinnering.domain.reminders.whatsapp import TemplateRegistry, parse_registry
from herinnering.errors import ConfigError
from herinnering.resources import config_dir

# Messages that may open a conversation on WhatsApp: each needs an approved template per language.
REQUIRED_KINDS = ("pre_debit", "payment_link", "ladder_reminder", "instalment_reminder", "debt_help_offer",
                  "officer_reply")
FALLBACKS = ("sms", "task")


@dataclass(frozen=True)
class WhatsAppSettings:
    fallback: str            # after 63016 and the like: "sms" where the tenant allows it, else a task
    import_is_opt_in: bool   # channel "whatsapp" in the ERP export counts as opt-in (source "import")
    templates_file: str
    registry: TemplateRegistry


def registry_path(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else config_dir() / path


def load_registry(path: Path, languages: Sequence[str], required: Sequence[str] = REQUIRED_KINDS) -> TemplateRegistry:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"whatsapp.templates: {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"whatsapp.templates: {path} is not valid TOML: {exc}") from None
    try:
        return parse_registry(data, languages, required, source=path.name)
    except ValueError as exc:
        raise ConfigError(f"whatsapp.templates: {exc}") from None


def parse(s: Section, languages: Sequence[str]) -> WhatsAppSettings:
    name = s.pattern("templates", r".*\S.*", 'the name of the template registry file, e.g. "whatsapp-templates.toml"')
    return WhatsAppSettings(fallback=s.choice("fallback", FALLBACKS), import_is_opt_in=s.flag("import_is_opt_in"),
                            templates_file=name, registry=load_registry(registry_path(name), languages))
