"""Experiments on message wording, as validated values: which kind, which variants, for how long.

An experiment tests the text of one message kind (the pre-debit reminder, a payment-link
message, a ladder step). Each variant names the message template it sends (the `<name>` of
`templates/messages/<lang>/<name>.<channel>.j2`) and its share of the traffic; one variant is
the control (the wording in use today). A tenant's variant follows from the pure hash in
`domain.assignment`, and only `running` experiments assign new messages; a `stopped` one
keeps its data for the report, a `draft` one does nothing.

Definitions come from configuration (the `[experiments.<key>]` tables, see
config/default.toml); `parse_experiments` validates them and names the key of any mistake. It
refuses GrowthBook's version-1 hash (similar seeds give correlated splits) and a seed shared by
two experiments (their splits would coincide: every tenant in B of one is in B of the other).
Two live experiments on one message kind must share a namespace and take disjoint parts of it
(`namespace = "pre_debit"`, `namespace_range = [0.0, 0.5]`): a tenant is then in at most one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from herinnering.domain.experiments.assignment import bucket_ranges, choose, gbhash
from herinnering.errors import ConfigError

__all__ = ["Experiment", "Guardrail", "Metric", "Status", "Variant", "check_together", "parse_experiments", "parse_one"]

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_TEMPLATE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")


class Metric(StrEnum):
    """What counts as a conversion."""

    PAID_BY_DEBIT_DATE = "paid_by_debit_date"  # paid on or before the debit date (pre-debit reminders)
    PAID_WITHIN_DAYS = "paid_within_days"  # paid within `metric_days` of the message (link messages)


class Guardrail(StrEnum):
    """What must not get worse while the wording gets better."""

    OPT_OUT_RATE = "opt_out_rate"  # tenants who said STOP after the message
    OFFICER_REPLIES = "officer_reply_share"  # tenants whose reply needed an officer (tasks reply_needed)


class Status(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Variant:
    name: str
    template: str
    weight: float


@dataclass(frozen=True)
class Experiment:
    key: str
    title: str
    kind: str
    status: Status
    start: date
    stop: date | None  # exclusive; None: until stopped
    variants: tuple[Variant, ...]
    control: str
    metric: Metric
    metric_days: int
    guardrails: tuple[Guardrail, ...]
    planned_sample_size: int  # exposures over all variants at which the result may be read; 0: not planned
    coverage: float = 1.0
    seed: str = ""
    hash_version: int = 2
    alpha: float = 0.05
    power: float = 0.8
    return_days: int = 5  # a debit returned within this many days of the payment undoes it
    target_uplift: float = 0.03  # the smallest uplift worth finding (power: "N more tenants")
    correction: str = "holm"  # with several treatments: holm or bh
    namespace: str = ""
    namespace_range: tuple[float, float] = (0.0, 1.0)

    @property
    def hash_seed(self) -> str:
        return self.seed or self.key

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(v.weight for v in self.variants)

    def variant(self, name: str) -> Variant | None:
        return next((v for v in self.variants if v.name == name), None)

    def in_window(self, day: date) -> bool:
        return self.start <= day and (self.stop is None or day < self.stop)

    def assigns(self, kind: str, day: date) -> bool:
        """Whether a new message of `kind` sent on `day` takes part (running experiments only)."""
        return self.status is Status.RUNNING and self.kind == kind and self.in_window(day)

    def records(self, kind: str, day: date) -> bool:
        """Whether a sent message of `kind` planned for `day` counts (running or stopped)."""
        return self.status is not Status.DRAFT and self.kind == kind and self.in_window(day)

    @cached_property
    def ranges(self) -> tuple[tuple[float, float], ...]:
        """The variants' bucket ranges (computed once: planning asks millions of times)."""
        return tuple(bucket_ranges(len(self.variants), self.coverage, self.weights))

    def in_namespace(self, tenant_key: str) -> bool:
        """Whether the tenant falls in this experiment's part of its namespace (always, without one)."""
        if not self.namespace:
            return True
        n = gbhash(f"__{self.namespace}", tenant_key, 2)
        return n is not None and self.namespace_range[0] <= n < self.namespace_range[1]

    def assign(self, tenant_key: str) -> Variant | None:
        """The variant for a tenant's contract id, or None when outside the coverage or namespace."""
        if not self.in_namespace(tenant_key):
            return None
        n = gbhash(self.hash_seed, tenant_key, self.hash_version)
        if n is None:
            return None
        index = choose(n, self.ranges)
        return self.variants[index] if index >= 0 else None


