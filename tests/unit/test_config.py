from __future__ import annotations

from pathlib import Path

import pytest

from herinnering.config import load_settings
from herinnering.errors import ConfigError


def test_defaults_load_without_any_configuration() -> None:
    settings = load_settings(environ={})
    assert settings.reminders.timezone.key == "Europe/Amsterdam"
    assert settings.reminders.lead_days == 3
    assert (settings.reminders.window.start.hour, settings.reminders.window.end.hour) == (10, 20)
    assert settings.reminders.collection_days == frozenset(range(1, 26))
    assert settings.database.url == "sqlite+aiosqlite:///herinnering.db"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        # each wrong value names the key and what is allowed
        ("HERINNERING_REMINDERS__LEAD_DAYS", "0", "reminders.lead_days: 0 is not allowed; expected a whole number from 1 to 28"),
        ("HERINNERING_REMINDERS__LEAD_DAYS", "drie", "reminders.lead_days: 'drie'"),
        ("HERINNERING_REMINDERS__SEND_WINDOW", '"22:00-07:00"', "reminders.send_window"),
        ("HERINNERING_REMINDERS__SEND_WINDOW", '"10-20"', 'a window "HH:MM-HH:MM"'),
        ("HERINNERING_REMINDERS__COLLECTION_DAYS", '"1-31"', "days between 1 and 28"),
        ("HERINNERING_REMINDERS__TIMEZONE", '"Europe/Amsterdm"', "an IANA time zone"),
        ("HERINNERING_REMINDERS__DEFAULT_LANGUAGE", '"de"', "one of nl, en, tr, ar, pl"),
        ("HERINNERING_DISPATCH__RATE_PER_SECOND", "-1", "dispatch.rate_per_second"),
        ("HERINNERING_DATABASE_URL", "mysql://x", "a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL"),
        ("TWILIO_ACCOUNT_SID", "AC123", "twilio.account_sid: 'AC123' is not allowed; expected AC followed by 32 hex digits"),
        ("TWILIO_FROM", "Woonstichting De Linde", "an alphanumeric sender of at most 11 characters"),
        ("HERINNERING_REMINDERS__LEADDAYS", "3", "unknown setting reminders.leaddays"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_the_key(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={variable: value})
    assert message in str(caught.value)


def test_environment_overrides_the_file_and_the_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "corporation.toml"
    path.write_text('[reminders]\nlead_days = 5\ncollection_days = [1, 5, 10]\n[dispatch]\nrate_per_second = 2\n')
    settings = load_settings(path, environ={
        "HERINNERING_DISPATCH__RATE_PER_SECOND": "4.5",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM": "DeLinde",
    })
    assert settings.reminders.lead_days == 5
    assert settings.reminders.collection_days == frozenset({1, 5, 10})
    assert settings.dispatch.rate_per_second == 4.5
    assert settings.twilio.require().sms_from == "DeLinde"


def test_sending_without_twilio_credentials_names_the_variable_to_set() -> None:
    with pytest.raises(ConfigError, match="TWILIO_ACCOUNT_SID"):
        load_settings(environ={}).twilio.require()


def test_a_missing_or_broken_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[reminders\n")
    with pytest.raises(ConfigError, match="broken.toml is not valid TOML"):
        load_settings(broken, environ={})
