"""The [ladder] section: the default ladder, and wrong values stopped with the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from herinnering.config import load_settings
from herinnering.domain.payments.ladder import DEFAULT_LADDER, Action
from herinnering.errors import ConfigError


def test_the_default_configuration_is_the_ladder_of_the_issue() -> None:
    settings = load_settings(environ={})
    assert settings.ladder.ladder == DEFAULT_LADDER
    assert [(s.day, s.action) for s in settings.ladder.ladder.steps] == [
        (1, Action.MESSAGE), (5, Action.MESSAGE), (8, Action.TASK), (14, Action.TASK), (21, Action.MESSAGE)]
    assert settings.ladder.instalment_reminder_days == 2


@pytest.mark.parametrize("steps, key", [
    ('[[ladder.steps]]\nname = "a"\nday = -1\nkind = "payment_link"\n', "ladder.steps[1].day"),
    ('[[ladder.steps]]\nname = "a"\nday = 3\nkind = "x"\n[[ladder.steps]]\nname = "b"\nday = 2\nkind = "y"\n',
     "strictly increasing"),
    ('[[ladder.steps]]\nname = "a"\nday = 3\nkind = "call_tenant"\ntask = true\n', "ladder.steps[1].title"),
    ('[[ladder.steps]]\nname = "a"\nday = 3\nkind = "x"\nmvi = ["bsn"]\n', "ladder.steps[1].mvi"),
    ('[[ladder.steps]]\nname = "a"\nday = 3\nkind = "x"\nwhen = 1\n', "ladder.steps[1]"),
])
def test_a_wrong_ladder_step_names_the_key(tmp_path: Path, steps: str, key: str) -> None:
    config = tmp_path / "mine.toml"
    config.write_text(steps)
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_settings(config, environ={})


def test_reminder_days_outside_the_range_are_refused() -> None:
    with pytest.raises(ConfigError, match="ladder.instalment_reminder_days"):
        load_settings(environ={"HERINNERING_LADDER__INSTALMENT_REMINDER_DAYS": "40"})
