"""`[self_service]`: the tenant's own actions by message (DAG, REGELING, BEL) and on the
"mijn huur" page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.conversations.dialogs import DialogKind


@dataclass(frozen=True)
class SelfServiceSettings:
    day_notice_days: int       # a new collection day applies once both debit dates are this far away
    dialog_timeout_hours: int  # an unanswered dialog question expires
    page_link_days: int        # the "mijn huur" link works this long
    words: Mapping[DialogKind, tuple[str, ...]]  # keywords_<kind>: the words that start each dialog


def parse(s: Section) -> SelfServiceSettings:
    return SelfServiceSettings(
        day_notice_days=s.integer("day_notice_days", 1, 60),
        dialog_timeout_hours=s.integer("dialog_timeout_hours", 1, 24 * 7),
        page_link_days=s.integer("page_link_days", 1, 90),
        words={kind: s.string_list(f"keywords_{kind.value}") for kind in DialogKind},
    )
