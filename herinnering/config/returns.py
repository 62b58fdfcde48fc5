"""`[returns]`: what follows a returned direct debit per ISO reason code, and the creditor
details of the pain.008 re-collection file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from herinnering.config.validator import Section
from herinnering.domain.payments.return_reasons import (
    MAX_RECOLLECTIONS,
    ReturnPolicy,
    parse_actions,
)


@dataclass(frozen=True)
class Creditor:
    """Who asks the bank to collect: the pain.008's creditor."""

    name: str
    iban: str
    bic: str
    creditor_id: str  # the Incassant-ID from the bank


@dataclass(frozen=True)
class ReturnsSettings:
    policy: ReturnPolicy  # reason code → action, and the re-collection rules
    creditor: Creditor


def parse(s: Section) -> ReturnsSettings:
    actions = s.get("actions")
    if not isinstance(actions, Mapping):
        raise s.fail("actions", actions, 'a table of ISO reason code = action, e.g. AM04 = "recollect"')
    try:
        parsed = parse_actions(actions)
    except ValueError as exc:
        raise s.error("actions", str(exc)) from None
    policy = ReturnPolicy(
        actions=parsed,
        max_recollections=s.integer("max_recollections", 0, MAX_RECOLLECTIONS),
        recollect_after_days=s.integer("recollect_after_days", 1, 60),
        pre_notification_days=s.integer("pre_notification_days", 1, 14),
    )
    creditor = Creditor(
        name=s.text("creditor_name"), iban=s.text("creditor_iban").replace(" ", ""),
        bic=s.text("creditor_bic"), creditor_id=s.text("creditor_id"),
    )
    return ReturnsSettings(policy=policy, creditor=creditor)
