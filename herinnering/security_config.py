"""The `[security]`, `[privacy]` and `[logging]` sections of the configuration, and secrets
read from files.

`config.py` calls `parse_security`, `parse_privacy` and `parse_logging`; a wrong value stops
start-up with a message naming the key. `secrets_from_files` turns `NAME_FILE=/run/secrets/x`
into `NAME=<the file's content>` for every secret the environment can carry (Docker and
Kubernetes secrets are files), so no secret needs to be in a config file or in `ps` output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from herinnering.domain.retention import Terms, check_terms
from herinnering.errors import ConfigError


@dataclass(frozen=True)
class SecuritySettings:
    login_per_minute_ip: int = 30       # POST /login from one address
    login_per_minute_account: int = 10  # POST /login for one e-mail address (the lockout counts failures)
    api_per_second: float = 100.0       # JSON API calls per token (or address without one), sustained
    api_burst: int = 500                # ... and at once
    hsts_seconds: int = 31_536_000      # Strict-Transport-Security when public_url is https
    token_misses_per_minute: int = 10   # wrong links on /mijn-huur and /pay from one address, then 429
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()  # X-Forwarded-For is read only from these
    require_totp: bool = False          # every officer signs in with a code from an authenticator app too


@dataclass(frozen=True)
class PrivacySettings:
    retention_months: int = 24          # `herinnering purge` default: message bodies and logs, months after the end
    proof_retention_months: int = 84    # early-warning steps, letters, cases, municipal answers (7 years)
    consent_retention_months: int = 84  # WhatsApp opt-in records (proof of the consent the messages went under)
    administration_retention_months: int = 84  # dues, payments, returns, arrangements: the fiscal duty (AWR art. 52)
    export_retention_days: int = 30     # files in exports_dir (Wgs signals, tenant exports)
    exports_dir: str = ""               # empty: herinnering keeps no export files itself


@dataclass(frozen=True)
class LoggingSettings:
    format: str = "text"                # text | json
    level: str = "WARNING"              # -v lowers it to INFO


SECURITY_DEFAULTS, PRIVACY_DEFAULTS, LOGGING_DEFAULTS = SecuritySettings(), PrivacySettings(), LoggingSettings()


def _table(raw: Any, name: str, known: set[str]) -> Mapping[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{name}] must be a table of settings")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"unknown setting {name}.{unknown[0]}; known keys in [{name}]: {', '.join(sorted(known))}")
    return raw


def _number(table: Mapping[str, Any], name: str, key: str, default: float, low: float, high: float,
            whole: bool = True) -> Any:
    value = table.get(key, default)
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name}.{key}: {value!r} is not allowed; expected {kind} from {low:g} to {high:g}")
    return value


def _flag(table: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{name}.{key}: {value!r} is not allowed; expected true or false")
    return value


def _networks(value: Any) -> tuple[IPv4Network | IPv6Network, ...]:
    """security.trusted_proxies: a list of addresses or CIDR ranges ("10.0.0.0/8", "::1")."""
    if isinstance(value, str):  # HERINNERING_SECURITY__TRUSTED_PROXIES="10.0.0.0/8,192.168.1.5"
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, list):
        raise ConfigError(f"security.trusted_proxies: {value!r} is not allowed; expected a list of CIDR ranges, "
                          'e.g. ["10.0.0.0/8"]')
    try:
        return tuple(ip_network(str(item), strict=False) for item in value)
    except ValueError as exc:
        raise ConfigError(f"security.trusted_proxies: {exc}; expected addresses or CIDR ranges such as "
                          '"10.0.0.0/8"') from None


def parse_security(raw: Any) -> SecuritySettings:
    d = SECURITY_DEFAULTS
    table = _table(raw, "security", set(d.__dataclass_fields__))
    return SecuritySettings(
        login_per_minute_ip=_number(table, "security", "login_per_minute_ip", d.login_per_minute_ip, 1, 10_000),
        login_per_minute_account=_number(table, "security", "login_per_minute_account",
                                         d.login_per_minute_account, 1, 10_000),
        api_per_second=float(_number(table, "security", "api_per_second", d.api_per_second, 0.01, 100_000, False)),
        api_burst=_number(table, "security", "api_burst", d.api_burst, 1, 1_000_000),
        hsts_seconds=_number(table, "security", "hsts_seconds", d.hsts_seconds, 0, 100_000_000),
        token_misses_per_minute=_number(table, "security", "token_misses_per_minute", d.token_misses_per_minute,
                                        1, 10_000),
        trusted_proxies=_networks(table.get("trusted_proxies", [])),
        require_totp=_flag(table, "security", "require_totp", d.require_totp),
    )


def parse_privacy(raw: Any) -> PrivacySettings:
    d = PRIVACY_DEFAULTS
    table = _table(raw, "privacy", set(d.__dataclass_fields__))
    settings = PrivacySettings(
        retention_months=_number(table, "privacy", "retention_months", d.retention_months, 1, 1200),
        proof_retention_months=_number(table, "privacy", "proof_retention_months", d.proof_retention_months, 1, 1200),
        consent_retention_months=_number(table, "privacy", "consent_retention_months", d.consent_retention_months,
                                         1, 1200),
        administration_retention_months=_number(table, "privacy", "administration_retention_months",
                                                d.administration_retention_months, 1, 1200),
        export_retention_days=_number(table, "privacy", "export_retention_days", d.export_retention_days, 1, 36_500),
        exports_dir=str(table.get("exports_dir", d.exports_dir)),
    )
    try:
        check_terms(Terms(settings.retention_months, settings.proof_retention_months,
                          settings.consent_retention_months, settings.administration_retention_months))
    except ValueError as exc:
        raise ConfigError(f"privacy: {exc}") from None
    return settings


def parse_logging(raw: Any) -> LoggingSettings:
    table = _table(raw, "logging", set(LOGGING_DEFAULTS.__dataclass_fields__))
    format_ = table.get("format", LOGGING_DEFAULTS.format)
    if format_ not in ("text", "json"):
        raise ConfigError(f"logging.format: {format_!r} is not allowed; expected one of text, json")
    level = str(table.get("level", LOGGING_DEFAULTS.level)).upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"logging.level: {level!r} is not allowed; expected one of DEBUG, INFO, WARNING, ERROR")
    return LoggingSettings(format=format_, level=level)


def secrets_from_files(environ: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
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
