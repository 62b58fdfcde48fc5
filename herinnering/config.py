"""Configuration: read once, validated, frozen.

Defaults come from `config/default.toml`; an operator's file (HERINNERING_CONFIG or --config)
and environment variables override them. Every wrong value stops start-up with a message that
names the key, what was given and what is allowed. Nothing else reads configuration files or
the environment.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herinnering.cadence_config import CADENCE_DEFAULTS, CadenceSettings, parse_cadence
from herinnering.changes_config import CHANGES_DEFAULTS, ChangeFeedSettings, parse_changes
from herinnering.domain.conversations.keywords import Intent, KeywordRules, keyword_rules
from herinnering.domain.conversations.threads import OfficeHours
from herinnering.domain.experiments.experiments import Experiment, parse_experiments
from herinnering.domain.legal.mvi import MviStep
from herinnering.domain.payments.ladder import Action, Ladder, StepRule
from herinnering.domain.reminders.planning import PlanningRules, SendWindow
from herinnering.errors import ConfigError
from herinnering.lawful_config import LAWFUL_DEFAULTS, LawfulSettings, parse_lawful
from herinnering.resources import config_dir
from herinnering.security_config import (
    LOGGING_DEFAULTS,
    PRIVACY_DEFAULTS,
    SECURITY_DEFAULTS,
    LoggingSettings,
    PrivacySettings,
    SecuritySettings,
    parse_logging,
    parse_privacy,
    parse_security,
    secrets_from_files,
)
from herinnering.tenant_config import (
    TENANT_CENTRED_DEFAULTS,
    TenantCentredSettings,
    parse_tenant_centred,
)
from herinnering.whatsapp_config import WhatsAppSettings, parse_whatsapp

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


@dataclass(frozen=True)
class OrganisationSettings:
    name: str
    phone: str
    landlord_id: str
    iban: str = ""         # the account tenants who pay by transfer pay into (in their reminder)
    payment_url: str = ""  # where they can pay online, if anywhere (in their reminder)


@dataclass(frozen=True)
class ReminderSettings:
    timezone: ZoneInfo
    lead_days: int
    window: SendWindow
    collection_days: frozenset[int]
    languages: tuple[str, ...]
    default_language: str

    def planning_rules(self) -> PlanningRules:
        return PlanningRules(timezone=self.timezone, lead_days=self.lead_days, window=self.window)


@dataclass(frozen=True)
class DispatchSettings:
    rate_per_second: float
    batch_size: int
    max_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float
    stall_seconds: float
    provider_timeout_seconds: float
    interval_seconds: float
    concurrency: int
    circuit_window: int = 20  # the circuit breaker judges the last N provider calls
    circuit_cool_down_seconds: float = 30.0  # open this long before one probe call
    status_sweep_after_seconds: float = 1800.0  # a message still `sent` this long is asked at the provider
    status_sweep_interval_seconds: float = 300.0  # how often a sending process sweeps
    price_per_segment_eur: float = 0.075  # what one SMS segment costs (templates check shows costs per language)


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    sms_from: str
    whatsapp_from: str
    api_base_url: str

    def require(self) -> TwilioSettings:
        """Fail with a helpful message when sending is asked for but Twilio is not set up."""
        for key, env in (("account_sid", "TWILIO_ACCOUNT_SID"), ("auth_token", "TWILIO_AUTH_TOKEN"),
                         ("sms_from", "TWILIO_FROM")):
            if not getattr(self, key):
                raise ConfigError(f"twilio.{key} is not set: set {env} or [twilio] {key} in your config file")
        return self


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    public_url: str
    environment: str = "development"  # "production" refuses what is for trying only (the payment sandbox)
    metrics_port: int = 0  # `herinnering worker` serves /metrics on this port (0: none)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    pool_size: int = 0  # connections per process; 0: the sends in flight (dispatch.concurrency) + 8
    transaction_pooler: bool = False  # behind PgBouncer in transaction mode: no prepared statements kept

    def connections(self, dispatch: DispatchSettings) -> int:
        """The pool size a process opens: what it has in flight at once, with room for the rest."""
        return self.pool_size or dispatch.concurrency + 8


@dataclass(frozen=True)
class PaymentSettings:
    provider: str             # "sandbox" (our own iDEAL-style page) or "mollie"
    link_expiry_days: int     # a payment link stops working this many days after it was made
    api_token: str            # Bearer token of POST /api/payments; empty: the API refuses every call
    mollie_api_key: str       # test_... or live_...; required when provider = "mollie"
    mollie_api_endpoint: str  # https://api.mollie.com, or the shipped fake (herinnering fake-mollie)
    match_threshold: int = 80  # a bank line without a contract id is booked by itself from this confidence on
    match_margin: int = 20     # ... and only this far ahead of the next suggestion (domain/payments/bank_matching.py)


@dataclass(frozen=True)
class Settings:
    organisation: OrganisationSettings
    reminders: ReminderSettings
    dispatch: DispatchSettings
    twilio: TwilioSettings
    server: ServerSettings
    database: DatabaseSettings
    conversations: ConversationSettings  # [conversations]: the keyword bot, office hours, logins
    experiments: tuple[Experiment, ...]  # [experiments.<key>] tables (domain/experiments/experiments.py)
    payments: PaymentSettings
    ladder: LadderSettings  # [ladder]: the follow-up ladder and payment arrangements
    lawful: LawfulSettings = LAWFUL_DEFAULTS  # [lawful]: costs, early-warning windows, wording (lawful_config.py)
    tenant: TenantCentredSettings = TENANT_CENTRED_DEFAULTS  # [returns], [self_service] (tenant_config.py)
    cadence: CadenceSettings = CADENCE_DEFAULTS  # [segments]: cadence per segment (cadence_config.py)
    whatsapp: WhatsAppSettings = WhatsAppSettings()  # [whatsapp]: template registry, fallback (whatsapp_config.py)
    security: SecuritySettings = SECURITY_DEFAULTS  # [security]: rate limits, HSTS (security_config.py)
    privacy: PrivacySettings = PRIVACY_DEFAULTS  # [privacy]: retention after the contract ended
    logging: LoggingSettings = LOGGING_DEFAULTS  # [logging]: text or json, level
    changes: ChangeFeedSettings = CHANGES_DEFAULTS  # [changes]: the feed for the ERP and its push (changes_config.py)

    def with_database(self, url: str) -> Settings:
        return replace(self, database=replace(self.database, url=url))

    def with_twilio(self, **changes: str) -> Settings:
        return replace(self, twilio=replace(self.twilio, **changes))

    def with_server(self, **changes: Any) -> Settings:
        return replace(self, server=replace(self.server, **changes))


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the operator's file, then the environment; validated."""
    environ = os.environ if environ is None else environ
    environ = secrets_from_files(environ, tuple(ENV_ALIASES))  # TWILIO_AUTH_TOKEN_FILE=/run/secrets/… …
    data = _read_toml(config_dir() / "default.toml")
    path = path or environ.get("HERINNERING_CONFIG")
    if path:
        _merge(data, _read_toml(Path(path)), known=data)
    _merge(data, _from_environment(environ), known=data)
    return parse_settings(data)


