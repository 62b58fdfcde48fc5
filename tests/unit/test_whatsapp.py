"""WhatsApp's rules without a database: the window, the form of a message, the fallback after
a failure, the template registry and the fake's content rendering."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.adapters.templates import MessageTemplates
from herinnering.config import load_settings
from herinnering.config.whatsapp import load_registry
from herinnering.domain.conversations.keywords import Intent, keyword_rules
from herinnering.domain.reminders.whatsapp import (
    ChannelFacts,
    Form,
    after_failure,
    choose_form,
    parse_registry,
    sms_allowed,
    window_open,
)
from herinnering.errors import ConfigError
from herinnering.fakes.twilio_content import ContentError, FakeContent
from herinnering.resources import config_dir, templates_dir
from herinnering.services.reminders.whatsapp_check import check_registry

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
LANGUAGES = ("nl", "en", "tr", "ar", "pl")
REMINDER = ChannelFacts(planned="whatsapp", preference=None, opted_in=True, whatsapp_sender=True, last_inbound=None,
                        has_template=True)


@given(st.datetimes(timezones=st.just(UTC)), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)))
def test_the_window_is_open_for_exactly_24_hours_after_the_last_inbound_message(last: datetime, age: timedelta) -> None:
    try:
        now = last + age
    except OverflowError:
        return
    assert window_open(last, now) is (age < timedelta(hours=24))
    assert window_open(None, now) is False


@pytest.mark.parametrize(
    ("facts", "form", "reason"),
    [
        (REMINDER, Form.TEMPLATE, "outside the 24-hour window: approved template"),
        (replace(REMINDER, last_inbound=NOW - timedelta(hours=3)), Form.SESSION, "inside the 24-hour window"),
        (replace(REMINDER, last_inbound=NOW - timedelta(hours=24)), Form.TEMPLATE,  # closed at exactly 24 hours
         "outside the 24-hour window: approved template"),
        (replace(REMINDER, opted_in=False), Form.SMS, "no WhatsApp opt-in"),
        (replace(REMINDER, opted_in=False, last_inbound=NOW), Form.SMS, "no WhatsApp opt-in"),  # a reminder needs it
        (replace(REMINDER, opted_in=False, last_inbound=NOW, reply=True), Form.SESSION,  # an answer does not
         "inside the 24-hour window"),
        (replace(REMINDER, has_template=False), Form.SMS,
         "outside the 24-hour window and no approved template for this message"),
        (replace(REMINDER, variables_complete=False), Form.SMS,
         "outside the 24-hour window and a template variable is empty"),
        (replace(REMINDER, whatsapp_sender=False), Form.SMS, "no WhatsApp sender configured"),
        (replace(REMINDER, preference="sms"), Form.SMS, "the tenant's channel is SMS"),  # the tenant's choice wins
        (replace(REMINDER, planned="sms", preference="whatsapp"), Form.TEMPLATE,
         "outside the 24-hour window: approved template"),
        (replace(REMINDER, fallback=True), Form.SMS, "fallback after a WhatsApp failure"),
    ],
)
def test_the_form_of_a_message_follows_the_window_the_opt_in_and_the_registry(
    facts: ChannelFacts, form: Form, reason: str,
) -> None:
    choice = choose_form(facts, NOW)
    assert (choice.form, choice.reason) == (form, reason)
    assert choice.channel == ("sms" if form is Form.SMS else "whatsapp")


@pytest.mark.parametrize(
    ("code", "channel", "policy", "allowed", "is_fallback", "action"),
    [
        (63016, "whatsapp", "sms", True, False, "sms"),    # outside the window: SMS instead
        (63003, "whatsapp", "sms", True, False, "sms"),    # not a WhatsApp user
        (63016, "whatsapp", "sms", False, False, "task"),  # SMS not allowed: a person
        (63016, "whatsapp", "task", True, False, "task"),  # configured: always a person
        (63016, "whatsapp", "sms", True, True, "none"),    # the fallback itself failed: never again
        (30003, "whatsapp", "sms", True, False, "none"),   # a handset problem SMS would not fix
        (63016, "sms", "sms", True, False, "none"),        # a failed SMS is not retried as SMS
    ],
)
def test_after_a_whatsapp_failure_one_fallback_at_most(
    code: int, channel: str, policy: str, allowed: bool, is_fallback: bool, action: str,
) -> None:
    decision = after_failure(code, channel=channel, policy=policy, sms_allowed=allowed, is_fallback=is_fallback)
    assert decision.action == action


def test_sms_needs_a_mobile_number_and_no_opt_out() -> None:
    assert sms_allowed("+31612345678", opted_out=False)
    assert not sms_allowed("+31612345678", opted_out=True)
    assert not sms_allowed("+31201234567", opted_out=False)  # a Dutch landline
    assert not sms_allowed("", opted_out=False)


def shipped() -> dict[str, object]:
    with (config_dir() / "whatsapp-templates.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_the_shipped_registry_covers_every_kind_and_language() -> None:
    registry = parse_registry(shipped(), LANGUAGES, ("pre_debit", "officer_reply"))
    entry, sid = registry.find("pre_debit", "ar") or (None, None)
    assert entry is not None and sid == entry.content["ar"]
    assert entry.content_variables({"name": " Anna  de Vries ", "debit_date": "dinsdag 1 december", "amount": "€ 1"}) \
        == {"1": "Anna de Vries", "2": "dinsdag 1 december", "3": "€ 1"}
    assert [title for _, title in registry.button_titles(entry, "nl")] == ["Betaallink", "Bel mij", "Ik heb al betaald"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["templates"]["pre_debit"]["content"].pop("pl"), "templates.pre_debit: no ContentSid for language 'pl'"),
        (lambda d: d["templates"].pop("officer_reply"), "no approved template for officer_reply"),
        (lambda d: d["templates"]["pre_debit"]["content"].update(nl="SM123"), "is not a ContentSid"),
        (lambda d: d["templates"]["pre_debit"].update(buttons=["pay_now"]), "templates.pre_debit.buttons"),
        (lambda d: d["buttons"]["paid"].update(nl="Ik heb het bedrag al betaald"), "buttons.paid.nl"),
        (lambda d: d["templates"]["payment_link"]["content"].update(
            nl=d["templates"]["pre_debit"]["content"]["nl"]), "is also used by pre_debit/nl"),
    ],
)
def test_a_registry_with_a_missing_or_wrong_entry_stops_start_up(tmp_path: Path, change: object, message: str) -> None:
    data = shipped()
    change(data)  # type: ignore[operator]
    path = tmp_path / "whatsapp-templates.toml"
    path.write_text(_toml(data))
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_registry(path, LANGUAGES)


def test_the_configuration_names_a_missing_registry_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[whatsapp]\ntemplates = "nowhere.toml"\n')
    with pytest.raises(ConfigError, match="whatsapp.templates: .*nowhere.toml does not exist"):
        load_settings(config, environ={})


def test_templates_check_reports_registry_variables_that_do_not_match_the_text() -> None:
    settings = load_settings(environ={})
    registry = settings.whatsapp.registry
    entry = registry.entries["pre_debit"]
    extra = replace(registry, entries={"pre_debit": replace(entry, variables=(*entry.variables, "contract_id"))})
    problems = {row.language: row.problem for row in check_registry(templates_dir(), settings, extra)}
    assert problems["nl"] == "registry variable contract_id is not in the WhatsApp text"
    short = replace(registry, entries={"pre_debit": replace(entry, variables=("name", "amount"))})
    problems = {row.language: row.problem for row in check_registry(templates_dir(), settings, short)}
    assert problems["en"] == "the WhatsApp text needs debit_date, not among the registry's variables"
    fine = {row.problem for row in check_registry(templates_dir(), settings)}
    assert fine == {None}


def test_the_fake_renders_a_content_template_from_its_variables_as_twilio_does() -> None:
    content = FakeContent("HX" + "0" * 32, "Hallo {{1}}, op {{2}}: {{1}}")
    assert content.render('{"1": "Anna", "2": "maandag"}') == "Hallo Anna, op maandag: Anna"
    for raw in ('{"1": "Anna"}', '{"1": "Anna", "2": ""}', "not json", "[1, 2]"):
        with pytest.raises(ContentError) as failure:
            content.render(raw)
        assert failure.value.code == 21656


def test_the_approved_text_is_our_whatsapp_text_with_placeholders() -> None:
    from herinnering.adapters.whatsapp_content import approved_text

    settings = load_settings(environ={})
    entry = settings.whatsapp.registry.entries["pre_debit"]
    text = approved_text(MessageTemplates(templates_dir()), entry, "nl", settings)
    assert text.startswith("Hallo {{1}}, op {{2}} schrijven wij de huur af: {{3}}.")
    assert "020 123 4567" in text  # the corporation's own details are part of the approved text


@pytest.mark.parametrize(
    ("body", "payload", "intent"),
    [
        ("Ik heb al betaald", "paid", Intent.PAID),
        ("Bel mij", "call_me", Intent.CALL_ME),
        ("Betaallink", "pay_link", Intent.PAY_LINK),
        ("SMS", None, Intent.CHANNEL_SMS),
        ("  WhatsApp! ", None, Intent.CHANNEL_WHATSAPP),
        ("Stuur het maar via whatsapp", None, Intent.OTHER),  # only the whole message is a keyword
    ],
)
def test_buttons_and_channel_words_are_keywords(body: str, payload: str | None, intent: Intent) -> None:
    assert keyword_rules().classify(body, payload) is intent


def _toml(data: dict[str, object]) -> str:
    """A small TOML writer for the registry's shape (tables of strings and string lists)."""
    lines = ["[buttons]"]
    for payload, titles in data["buttons"].items():  # type: ignore[attr-defined]
        lines.append(f"{payload} = {{ " + ", ".join(f'{k} = "{v}"' for k, v in titles.items()) + " }")
    for kind, entry in data["templates"].items():  # type: ignore[attr-defined]
        lines.append(f"[templates.{kind}]")
        lines.append("variables = [" + ", ".join(f'"{v}"' for v in entry["variables"]) + "]")
        lines.append("buttons = [" + ", ".join(f'"{v}"' for v in entry.get("buttons", [])) + "]")
        lines.append(f"[templates.{kind}.content]")
        lines.extend(f'{k} = "{v}"' for k, v in entry["content"].items())
    return "\n".join(lines) + "\n"
