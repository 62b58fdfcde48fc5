"""The configuration package: defaults only in config/default.toml, one module per section,
and every wrong value named by its section and key."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Any

import pytest

import herinnering.config
from herinnering.config import Settings, default_data, settings_with
from herinnering.errors import ConfigError

MODULES = [importlib.import_module(f"herinnering.config.{info.name}")
           for info in pkgutil.iter_modules(herinnering.config.__path__)]


def _settings_classes() -> list[type]:
    return [value for module in MODULES for value in vars(module).values()
            if dataclasses.is_dataclass(value) and isinstance(value, type) and value.__module__ == module.__name__]


def test_the_settings_dataclasses_carry_no_defaults_of_their_own() -> None:
    classes = _settings_classes()
    assert len(classes) >= 20  # one (or two) per section, and Settings itself
    with_default = [f"{cls.__name__}.{field.name}" for cls in classes for field in dataclasses.fields(cls)
                    if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING]
    assert with_default == []


def test_each_section_of_the_defaults_has_its_own_module_and_field() -> None:
    sections = set(default_data())
    assert sections == set(Settings.__dataclass_fields__)
    assert sections <= {module.__name__.rpartition(".")[2] for module in MODULES}


def _wrong(value: Any) -> Any:
    """A value of the wrong kind for a key whose default is `value`."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return "many"
    if isinstance(value, str):
        return 12345
    return 42  # for lists and tables


EVERY_KEY = [(section, key) for section, table in default_data().items() for key in table]


@pytest.mark.parametrize(("section", "key"), EVERY_KEY, ids=[f"{s}.{k}" for s, k in EVERY_KEY])
def test_a_wrong_value_for_any_key_names_its_section_and_key(section: str, key: str) -> None:
    wrong = _wrong(default_data()[section][key])
    with pytest.raises(ConfigError) as caught:
        settings_with({section: {key: wrong}})
    assert f"{section}.{key}" in str(caught.value)


def test_every_key_is_tried() -> None:
    assert len(EVERY_KEY) > 100 and ("ladder", "steps") in EVERY_KEY and ("lawful", "municipalities") in EVERY_KEY


@pytest.mark.parametrize("section", sorted(set(default_data()) - {"experiments"}))
def test_a_key_left_out_of_the_defaults_is_missing_not_silently_defaulted(section: str) -> None:
    data = default_data()
    key = next(iter(data[section]))
    del data[section][key]
    with pytest.raises(ConfigError, match=rf"^{section}\.{key} is missing"):
        herinnering.config.parse_settings(data)


@pytest.mark.parametrize(("overrides", "named"), [
    ({"lawful": {"municipalities": {"Utrecht": {"amount_eur": "veel"}}}}, "lawful.municipalities.Utrecht.amount_eur"),
    ({"lawful": {"window": {"days": 30, "both": 1}}}, "lawful.window.both"),
    ({"segments": {"cadence": {"4": {"extra_lead_days": "7"}}}}, "segments.cadence.4.extra_lead_days"),
    ({"returns": {"actions": {"AM04": "twice"}}}, "returns.actions"),
    ({"conversations": {"keywords_stop": ["start"]}}, "conversations.keywords_"),
    ({"privacy": {"proof_retention_months": 12}}, "privacy.proof_retention_months"),
    ({"reminders": {"send_window": "20:00-10:00"}}, "reminders.send_window"),
    ({"conversations": {"office_hours": "17:00-08:30"}}, "conversations.office_hours"),
])
def test_a_rule_over_several_values_names_the_key_too(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_with(overrides)
    assert str(caught.value).startswith(named)