def parse_settings(data: Mapping[str, Any]) -> Settings:
    org, rem, dis, twi, srv, db = (
        _Section(data, name) for name in ("organisation", "reminders", "dispatch", "twilio", "server", "database")
    )
    languages = rem.string_list("languages")
    settings = Settings(
        organisation=OrganisationSettings(
            name=org.text("name", max_length=40), phone=org.text("phone"), landlord_id=org.text("landlord_id"),
            iban=org.pattern("iban", r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}",
                             "the corporation's IBAN, like NL91 ABNA 0417 1643 00"),
            payment_url=org.pattern("payment_url", r"(https?://[^\s/]+(/[^\s]*)?)?", "an http(s) URL or \"\""),
        ),
        reminders=ReminderSettings(
            timezone=rem.timezone("timezone"),
            lead_days=rem.integer("lead_days", 1, 28),
            window=rem.window("send_window"),
            collection_days=rem.days("collection_days"),
            languages=languages,
            default_language=rem.choice("default_language", languages),
        ),
        dispatch=DispatchSettings(
            rate_per_second=dis.number("rate_per_second", 0.1, 1000),
            batch_size=dis.integer("batch_size", 1, 10_000),
            max_attempts=dis.integer("max_attempts", 1, 20),
            retry_base_seconds=dis.number("retry_base_seconds", 0, 3600),
            retry_max_seconds=dis.number("retry_max_seconds", 0, 86_400),
            stall_seconds=dis.number("stall_seconds", 1, 86_400),
            provider_timeout_seconds=dis.number("provider_timeout_seconds", 0.1, 120),
            interval_seconds=dis.number("interval_seconds", 0.1, 3600),
            concurrency=dis.integer("concurrency", 1, 1000),
            circuit_window=dis.integer("circuit_window", 2, 1000),
            circuit_cool_down_seconds=dis.number("circuit_cool_down_seconds", 0, 3600),
            status_sweep_after_seconds=dis.number("status_sweep_after_seconds", 1, 7 * 86_400),
            status_sweep_interval_seconds=dis.number("status_sweep_interval_seconds", 1, 86_400),
            price_per_segment_eur=dis.number("price_per_segment_eur", 0, 10),
        ),
        twilio=TwilioSettings(
            account_sid=twi.pattern("account_sid", r"(AC[0-9a-fA-F]{32})?", "AC followed by 32 hex digits"),
            auth_token=twi.text("auth_token", allow_empty=True),
            sms_from=twi.pattern(
                "sms_from", r"(\+[1-9][0-9]{6,14}|[A-Za-z0-9 ]{0,11})",
                "a phone number in E.164 (+31...) or an alphanumeric sender of at most 11 characters",
            ),
            whatsapp_from=twi.pattern("whatsapp_from", r"(whatsapp:\+[1-9][0-9]{6,14})?", "whatsapp:+<number>"),
            api_base_url=twi.url("api_base_url"),
        ),
        server=ServerSettings(
            host=srv.text("host"), port=srv.integer("port", 0, 65_535), public_url=srv.url("public_url"),
            environment=srv.choice("environment", ("development", "production")),
            metrics_port=srv.integer("metrics_port", 0, 65_535),
        ),
        database=DatabaseSettings(url=db.database_url("url"), pool_size=db.integer("pool_size", 0, 1000),
                                  transaction_pooler=db.flag("transaction_pooler")),
        conversations=_conversation_settings(_Section(data, "conversations"), rem.timezone("timezone")),
        experiments=parse_experiments(data.get("experiments", {})),
        payments=_payment_settings(pay := _Section(data, "payments")),
        ladder=_ladder_settings(_Section(data, "ladder")),
        lawful=parse_lawful(data.get("lawful")),
        tenant=parse_tenant_centred(data.get("returns"), data.get("self_service")),
        cadence=parse_cadence(data.get("segments")),
        whatsapp=parse_whatsapp(data.get("whatsapp"), languages),
        security=parse_security(data.get("security")),
        privacy=parse_privacy(data.get("privacy")),
        logging=parse_logging(data.get("logging")),
        changes=parse_changes(data.get("changes")),
    )
    if settings.reminders.window.start >= settings.reminders.window.end:
        raise ConfigError("reminders.send_window: the start must be before the end, e.g. \"10:00-20:00\"")
    for section in (org, rem, dis, twi, srv, db, pay):
        section.reject_unknown()
    return settings


