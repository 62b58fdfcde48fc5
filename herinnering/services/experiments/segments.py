"""An experiment's exposures and conversions per tenant segment (issue 10).

The segment counted is the tenant's segment at exposure time: the latest daily snapshot
(`tenant_segments`) on or before the local day of the exposure. Not the current one, because a
variant that works may itself move tenants to another segment afterwards. An exposure before
any snapshot counts as "unknown" (segment None).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, tzinfo

from herinnering.adapters.db import AsyncConnection, experiment_store
from herinnering.domain.experiments.experiments import Experiment


@dataclass(frozen=True)
class SegmentRow:
    segment: int | None
    variant: str
    exposures: int
    conversions: int

    @property
    def rate(self) -> float | None:
        return self.conversions / self.exposures if self.exposures else None


async def by_segment(connection: AsyncConnection, experiment: Experiment, timezone: tzinfo) -> list[SegmentRow]:
    """Rows per segment (unknown last) and variant (in the experiment's order), only where exposed."""
    exposed = await experiment_store.exposures_converted(connection, experiment.key)
    snapshots: dict[int, tuple[list[date], list[int]]] = {}
    for row in await experiment_store.segment_days_of_exposed(connection, experiment.key):
        days, segments = snapshots.setdefault(row.tenant_id, ([], []))
        days.append(row.day)
        segments.append(int(row.segment))
    exposures: Counter[tuple[int | None, str]] = Counter()
    conversions: Counter[tuple[int | None, str]] = Counter()
    for row in exposed:
        days, segments = snapshots.get(row.tenant_id, ([], []))
        at = bisect_right(days, row.exposed_at.astimezone(timezone).date()) - 1
        cell = (segments[at] if at >= 0 else None, row.variant)
        exposures[cell] += 1
        conversions[cell] += int(bool(row.converted))
    order = {v.name: n for n, v in enumerate(experiment.variants)}
    cells = sorted(exposures, key=lambda c: (c[0] is None, c[0] or 0, order.get(c[1], len(order)), c[1]))
    return [SegmentRow(s, v, exposures[(s, v)], conversions[(s, v)]) for s, v in cells]
