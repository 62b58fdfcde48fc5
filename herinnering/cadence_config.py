"""The `[segments]` section (issue 10): how a tenant's segment steers the pre-debit reminder.

    [segments.cadence.0]
    pre_debit_opt_out = true   # tenants in segment 0 (pays on time) may turn the reminder off themselves
    [segments.cadence.4]
    extra_lead_days = 7        # segment 4 also gets an earlier reminder, 7 days before the normal one

The opt-out stays the tenant's own choice: a per-tenant flag (`pre_debit_opt_outs`), only
honoured while the tenant is in a segment that allows it. A segment not listed keeps today's
single reminder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herinnering.domain.reminders.planning import MAX_LEAD_DAYS
from herinnering.domain.tenants.segments import Segment
from herinnering.errors import ConfigError


@dataclass(frozen=True)
class CadenceSettings:
    opt_out_segments: frozenset[int] = frozenset()                 # segments whose opt-out counts
    extra_lead_days: Mapping[int, int] = field(default_factory=dict)  # segment → days before the normal reminder


CADENCE_DEFAULTS = CadenceSettings()


def parse_cadence(section: Mapping[str, Any] | None) -> CadenceSettings:
    section = section or {}
    unknown = sorted(set(section) - {"cadence"})
    if unknown:
        raise ConfigError(f"unknown setting segments.{unknown[0]}; known keys in [segments]: cadence")
    cadence = section.get("cadence", {})
    if not isinstance(cadence, Mapping):
        raise ConfigError("segments.cadence: a table per segment number, e.g. [segments.cadence.4]")
    opt_out: set[int] = set()
    extra: dict[int, int] = {}
    for key, table in cadence.items():
        path = f"segments.cadence.{key}"
        if not str(key).isdigit() or int(key) not in {int(s) for s in Segment}:
            raise ConfigError(f"{path}: the segment is a number from 0 to {max(Segment)}")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{path}: a table with pre_debit_opt_out and/or extra_lead_days")
        wrong = sorted(set(table) - {"pre_debit_opt_out", "extra_lead_days"})
        if wrong:
            raise ConfigError(f"unknown setting {path}.{wrong[0]}; known: extra_lead_days, pre_debit_opt_out")
        allowed = table.get("pre_debit_opt_out", False)
        if not isinstance(allowed, bool):
            raise ConfigError(f"{path}.pre_debit_opt_out: {allowed!r} must be true or false")
        days = table.get("extra_lead_days", 0)
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_LEAD_DAYS - 1:
            raise ConfigError(f"{path}.extra_lead_days: {days!r} is not a whole number from 0 to {MAX_LEAD_DAYS - 1}")
        if allowed:
            opt_out.add(int(key))
        if days:
            extra[int(key)] = days
    return CadenceSettings(opt_out_segments=frozenset(opt_out), extra_lead_days=extra)