def _payment_settings(pay: _Section) -> PaymentSettings:
    provider = pay.choice("provider", ("sandbox", "mollie"))
    key = pay.pattern("mollie_api_key", r"((test|live)_\w+)?", "a Mollie API key starting with test_ or live_")
    if provider == "mollie" and not key:
        raise ConfigError("payments.mollie_api_key is not set: set MOLLIE_API_KEY or [payments] mollie_api_key "
                          "(test_... or live_...) when payments.provider is \"mollie\"")
    return PaymentSettings(
        provider=provider,
        link_expiry_days=pay.integer("link_expiry_days", 1, 90),
        api_token=pay.text("api_token", allow_empty=True),
        mollie_api_key=key,
        mollie_api_endpoint=pay.url("mollie_api_endpoint"),
        match_threshold=pay.integer("match_threshold", 1, 101),
        match_margin=pay.integer("match_margin", 0, 100),
    )


@dataclass(frozen=True)
class LadderSettings:
    ladder: Ladder
    instalment_reminder_days: int  # a reminder this many days before each instalment
    instalment_grace_days: int     # an instalment unpaid this long after its date becomes a task


def _ladder_settings(section: _Section) -> LadderSettings:
    raw = section._get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(step, dict) for step in raw):
        raise section._fail("steps", raw, "a list of [[ladder.steps]] tables")
    allowed = {"name", "day", "kind", "task", "title", "link", "mvi"}
    steps = []
    for number, step in enumerate(raw, start=1):
        key = f"steps[{number}]"
        unknown = sorted(set(step) - allowed)
        if unknown:
            raise section._fail(key, step, f"only the keys {', '.join(sorted(allowed))} (not {unknown[0]})")
        name, day, kind = step.get("name"), step.get("day"), step.get("kind")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise section._fail(f"{key}.name", name, "a name of lowercase letters, digits and _ (at most 32)")
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 365:
            raise section._fail(f"{key}.day", day, "a whole number of days from 0 to 365")
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", kind):
            raise section._fail(f"{key}.kind", kind, "a message or task kind of lowercase letters, digits and _")
        mvi = step.get("mvi", [])
        if not isinstance(mvi, list) or any(m not in set(MviStep) for m in mvi):
            raise section._fail(f"{key}.mvi", mvi, "a list of " + ", ".join(MviStep))
        task = step.get("task", False) is True
        if task and not str(step.get("title", "")).strip():
            raise section._fail(f"{key}.title", step.get("title"), "a title for the officer's task")
        steps.append(StepRule(
            name=name, day=day, action=Action.TASK if task else Action.MESSAGE, kind=kind,
            title=str(step.get("title", "")), link=step.get("link", False) is True, mvi=tuple(mvi),
        ))
    try:
        ladder = Ladder(tuple(steps))
    except ValueError as exc:
        raise ConfigError(f"ladder.steps: {exc}") from None
    settings = LadderSettings(
        ladder=ladder,
        instalment_reminder_days=section.integer("instalment_reminder_days", 0, 28),
        instalment_grace_days=section.integer("instalment_grace_days", 0, 60),
    )
    section.reject_unknown()
    return settings


