"""Template categories in the WhatsApp registry: a reminder kind may not be a marketing template,
and one the provider re-classed as marketing is not used."""

from __future__ import annotations

import tomllib

import pytest

from herinnering.config.whatsapp import REQUIRED_KINDS
from herinnering.domain.reminders.whatsapp import parse_registry
from herinnering.resources import config_dir

LANGUAGES = ("nl", "en", "tr", "ar", "pl")


def shipped() -> dict:
    with (config_dir() / "whatsapp-templates.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_every_shipped_template_is_utility_and_usable() -> None:
    registry = parse_registry(shipped(), LANGUAGES, REQUIRED_KINDS)
    assert {e.category for e in registry.entries.values()} == {"utility"}
    assert registry.find("pre_debit", "nl") is not None


@pytest.mark.parametrize("kind", ["pre_debit", "ladder_reminder"])
def test_a_reminder_kind_mapped_to_a_marketing_template_stops_start_up(kind: str) -> None:
    data = shipped()
    data["templates"][kind]["category"] = "marketing"
    with pytest.raises(ValueError, match=f"templates.{kind}: a reminder about rent may not go as a marketing"):
        parse_registry(data, LANGUAGES, REQUIRED_KINDS)


def test_a_template_reclassed_as_marketing_is_no_longer_found() -> None:
    data = shipped()
    data["templates"]["ladder_reminder"]["reclassified"] = "marketing"
    registry = parse_registry(data, LANGUAGES, REQUIRED_KINDS)
    assert registry.find("ladder_reminder", "nl") is None and registry.find("pre_debit", "nl") is not None


def test_an_unknown_category_is_refused() -> None:
    data = shipped()
    data["templates"]["officer_reply"]["category"] = "promo"
    with pytest.raises(ValueError, match="category and reclassified must be one of utility, marketing"):
        parse_registry(data, LANGUAGES, REQUIRED_KINDS)
