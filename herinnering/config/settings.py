"""All settings: one frozen value with one field per section of config/default.toml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from herinnering.config import (
    changes,
    conversations,
    database,
    dispatch,
    experiments,
    ladder,
    lawful,
    logging,
    organisation,
    payments,
    privacy,
    reminders,
    returns,
    security,
    segments,
    self_service,
    server,
    twilio,
    whatsapp,
)
from herinnering.config.loading import (
    default_data,
    from_environment,
    merge,
    read_toml,
    secrets_from_files,
)
from herinnering.config.validator import Section
from herinnering.domain.experiments.experiments import Experiment


@dataclass(frozen=True)
class Settings:
    """The field names are the section names: `settings.lawful` is `[lawful]`."""

    organisation: organisation.OrganisationSettings
    reminders: reminders.ReminderSettings
    dispatch: dispatch.DispatchSettings
    twilio: twilio.TwilioSettings
    server: server.ServerSettings
    database: database.DatabaseSettings
    payments: payments.PaymentSettings
    experiments: tuple[Experiment, ...]  # [experiments.<key>] tables (domain/experiments/experiments.py)
    conversations: conversations.ConversationSettings
    ladder: ladder.LadderSettings
    lawful: lawful.LawfulSettings
    whatsapp: whatsapp.WhatsAppSettings
    returns: returns.ReturnsSettings
    self_service: self_service.SelfServiceSettings
    segments: segments.SegmentSettings
    security: security.SecuritySettings
    privacy: privacy.PrivacySettings
    logging: logging.LoggingSettings
    changes: changes.ChangeFeedSettings

    def with_database(self, url: str) -> Settings:
        return replace(self, database=replace(self.database, url=url))

    def with_twilio(self, **changes: str) -> Settings:
        return replace(self, twilio=replace(self.twilio, **changes))

    def with_server(self, **changes: Any) -> Settings:
        return replace(self, server=replace(self.server, **changes))


def load_settings(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the operator's file, then the environment; validated."""
    environ = os.environ if environ is None else environ
    environ = secrets_from_files(environ)  # TWILIO_AUTH_TOKEN_FILE=/run/secrets/… …
    data = default_data()
    path = path or environ.get("HERINNERING_CONFIG")
    if path:
        merge(data, read_toml(Path(path)))
    merge(data, from_environment(environ))
    return parse_settings(data)


def settings_with(overrides: Mapping[str, Mapping[str, Any]]) -> Settings:
    """The defaults with some keys changed, as an operator's file would: for tests and tools."""
    data = default_data()
    merge(data, overrides)
    return parse_settings(data)


def parse_settings(data: Mapping[str, Any]) -> Settings:
    """Every section of `data` (defaults already merged in) through its module's `parse`."""
    sections = {name: Section.of(data, name) for name in Settings.__dataclass_fields__}
    s = sections.__getitem__
    reminder_settings = reminders.parse(s("reminders"))
    settings = Settings(
        organisation=organisation.parse(s("organisation")),
        reminders=reminder_settings,
        dispatch=dispatch.parse(s("dispatch")),
        twilio=twilio.parse(s("twilio")),
        server=server.parse(s("server")),
        database=database.parse(s("database")),
        payments=payments.parse(s("payments")),
        experiments=experiments.parse(s("experiments")),
        conversations=conversations.parse(s("conversations"), reminder_settings.timezone),
        ladder=ladder.parse(s("ladder")),
        lawful=lawful.parse(s("lawful")),
        whatsapp=whatsapp.parse(s("whatsapp"), reminder_settings.languages),
        returns=returns.parse(s("returns")),
        self_service=self_service.parse(s("self_service")),
        segments=segments.parse(s("segments")),
        security=security.parse(s("security")),
        privacy=privacy.parse(s("privacy")),
        logging=logging.parse(s("logging")),
        changes=changes.parse(s("changes")),
    )
    for section in sections.values():
        section.reject_unknown()
    return settings
