"""The `[privacy]` terms per kind of data: the shipped defaults, and a proof term shorter than
the message term refused at start-up."""

from __future__ import annotations

import pytest

from herinnering.config import load_settings, settings_with
from herinnering.domain.privacy.retention import KINDS
from herinnering.errors import ConfigError


def test_the_shipped_terms_keep_the_proof_seven_years_and_messages_two() -> None:
    privacy = load_settings(environ={}).privacy
    assert (privacy.retention_months, privacy.proof_retention_months, privacy.consent_retention_months) == (24, 84, 84)
    assert {"letters", "mvi_steps"} <= KINDS["proof"] and "messages" not in KINDS["proof"]


def test_proof_kept_shorter_than_the_messages_is_refused() -> None:
    with pytest.raises(ConfigError, match="proof_retention_months .12. is shorter than retention_months .24."):
        settings_with({"privacy": {"retention_months": 24, "proof_retention_months": 12}})


def test_an_unknown_privacy_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="privacy"):
        settings_with({"privacy": {"message_months": 3}})
