"""`[experiments.<key>]`: A/B tests of message wording, validated by `domain/experiments/experiments.py`
(its messages name `experiments.<key>.<field>`)."""

from __future__ import annotations

from herinnering.config.validator import Section
from herinnering.domain.experiments.experiments import Experiment, parse_experiments


def parse(s: Section) -> tuple[Experiment, ...]:
    s.used.update(s.values)  # each key is an experiment, checked as a whole below
    return parse_experiments(s.values)
