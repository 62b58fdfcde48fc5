"""The [returns] and [self_service] sections: defaults from default.toml, errors name the key."""

from __future__ import annotations

import pytest

from herinnering.config import load_settings, settings_with
from herinnering.domain.payments.return_reasons import ReturnAction
from herinnering.errors import ConfigError


def test_the_shipped_defaults_follow_the_issue() -> None:
    returns = load_settings(environ={}).returns
    actions = returns.policy.actions
    assert actions["AM04"] is actions["MS03"] is ReturnAction.RECOLLECT
    assert actions["MD06"] is ReturnAction.OBJECTION and actions["MD07"] is ReturnAction.DECEASED
    assert {actions[c] for c in ("AC04", "AC06", "MD01", "SL01")} == {ReturnAction.NEW_MANDATE}
    assert returns.policy.max_recollections == 1 and returns.creditor.iban.startswith("NL")


@pytest.mark.parametrize(("returns", "service", "message"), [
    ({"max_recollections": 3}, {}, "returns.max_recollections: 3"),
    ({"actions": {"AM04": "twice"}}, {}, "AM04 = 'twice'"),
    ({"recolect_after_days": 5}, {}, "unknown setting returns.recolect_after_days"),
    ({"pre_notification_days": 15}, {}, "returns.pre_notification_days: 15"),  # SEPA's default is the most
    ({}, {"keywords_day": []}, "self_service.keywords_day"),
])
def test_a_wrong_value_names_the_key(returns: dict, service: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_with({"returns": returns, "self_service": service})


def test_the_environment_can_change_the_cap() -> None:
    settings = load_settings(environ={"HERINNERING_RETURNS__MAX_RECOLLECTIONS": "2"})
    assert settings.returns.policy.max_recollections == 2