@dataclass(frozen=True)
class ConversationSettings:
    keywords: KeywordRules
    office_hours: OfficeHours
    session_hours: int
    lockout_failures: int
    lockout_minutes: int


def _conversation_settings(section: _Section, timezone: ZoneInfo) -> ConversationSettings:
    words = {intent: section.string_list(f"keywords_{intent.value}")
             for intent in (Intent.STOP, Intent.START, Intent.HELP, Intent.PAID, Intent.OBJECTION,
                            Intent.CHANNEL_SMS, Intent.CHANNEL_WHATSAPP)}
    try:
        rules = keyword_rules(words, builtin=True)  # the five-language list plus these
    except ValueError as exc:
        raise ConfigError(f"conversations.keywords_*: {exc}") from None
    window = section.window("office_hours")
    if window.start >= window.end:
        raise ConfigError('conversations.office_hours: the start must be before the end, e.g. "08:30-17:00"')
    days = section._get("office_days")
    if not isinstance(days, list) or not days or not all(isinstance(d, int) and 1 <= d <= 7 for d in days):
        raise section._fail("office_days", days, "weekdays 1 (Monday) to 7 (Sunday), e.g. [1, 2, 3, 4, 5]")
    settings = ConversationSettings(
        keywords=rules,
        office_hours=OfficeHours(timezone=timezone, start=window.start, end=window.end, weekdays=frozenset(days)),
        session_hours=section.integer("session_hours", 1, 24 * 30),
        lockout_failures=section.integer("lockout_failures", 1, 100),
        lockout_minutes=section.integer("lockout_minutes", 1, 24 * 60),
    )
    section.reject_unknown()
    return settings


