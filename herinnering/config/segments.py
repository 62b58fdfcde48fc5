"""`[segments]`: how a tenant's segment steers the pre-debit reminder.

    [segments.cadence.0]
    pre_debit_opt_out = true   # tenants in segment 0 (pays on time) may turn the reminder off themselves
    [segments.cadence.4]
    extra_lead_days = 7        # segment 4 also gets an earlier reminder, 7 days before the normal one

The opt-out stays the tenant's own choice: a per-tenant flag (`pre_debit_opt_outs`), only
honoured while the tenant is in a segment that allows it. A segment not listed keeps the
single reminder; in a listed one, a key left out means no opt-out and no extra reminder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.reminders.planning import MAX_LEAD_DAYS
from herinnering.domain.tenants.segments import Segment


@dataclass(frozen=True)
class SegmentSettings:
    opt_out_segments: frozenset[int]   # segments whose opt-out counts
    extra_lead_days: Mapping[int, int]  # segment → days before the normal reminder


def parse(s: Section) -> SegmentSettings:
    opt_out: set[int] = set()
    extra: dict[int, int] = {}
    for key, table in s.tables("cadence").items():
        if not key.isdigit() or int(key) not in {int(segment) for segment in Segment}:
            raise table.error("", f"the segment is a number from 0 to {max(Segment)}")
        if table.has("pre_debit_opt_out") and table.flag("pre_debit_opt_out"):
            opt_out.add(int(key))
        days = table.integer("extra_lead_days", 0, MAX_LEAD_DAYS - 1) if table.has("extra_lead_days") else 0
        if days:
            extra[int(key)] = days
        table.reject_unknown()
    return SegmentSettings(opt_out_segments=frozenset(opt_out), extra_lead_days=extra)
