from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.domain.reminders.states import (
    ALLOWED,
    FINAL,
    PROVIDER_STATUS,
    MessageState,
    can_move,
    sources_of,
)

S = MessageState
RANK = {S.PLANNED: 0, S.SENDING: 1, S.SENT: 2, S.DELIVERED: 3, S.FAILED: 3, S.CANCELLED: 3}


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PLANNED, S.SENDING, True),    # a worker claims it
        (S.SENDING, S.PLANNED, True),    # 429: released to try later
        (S.SENDING, S.DELIVERED, True),  # the delivery callback overtook our own write
        (S.SENT, S.DELIVERED, True),
        (S.DELIVERED, S.SENT, False),    # a late "sent" callback never moves it back
        (S.FAILED, S.DELIVERED, False),
        (S.CANCELLED, S.SENDING, False), # a cancelled reminder is never sent
        (S.SENT, S.PLANNED, False),      # once the provider has it, it is never re-sent
    ],
)
def test_the_table_allows_only_forward_moves(current: S, target: S, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_final_states_have_no_way_out() -> None:
    assert FINAL == {S.DELIVERED, S.FAILED, S.CANCELLED}


@given(st.lists(st.sampled_from(sorted(PROVIDER_STATUS)), min_size=1, max_size=12))
def test_callbacks_in_any_order_never_move_a_sent_message_backwards(statuses: list[str]) -> None:
    state = S.SENT
    for status in statuses:
        target = PROVIDER_STATUS[status]
        if can_move(state, target):
            assert RANK[target] >= RANK[state]
            state = target
    assert state in {S.SENT, S.DELIVERED, S.FAILED}


def test_sources_of_matches_the_table() -> None:
    for target in S:
        assert sources_of(target) == {s for s, moves in ALLOWED.items() if target in moves}