class _Section:
    """Typed, validating access to one table of the configuration."""

    def __init__(self, data: Mapping[str, Any], name: str) -> None:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] must be a table of settings")
        self.name, self.table, self.used = name, table, set[str]()

    def _get(self, key: str) -> Any:
        self.used.add(key)
        if key not in self.table:
            raise ConfigError(f"{self.name}.{key} is missing")
        return self.table[key]

    def _fail(self, key: str, value: Any, allowed: str) -> ConfigError:
        return ConfigError(f"{self.name}.{key}: {value!r} is not allowed; expected {allowed}")

    def text(self, key: str, allow_empty: bool = False, max_length: int = 500) -> str:
        value = self._get(key)
        if not isinstance(value, str) or (not allow_empty and not value.strip()) or len(value) > max_length:
            raise self._fail(key, value, f"a non-empty text of at most {max_length} characters")
        return value.strip()

    def pattern(self, key: str, regex: str, allowed: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not re.fullmatch(regex, value):
            raise self._fail(key, value, allowed)
        return value

    def url(self, key: str) -> str:
        return self.pattern(key, r"https?://[^\s/]+(/[^\s]*)?", "an http(s) URL").rstrip("/")

    def integer(self, key: str, low: int, high: int) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._fail(key, value, f"a whole number from {low} to {high}")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, value, "true or false")
        return value

    def number(self, key: str, low: float, high: float) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self._fail(key, value, f"a number from {low} to {high}")
        return float(value)

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        value = self._get(key)
        if value not in choices:
            raise self._fail(key, value, "one of " + ", ".join(choices))
        return str(value)

    def string_list(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self._fail(key, value, 'a non-empty list of texts, e.g. ["nl", "en"]')
        return tuple(value)

    def timezone(self, key: str) -> ZoneInfo:
        value = self._get(key)
        try:
            return ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail(key, value, 'an IANA time zone such as "Europe/Amsterdam"') from None

    def window(self, key: str) -> SendWindow:
        value = self._get(key)
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(value))
        try:
            if not match:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            return SendWindow(start=time(h1, m1), end=time(h2, m2))
        except ValueError:
            raise self._fail(key, value, 'a window "HH:MM-HH:MM" within one day, start before end') from None

    def days(self, key: str) -> frozenset[int]:
        value = self._get(key)
        days: set[int] = set()
        try:
            if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", value):
                low, high = (int(part) for part in value.split("-"))
                days = set(range(low, high + 1))
            elif isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                days = set(value)
            else:
                raise ValueError
        except ValueError:
            days = set()
        if not days or not all(1 <= d <= 28 for d in days):
            raise self._fail(key, value, 'days between 1 and 28, as "1-25" or a list like [1, 5, 15]')
        return frozenset(days)

    def database_url(self, key: str) -> str:
        value = self.text(key)
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise self._fail(key, value, "a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL")
        return value

    def reject_unknown(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise ConfigError(
                f"unknown setting {self.name}.{unknown[0]}; known keys in [{self.name}]: {', '.join(sorted(self.used))}"
            )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None


def _merge(base: dict[str, Any], override: Mapping[str, Any], known: Mapping[str, Any]) -> None:
    for section, table in override.items():
        if section not in known or not isinstance(table, Mapping):
            raise ConfigError(f"unknown section [{section}]; known sections: {', '.join(known)}")
        base[section] = {**base[section], **table}


def _from_environment(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
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
