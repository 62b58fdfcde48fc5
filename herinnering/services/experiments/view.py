"""How a report's numbers are written for a team lead: Dutch decimals, words for metrics and
states. The sentences themselves are in templates/web/_experiment_text.j2 (the page and the
command render the same ones); these are the helpers the templates call.
"""

from __future__ import annotations

import math
from typing import Any

from herinnering.domain.experiments.experiments import Experiment, Metric, Status

__all__ = ["helpers", "metric_words"]

STATUS = {Status.DRAFT: "concept", Status.RUNNING: "loopt", Status.STOPPED: "gestopt"}
KINDS = {"pre_debit": "herinnering vóór de incasso", "link": "betaallink", "pre_debit_early": "vroege herinnering"}


def metric_words(experiment: Experiment) -> str:
    """The metric as words: what 'paid' means in this experiment."""
    if experiment.metric is Metric.PAID_WITHIN_DAYS:
        return f"betaald binnen {experiment.metric_days} dagen na het bericht"
    return "betaald op de incassodag"


def number(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".").replace("-", "−")


def points(value: float | None, digits: int = 1) -> str:
    """A difference of proportions in percentage points, signed: "+3,1"."""
    return "–" if value is None else number(value * 100, digits, signed=True)


def percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else number(value * 100, digits)


def interval(ci: Any, digits: int = 1) -> str:
    if ci is None:
        return "–"
    return f"{points(ci.low, digits)} tot {points(ci.high, digits)}"


def p_value(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0,001" if value < 0.001 else number(value, 3)


def chance(value: float | None) -> str:
    """A probability as a whole percentage that never claims certainty: "> 99", "< 1", "87"."""
    if value is None:
        return "–"
    if value >= 0.995:
        return "> 99"
    if value <= 0.005:
        return "< 1"
    return f"{value * 100:.0f}"


def whole(value: int | None) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".")


def helpers(experiment: Experiment) -> dict[str, Any]:
    return {
        "points": points, "percent": percent, "chance": chance, "interval": interval, "p_value": p_value, "whole": whole,
        "number": number, "metric_words": metric_words(experiment), "status_words": STATUS[experiment.status],
        "kind_words": KINDS.get(experiment.kind, experiment.kind),
    }
