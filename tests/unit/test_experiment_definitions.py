"""Experiment definitions in configuration: validated, with the key named in every error; and
the variant templates exist, in every language, kind and cheap."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from herinnering.adapters.templates import MessageTemplates, long_date, money
from herinnering.config import load_settings
from herinnering.domain.experiments.experiments import Metric, Status, parse_experiments
from herinnering.domain.reminders.sms import measure
from herinnering.errors import ConfigError
from herinnering.resources import templates_dir

OPERATOR_FILE = """
[experiments.pre_debit_wording]
title = "Herinnering vooraf: vriendelijke toon"
kind = "pre_debit"
status = "running"
start = 2027-01-01
stop = 2027-04-01
metric = "paid_by_debit_date"
planned_sample_size = 9000
[experiments.pre_debit_wording.variants]
control = { template = "pre_debit", weight = 0.5 }
kind = { template = "pre_debit_kind", weight = 0.5 }
"""


def valid(**changes: object) -> dict[str, object]:
    table: dict[str, object] = {
        "kind": "pre_debit", "status": "running", "start": date(2027, 1, 1), "stop": date(2027, 4, 1),
        "variants": {"control": {"template": "pre_debit", "weight": 0.5},
                     "kind": {"template": "pre_debit_kind", "weight": 0.5}},
    }
    table.update(changes)
    return table


def test_an_experiment_in_the_operators_file_becomes_settings(tmp_path: Path) -> None:
    path = tmp_path / "herinnering.toml"
    path.write_text(OPERATOR_FILE)
    [e] = load_settings(path, environ={}).experiments
    assert (e.key, e.kind, e.status, e.start, e.stop) == ("pre_debit_wording", "pre_debit", Status.RUNNING,
                                                          date(2027, 1, 1), date(2027, 4, 1))
    assert [(v.name, v.template, v.weight) for v in e.variants] == [("control", "pre_debit", 0.5),
                                                                   ("kind", "pre_debit_kind", 0.5)]
    assert e.control == "control" and e.metric is Metric.PAID_BY_DEBIT_DATE and e.hash_seed == "pre_debit_wording"
    assert e.planned_sample_size == 9000 and len(e.guardrails) == 2


def test_the_shipped_defaults_run_no_experiment() -> None:
    assert load_settings(environ={}).experiments == ()


@pytest.mark.parametrize(("table", "named"), [
    (valid(kind="Pre Debit"), "experiments.x.kind"),                         # not a kind name
    (valid(status="live"), "experiments.x.status"),                          # unknown status
    (valid(start="tomorrow"), "experiments.x.start"),                        # not a date
    (valid(stop=date(2026, 12, 1)), "experiments.x.stop"),                   # stops before it starts
    (valid(control="nobody"), "experiments.x.control"),                      # control is not a variant
    (valid(metric="happiness"), "experiments.x.metric"),                     # unknown metric
    (valid(guardrails=["mood"]), "experiments.x.guardrails"),                # unknown guardrail
    (valid(coverage=0), "experiments.x.coverage"),                           # nobody in the experiment
    (valid(variants={"control": {"template": "pre_debit"}}), "experiments.x.variants"),  # one variant only
    (valid(variants={"control": {"template": "pre_debit", "weight": 0.5},
                     "kind": {"template": "pre_debit_kind", "weight": 0.6}}), "experiments.x.variants"),  # 110 %
    (valid(variants={"control": {"template": "pre_debit", "weight": 0.5},
                     "kind": {"template": "../secret", "weight": 0.5}}), "experiments.x.variants.kind.template"),
    (valid(colour="blue"), "experiments.x.colour"),                          # unknown setting
])
def test_a_wrong_definition_names_its_key(table: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(named)):
        parse_experiments({"x": table})


def test_two_live_experiments_on_one_kind_at_the_same_time_are_refused() -> None:
    with pytest.raises(ConfigError, match="experiments.b: overlaps experiments.a"):
        parse_experiments({"a": valid(), "b": valid(start=date(2027, 3, 1), stop=date(2027, 6, 1))})
    # one after the other, or one still a draft, is fine
    assert len(parse_experiments({"a": valid(), "b": valid(start=date(2027, 4, 1), stop=None)})) == 2
    assert len(parse_experiments({"a": valid(), "b": valid(status="draft")})) == 2


def test_only_running_experiments_assign_and_stopped_ones_still_count() -> None:
    [running, stopped, draft] = parse_experiments({
        "r": valid(), "s": valid(status="stopped", start=date(2027, 4, 1), stop=None), "d": valid(status="draft"),
    })
    assert running.assigns("pre_debit", date(2027, 2, 1)) and not running.assigns("pre_debit", date(2027, 4, 1))
    assert not running.assigns("payment_link", date(2027, 2, 1))
    assert not stopped.assigns("pre_debit", date(2027, 5, 1)) and stopped.records("pre_debit", date(2027, 5, 1))
    assert not draft.records("pre_debit", date(2027, 2, 1))


LANGUAGES = ("nl", "en", "tr", "ar", "pl")
FORBIDDEN = re.compile(r"kosten|incasso|deurwaarder|ontruiming|beslag|costs|bailiff|evict|seiz", re.I)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kind_variant_exists_in_every_language_and_costs_no_more_than_the_control(language: str) -> None:
    templates = MessageTemplates(templates_dir())
    context = {"name": "Fatma Yilmaz", "debit_date": long_date(date(2026, 12, 1), language),
               "amount": money(84550, language), "org_phone": "020 123 4567", "org_name": "Woonstichting De Linde"}
    for channel in ("sms", "whatsapp"):  # each against the control on the same channel (Polish SMS drop ą ę ł …)
        control = templates.render("pre_debit", channel, language, context)
        variant = templates.render("pre_debit_kind", channel, language, context)
        assert variant.language == language  # no fallback to Dutch
        assert measure(variant.body).segments <= measure(control.body).segments
        assert "020 123 4567" in variant.body and not FORBIDDEN.search(variant.body)
    if language == "nl":
        assert measure(control.body).encoding == measure(variant.body).encoding == "GSM-7"


def test_the_version_1_hash_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"experiments\.a\.hash_version: 1 is refused"):
        parse_experiments({"a": valid(hash_version=1)})


def test_two_experiments_with_one_seed_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"experiments\.b\.seed: 'same' is also the seed of experiments\.a"):
        parse_experiments({"a": valid(seed="same"), "b": valid(seed="same", kind="link", status="draft")})
    with pytest.raises(ConfigError, match=r"experiments\.b\.seed: 'a' is also the seed"):
        parse_experiments({"a": valid(), "b": valid(seed="a", kind="link")})  # the key is a's seed


def test_overlapping_experiments_on_one_kind_need_one_namespace_with_disjoint_ranges() -> None:
    with pytest.raises(ConfigError, match=r"experiments\.b: overlaps experiments\.a on kind 'pre_debit'"):
        parse_experiments({"a": valid(), "b": valid()})
    other = {"short": {"template": "pre_debit", "weight": 0.5}, "long": {"template": "pre_debit_kind", "weight": 0.5}}
    with pytest.raises(ConfigError, match=r"experiments\.b\.namespace_range: overlaps"):
        parse_experiments({"a": valid(namespace="n", namespace_range=[0, 0.6]),
                           "b": valid(namespace="n", namespace_range=[0.5, 1], variants=other)})
    with pytest.raises(ConfigError, match=r"experiments\.b\.variants: 'control' is also a variant"):
        parse_experiments({"a": valid(namespace="n", namespace_range=[0, 0.5]),
                           "b": valid(namespace="n", namespace_range=[0.5, 1])})
    a, b = parse_experiments({"a": valid(namespace="n", namespace_range=[0, 0.5]),
                              "b": valid(namespace="n", namespace_range=[0.5, 1], variants=other)})
    ids = [f"K{i:05d}" for i in range(4000)]
    in_a = {i for i in ids if a.assign(i) is not None}
    in_b = {i for i in ids if b.assign(i) is not None}
    assert not in_a & in_b and len(in_a | in_b) == 4000  # every tenant in exactly one
    assert abs(len(in_a) - 2000) < 150
