"""Which events reach the ERP, in what shape, and what the push configuration refuses."""

from __future__ import annotations

import pytest

from herinnering.config import settings_with
from herinnering.domain.changes import KINDS, change_data, kept_fields, kind_of
from herinnering.errors import ConfigError


def test_a_day_change_carries_the_month_it_applies_from_and_nothing_else() -> None:
    event = {"change_id": 3, "old_day": 1, "new_day": 20, "effective_period": "2027-01", "source": "page",
             "reason": "incassodag 1 → 20 vanaf 2027-01 (gekozen door de huurder, page)"}
    stored = kept_fields("collection_day_changed", event)
    assert change_data("collection_day_changed", stored, include_notes=False) == {
        "old_day": 1, "new_day": 20, "source": "page", "applies_from": "2027-01", "day_change_id": 3}


def test_free_text_leaves_only_when_agreed() -> None:
    event = {"until": "2027-01-31", "reason": "opname ziekenhuis", "by": "officer@example.org"}
    stored = kept_fields("tenant_paused", event)
    assert "by" not in stored  # never kept: who did it stays in the audit log
    assert change_data("tenant_paused", stored, include_notes=False) == {"until": "2027-01-31"}
    assert change_data("tenant_paused", stored, include_notes=True) == {"until": "2027-01-31",
                                                                        "reason": "opname ziekenhuis"}
    assert change_data("officer_note", {"note": "belt terug"}, include_notes=False) is None
    assert change_data("officer_note", {"note": "belt terug"}, include_notes=True) == {"note": "belt terug"}


def test_internal_events_are_not_changes() -> None:
    for internal in ("message_sent", "message_planned", "experiment_exposed", "inbound_message"):
        assert kind_of(internal) is None and change_data(internal, {}, True) is None
    assert {"collection_day_changed", "arrangement_made", "pause_started", "objection_recorded",
            "contract_ended", "opted_out", "call_recorded"} <= set(KINDS)


@pytest.mark.parametrize(("raw", "named"), [
    ({"webhook_url": "http://erp.example/hook", "webhook_secret": "x" * 20}, "changes.webhook_url"),
    ({"webhook_url": "https://erp.example/hook", "webhook_secret": "short"}, "changes.webhook_secret"),
    ({"max_attempts": 0}, "changes.max_attempts"),
    ({"include_notes": "yes"}, "changes.include_notes"),
    ({"webhook": "https://erp.example"}, "changes.webhook"),
])
def test_an_unsafe_push_setting_stops_start_up_naming_the_key(raw: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        settings_with({"changes": raw})


def test_plain_http_is_allowed_to_a_receiver_on_this_host_only() -> None:
    assert settings_with({"changes": {"webhook_url": "http://127.0.0.1:9000/hook", "webhook_secret": "s" * 16}}).changes.webhook_url
    assert settings_with({"changes": {"webhook_url": "https://erp.example/hook", "webhook_secret": "s" * 16}}).changes.webhook_url