def parse_experiments(data: Any) -> tuple[Experiment, ...]:
    """Validate the `[experiments]` table; every error names the key (experiments.<key>.<field>)."""
    if not isinstance(data, Mapping):
        raise ConfigError("[experiments] must be a table of experiments, e.g. [experiments.pre_debit_wording]")
    found = tuple(_parse_one(str(key), table) for key, table in data.items())
    _reject_shared_seeds(found)
    _reject_overlaps(found)
    return found


_FIELDS = {
    "title", "kind", "status", "start", "stop", "variants", "control", "metric", "metric_days",
    "guardrails", "planned_sample_size", "coverage", "seed", "hash_version", "alpha", "power",
    "return_days", "target_uplift", "correction", "namespace", "namespace_range",
}


def _parse_one(key: str, table: Any) -> Experiment:
    where = f"experiments.{key}"
    if not _NAME.fullmatch(key):
        raise ConfigError(f"{where}: the key must be lower-case letters, digits, _ or - (at most 32)")
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table of settings")
    unknown = sorted(set(table) - _FIELDS)
    if unknown:
        raise ConfigError(f"unknown setting {where}.{unknown[0]}; known: {', '.join(sorted(_FIELDS))}")

    def fail(field: str, allowed: str) -> ConfigError:
        return ConfigError(f"{where}.{field}: {table.get(field)!r} is not allowed; expected {allowed}")

    def number(field: str, default: float, low: float, high: float) -> float:
        value = table.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise fail(field, f"a number from {low} to {high}")
        return float(value)

    def integer(field: str, default: int, low: int, high: int) -> int:
        value = table.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise fail(field, f"a whole number from {low} to {high}")
        return value

    def day(field: str, required: bool) -> date | None:
        value = table.get(field)
        if value is None and not required:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise fail(field, "a date such as 2027-01-01") from None
        if isinstance(value, date):
            return value
        raise fail(field, "a date such as 2027-01-01")

    kind = table.get("kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise fail("kind", 'a message kind such as "pre_debit"')
    try:
        status = Status(table.get("status", "draft"))
    except ValueError:
        raise fail("status", "one of " + ", ".join(s.value for s in Status)) from None
    start = day("start", required=True)
    assert start is not None
    stop = day("stop", required=False)
    if stop is not None and stop <= start:
        raise fail("stop", f"a date after start ({start})")
    variants = _parse_variants(where, table.get("variants"))
    control = table.get("control", variants[0].name)
    if control not in {v.name for v in variants}:
        raise fail("control", "the name of one of the variants: " + ", ".join(v.name for v in variants))
    try:
        metric = Metric(table.get("metric", Metric.PAID_BY_DEBIT_DATE.value))
    except ValueError:
        raise fail("metric", "one of " + ", ".join(m.value for m in Metric)) from None
    guardrails_raw = table.get("guardrails", [g.value for g in Guardrail])
    try:
        if not isinstance(guardrails_raw, list):
            raise ValueError
        guardrails = tuple(Guardrail(g) for g in guardrails_raw)
    except ValueError:
        raise fail("guardrails", "a list of " + ", ".join(g.value for g in Guardrail)) from None
    title = table.get("title", key)
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        raise fail("title", "a non-empty text of at most 120 characters")
    seed = table.get("seed", "")
    if not isinstance(seed, str) or len(seed) > 64:
        raise fail("seed", "a text of at most 64 characters (empty: the key)")
    if table.get("hash_version", 2) != 2:
        raise ConfigError(f"{where}.hash_version: {table.get('hash_version')!r} is refused; only 2 is allowed "
                          "(version 1 gives experiments with similar seeds correlated splits)")
    hash_version = 2
    correction = table.get("correction", "holm")
    if correction not in ("holm", "bh"):
        raise fail("correction", '"holm" or "bh"')
    namespace = table.get("namespace", "")
    if not isinstance(namespace, str) or (namespace and not _NAME.fullmatch(namespace)):
        raise fail("namespace", "a name of lower-case letters, digits, _ or -")
    raw_range = table.get("namespace_range", [0.0, 1.0])
    if (not isinstance(raw_range, list) or len(raw_range) != 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in raw_range)
            or not 0 <= raw_range[0] < raw_range[1] <= 1):
        raise fail("namespace_range", "two numbers [start, end] with 0 <= start < end <= 1")
    return Experiment(
        key=key, title=title.strip(), kind=kind, status=status, start=start, stop=stop,
        variants=variants, control=str(control), metric=metric,
        metric_days=integer("metric_days", 5, 1, 60), guardrails=guardrails,
        planned_sample_size=integer("planned_sample_size", 0, 0, 10_000_000),
        coverage=number("coverage", 1.0, 0.01, 1.0), seed=seed, hash_version=hash_version,
        alpha=number("alpha", 0.05, 0.001, 0.2), power=number("power", 0.8, 0.5, 0.99),
        return_days=integer("return_days", 5, 0, 60), target_uplift=number("target_uplift", 0.03, 0.001, 0.5),
        correction=correction, namespace=namespace, namespace_range=(float(raw_range[0]), float(raw_range[1])),
    )


