"""The `[whatsapp]` section of the configuration and the template registry it points at.

`config.py` calls `parse_whatsapp`: it reads the registry file (config/whatsapp-templates.toml
unless `templates` names another; a relative name is looked up in the config folder) and
checks it against the configured languages, so a kind or language without its approved
ContentSid stops start-up with a message naming the entry.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from herinnering.domain.reminders.whatsapp import TemplateRegistry, parse_registry
from herinnering.errors import ConfigError
from herinnering.resources import config_dir

# Messages that may open a conversation on WhatsApp: each needs an approved template per language.
REQUIRED_KINDS = ("pre_debit", "payment_link", "ladder_reminder", "instalment_reminder", "debt_help_offer",
                  "officer_reply")
FALLBACKS = ("sms", "task")


@dataclass(frozen=True)
class WhatsAppSettings:
    fallback: str = "sms"            # after 63016 and the like: "sms" where the tenant allows it, else a task
    import_is_opt_in: bool = True    # channel "whatsapp" in the ERP export counts as opt-in (source "import")
    templates_file: str = ""
    registry: TemplateRegistry = field(default_factory=TemplateRegistry)


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
        raise ConfigError(str(exc)) from None


def parse_whatsapp(table: Mapping[str, Any] | None, languages: Sequence[str]) -> WhatsAppSettings:
    table = dict(table or {})
    known = {"templates", "fallback", "import_is_opt_in"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown setting whatsapp.{unknown[0]}; known keys in [whatsapp]: {', '.join(sorted(known))}")
    fallback = table.get("fallback", "sms")
    if fallback not in FALLBACKS:
        raise ConfigError(f"whatsapp.fallback: {fallback!r} is not allowed; expected one of {', '.join(FALLBACKS)}")
    import_is_opt_in = table.get("import_is_opt_in", True)
    if not isinstance(import_is_opt_in, bool):
        raise ConfigError(f"whatsapp.import_is_opt_in: {import_is_opt_in!r} is not true or false")
    name = table.get("templates", "whatsapp-templates.toml")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError("whatsapp.templates: the name of the template registry file, e.g. \"whatsapp-templates.toml\"")
    return WhatsAppSettings(fallback=fallback, import_is_opt_in=import_is_opt_in, templates_file=name,
                            registry=load_registry(registry_path(name), languages))
