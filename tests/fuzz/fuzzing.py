"""What every fuzz test shares: bounded hypothesis profiles and input mutators.

Profiles are looked up by name and applied per test (never loaded globally, so the rest of the
suite keeps its own settings). `HERINNERING_FUZZ_PROFILE=fuzz-long` runs many more examples
locally; CI uses the default `fuzz-ci`, which keeps the whole folder well under a minute.
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]
settings.register_profile("fuzz-ci", max_examples=60, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("fuzz-long", max_examples=2000, deadline=None, suppress_health_check=_QUIET)
_PROFILE = os.environ.get("HERINNERING_FUZZ_PROFILE", "fuzz-ci")


def fuzz(share: float = 1.0) -> settings:
    """The active profile, with `share` of its examples (tests that go through a database or
    HTTP take fewer, pure parsers the full count)."""
    profile = settings.get_profile(_PROFILE)
    return settings(profile, max_examples=max(5, int(profile.max_examples * share)))


# Text that breaks parsers: separators, quotes, line breaks, control characters, bidi marks,
# digits of other scripts, lone surrogates, very long runs.
NASTY = st.sampled_from([
    "", " ", ",", ";", "\t", '"', '""', "'", "\n", "\r\n", "\r", "\x00", "\x1b", "\x7f", "\u200f", "\ufeff",
    "\u0663", "١٢٣", "\uffff", "€", "-", "--", ",-", "1.234,56", "1,234.56", "0", "-1", "9" * 40, "x" * 300,
    "NaN", "Infinity", "1e400", "null", "<", "&", "]]>", "%s", "{{ x }}", "\ud800",
])
TEXT = st.one_of(NASTY, st.text(max_size=40), st.text(alphabet="0123456789,.;-+ €\"", max_size=20))


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with a few byte-level edits: cut, insert, overwrite, duplicate a slice."""
    data = bytearray(original)
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    for _ in range(draw(st.integers(1, 6))):
        at = rng.randrange(len(data) + 1)
        length = rng.randrange(1, 40)
        action = draw(st.sampled_from(["cut", "insert", "overwrite", "duplicate", "truncate"]))
        if action == "cut":
            del data[at:at + length]
        elif action == "insert":
            data[at:at] = draw(st.one_of(st.binary(max_size=12), NASTY.map(lambda s: s.encode("utf-8", "replace"))))
        elif action == "overwrite":
            data[at:at + 1] = bytes([rng.randrange(256)])
        elif action == "duplicate":
            data[at:at] = data[at:at + length]
        else:
            del data[at:]
    return bytes(data)
