"""Which provider message, if any, is ours: the decision behind settling an unknown send outcome.

A message whose send got no answer (5xx, timeout, a worker that died) is looked up at the
provider before it is sent again. Text alone is not an identity: a bot may say the same thing
twice to one number. So a provider message counts only if it went to the same address with the
same text, was created no earlier than our send attempt (less a margin for the provider's
clock), and its SID is not already stored on another message. Several of our own messages with
the same address and text that all wait for their SID are interchangeable; they are paired with
the candidates in order (oldest attempt with the oldest candidate). When a message with that
address and text is still being sent by a live worker and a candidate could be its, nothing is
decided: the candidate may be that one's, and the lookup is repeated later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PROVIDER_CLOCK_MARGIN = timedelta(minutes=2)  # the provider's clock is not ours


@dataclass(frozen=True)
class Claimant:
    """One of our messages with this address and text that has no provider SID yet."""

    message_id: int
    attempted_at: datetime  # when the send was attempted (lower bound for the provider's date)
    settling: bool          # its outcome is being looked up (False: a live worker is sending it)


@dataclass(frozen=True)
class Candidate:
    """A provider message with this address and text whose SID no message of ours holds."""

    sid: str
    created: datetime


@dataclass(frozen=True)
class Found:
    sid: str


@dataclass(frozen=True)
class Absent:
    """The provider has no message for it: safe to send (again)."""


@dataclass(frozen=True)
class Undecided:
    """A candidate may belong to a message still being sent: ask again later."""

    reason: str


Verdict = Found | Absent | Undecided


def could_be(candidate: Candidate, claimant: Claimant, margin: timedelta = PROVIDER_CLOCK_MARGIN) -> bool:
    return candidate.created >= claimant.attempted_at - margin


def pick(message_id: int, claimants: list[Claimant], candidates: list[Candidate],
         margin: timedelta = PROVIDER_CLOCK_MARGIN) -> Verdict:
    """The verdict for `message_id` (one of `claimants`)."""
    if not any(c.message_id == message_id for c in claimants):
        raise ValueError(f"message {message_id} is not among the claimants")
    for rival in claimants:
        if not rival.settling and rival.message_id != message_id and any(
            could_be(candidate, rival, margin) for candidate in candidates
        ):
            return Undecided(f"message {rival.message_id} with the same text is still being sent")
    left = sorted(candidates, key=lambda c: (c.created, c.sid))
    for claimant in sorted((c for c in claimants if c.settling or c.message_id == message_id),
                           key=lambda c: (c.attempted_at, c.message_id)):
        match = next((candidate for candidate in left if could_be(candidate, claimant, margin)), None)
        if claimant.message_id == message_id:
            return Found(match.sid) if match is not None else Absent()
        if match is not None:
            left.remove(match)
    raise AssertionError("unreachable")  # pragma: no cover
