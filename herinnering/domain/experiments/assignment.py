"""Which variant of an experiment a tenant gets: a pure, versioned, documented hash.

The scheme is GrowthBook's (growthbook-python `core.py`), so its published test vectors pin
ours (tests/unit/assignment_cases.json):

1. `fnv1a32(text)`: 32-bit FNV-1a over the text's Unicode code points
   (offset basis 0x811C9DC5, prime 0x01000193, modulo 2**32).
2. `gbhash(seed, value, version)` maps a tenant into [0, 1):
   - version 2 (the default): `fnv1a32(str(fnv1a32(seed + value))) % 10000 / 10000` — the
     double hash spreads similar seeds apart;
   - version 1: `fnv1a32(value + seed) % 1000 / 1000`;
   - any other version: None (no assignment).
3. `bucket_ranges(n, coverage, weights)`: consecutive ranges `[start, start + coverage * w)`
   over the cumulative weights. Weights of the wrong length or not summing to 1 (±0.01) fall
   back to equal weights; coverage is clamped to [0, 1]. With coverage below 1 the end of each
   range is left out: those tenants are not in the experiment (they get the ordinary message).
4. `choose(n, ranges)`: the index of the range holding n, or -1.

For herinnering the seed is the experiment's seed (its key unless configured) and the value
is the tenant's contract id (`tenants.external_id`): the ERP's id, the same on every machine
and after every re-import, unlike a database id. Same seed, same id, same version, same
weights: same variant, forever. Nothing here reads a clock, a file or a database.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["bucket_ranges", "choose", "equal_weights", "fnv1a32", "gbhash", "in_range"]

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_UINT32 = 2**32


def fnv1a32(text: str) -> int:
    """32-bit FNV-1a over the code points of `text` (as GrowthBook does)."""
    value, prime, mask = _FNV_OFFSET, _FNV_PRIME, _UINT32 - 1
    for code in map(ord, text):
        value = ((value ^ code) * prime) & mask  # & mask is % 2**32
    return value


def gbhash(seed: str, value: str, version: int = 2) -> float | None:
    """A number in [0, 1) from seed and value; None for an unknown hash version."""
    if version == 2:
        return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000
    if version == 1:
        return (fnv1a32(value + seed) % 1000) / 1000
    return None


def equal_weights(count: int) -> list[float]:
    return [1.0 / count] * count if count > 0 else []


def bucket_ranges(
    count: int, coverage: float = 1.0, weights: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """One [start, end) range per variant, in order."""
    coverage = min(1.0, max(0.0, coverage))
    chosen = list(weights) if weights is not None else equal_weights(count)
    if len(chosen) != count or not 0.99 <= sum(chosen) <= 1.01:
        chosen = equal_weights(count)
    ranges: list[tuple[float, float]] = []
    cumulative = 0.0
    for weight in chosen:
        start = cumulative
        cumulative += weight
        ranges.append((start, start + coverage * weight))
    return ranges


def in_range(n: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= n < bounds[1]


def choose(n: float, ranges: Sequence[tuple[float, float]]) -> int:
    """The index of the range that holds n, or -1 (outside the coverage)."""
    for index, bounds in enumerate(ranges):
        if in_range(n, bounds):
            return index
    return -1
