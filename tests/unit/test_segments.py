"""Parteon's four segments, with the first rule that holds winning."""

from __future__ import annotations

from datetime import date

import pytest

from herinnering.domain.tenants.segments import Facts, Segment, assign

TODAY = date(2026, 12, 1)
OLD = date(2020, 1, 1)


@pytest.mark.parametrize(("facts", "segment", "reason"), [
    (Facts(OLD, 6, False, False), Segment.MANY_REMINDERS, "6 herinneringen"),        # more than 5
    (Facts(OLD, 0, False, False, bailiff=True), Segment.MANY_REMINDERS, "deurwaarder"),
    (Facts(date(2026, 6, 1), 0, True, True), Segment.MANY_REMINDERS, "regeling"),    # new, but on an arrangement
    (Facts(date(2025, 12, 1), 3, True, False), Segment.NEW, "sinds 01-12-2025"),     # exactly one year: still new
    (Facts(date(2025, 11, 30), 5, False, False), Segment.SOME_REMINDERS, "5 herinnering"),
    (Facts(OLD, 1, True, False), Segment.SOME_REMINDERS, "1 herinnering"),
    (Facts(OLD, 0, True, False), Segment.LATE_FIRST, "nu te laat"),
    (Facts(OLD, 0, False, False), Segment.ON_TIME, "niet te laat"),
])
def test_each_tenant_gets_a_segment_with_its_reason(facts: Facts, segment: Segment, reason: str) -> None:
    found = assign(facts, TODAY)
    assert found.segment is segment and reason in found.reason