def _parse_variants(where: str, raw: Any) -> tuple[Variant, ...]:
    field = f"{where}.variants"
    if not isinstance(raw, Mapping) or len(raw) < 2:
        raise ConfigError(
            f"{field} must be a table of at least two variants, e.g. "
            '{ control = { template = "pre_debit", weight = 0.5 }, kind = { template = "pre_debit_kind", weight = 0.5 } }'
        )
    variants: list[Variant] = []
    for name, spec in raw.items():
        here = f"{field}.{name}"
        if not _NAME.fullmatch(str(name)):
            raise ConfigError(f"{here}: a variant name must be lower-case letters, digits, _ or - (at most 32)")
        if not isinstance(spec, Mapping) or set(spec) - {"template", "weight"}:
            raise ConfigError(f"{here} must be a table with template and weight")
        template = spec.get("template")
        if not isinstance(template, str) or not _TEMPLATE.fullmatch(template):
            raise ConfigError(f"{here}.template: {template!r} is not allowed; expected a template name such as "
                              '"pre_debit_kind" (templates/messages/<lang>/<name>.<channel>.j2)')
        weight = spec.get("weight", 1.0 / len(raw))
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise ConfigError(f"{here}.weight: {weight!r} is not allowed; expected a share between 0 and 1")
        variants.append(Variant(name=str(name), template=template, weight=float(weight)))
    total = sum(v.weight for v in variants)
    if abs(total - 1.0) > 0.001:
        raise ConfigError(f"{field}: the weights add up to {total:g}; they must add up to 1")
    return tuple(variants)


def _reject_shared_seeds(experiments: tuple[Experiment, ...]) -> None:
    seen: dict[str, str] = {}
    for e in experiments:
        if e.hash_seed in seen:
            raise ConfigError(f"experiments.{e.key}.seed: {e.hash_seed!r} is also the seed of "
                              f"experiments.{seen[e.hash_seed]}; each experiment needs its own seed")
        seen[e.hash_seed] = e.key


def _reject_overlaps(experiments: tuple[Experiment, ...]) -> None:
    """Two live experiments on one kind at the same time would fight over the same messages,
    unless one namespace splits the tenants between them."""
    live = [e for e in experiments if e.status is not Status.DRAFT]
    for i, first in enumerate(live):
        for second in live[i + 1:]:
            if first.kind != second.kind:
                continue
            first_ends = first.stop or date.max
            second_ends = second.stop or date.max
            if not (first.start < second_ends and second.start < first_ends):
                continue
            if first.namespace and first.namespace == second.namespace:
                (a_low, a_high), (b_low, b_high) = first.namespace_range, second.namespace_range
                if a_high <= b_low or b_high <= a_low:
                    shared = {v.name for v in first.variants} & {v.name for v in second.variants}
                    if not shared:
                        continue
                    raise ConfigError(
                        f"experiments.{second.key}.variants: {sorted(shared)[0]!r} is also a variant of "
                        f"experiments.{first.key}; variants in one namespace need distinct names")
                raise ConfigError(
                    f"experiments.{second.key}.namespace_range: overlaps that of experiments.{first.key} "
                    f"in namespace {first.namespace!r}; give them disjoint ranges")
            raise ConfigError(
                f"experiments.{second.key}: overlaps experiments.{first.key} on kind {first.kind!r}; "
                "give them separate start/stop dates, one namespace with disjoint namespace_range, "
                "or set one to status = \"draft\""
            )


def parse_one(key: str, table: Mapping[str, Any]) -> Experiment:
    """One experiment from a table shaped like `[experiments.<key>]` (the team lead's form)."""
    return _parse_one(key, table)


def check_together(experiments: tuple[Experiment, ...]) -> None:
    """The rules between experiments: no shared seed, no overlap outside one namespace."""
    _reject_shared_seeds(experiments)
    _reject_overlaps(experiments)
