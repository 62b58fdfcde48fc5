"""Where the settings come from: config/default.toml, the operator's file, the environment.

Defaults live only in `config/default.toml`; an operator's file (HERINNERING_CONFIG or
--config) and environment variables override them key by key. `secrets_from_files` turns
`NAME_FILE=/run/secrets/x` into `NAME=<the file's content>` for every secret the environment can
carry (Docker and Kubernetes secrets are files), so no secret needs to be in a config file or in
`ps` output.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from herinnering.errors import ConfigError
from herinnering.resources import config_dir

ENV_ALIASES = {
    "TWILIO_ACCOUNT_SID": ("twilio", "account_sid"),
    "TWILIO_AUTH_TOKEN": ("twilio", "auth_token"),
    "TWILIO_FROM": ("twilio", "sms_from"),
    "TWILIO_WHATSAPP_FROM": ("twilio", "whatsapp_from"),
    "TWILIO_API_BASE_URL": ("twilio", "api_base_url"),
    "HERINNERING_DATABASE_URL": ("database", "url"),
    "HERINNERING_PUBLIC_URL": ("server", "public_url"),
    "MOLLIE_API_KEY": ("payments", "mollie_api_key"),
}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None


@cache
def _defaults() -> dict[str, Any]:
    return read_toml(config_dir() / "default.toml")


def default_data() -> dict[str, Any]:
    """A fresh copy of config/default.toml: every section, every key."""
    return copy.deepcopy(_defaults())


def merge(base: dict[str, Any], override: Mapping[str, Any]) -> None:
    """Override key by key within each section; an unknown section stops start-up."""
    for section, table in override.items():
        if section not in base or not isinstance(table, Mapping):
            raise ConfigError(f"unknown section [{section}]; known sections: {', '.join(base)}")
        base[section] = {**base[section], **table}


def from_environment(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """HERINNERING_<SECTION>__<KEY> and the usual Twilio names; values parsed as TOML when they can be."""
    found: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
            found.setdefault(section, {})[key] = raw
        elif name.startswith("HERINNERING_") and "__" in name:
            section, _, key = name[len("HERINNERING_"):].lower().partition("__")
            found.setdefault(section, {})[key] = _env_value(raw)
    return found


def _env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def secrets_from_files(environ: Mapping[str, str], names: tuple[str, ...] = tuple(ENV_ALIASES)) -> dict[str, str]:
    """The environment with each `X_FILE` (X a secret name, or any HERINNERING_…__… name)
    replaced by `X` = the file's content without its final newline. A variable set directly
    wins over its file."""
    result = dict(environ)
    for variable, path in environ.items():
        name = variable[: -len("_FILE")]
        if not variable.endswith("_FILE") or (
                name not in names and not (name.startswith("HERINNERING_") and "__" in name)):
            continue
        del result[variable]
        if name in environ:
            continue
        try:
            result[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"{variable}: cannot read the secret file {path}: {exc.strerror}") from None
    return result
