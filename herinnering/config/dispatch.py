"""`[dispatch]`: how fast and how hard the workers send, and when the provider is judged down."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section


@dataclass(frozen=True)
class DispatchSettings:
    rate_per_second: float
    batch_size: int
    max_attempts: int
    retry_base_seconds: float
    retry_max_seconds: float
    stall_seconds: float
    provider_timeout_seconds: float
    interval_seconds: float
    concurrency: int
    circuit_window: int                   # the circuit breaker judges the last N provider calls
    circuit_cool_down_seconds: float      # open this long before one probe call
    status_sweep_after_seconds: float     # a message still `sent` this long is asked at the provider
    status_sweep_interval_seconds: float  # how often a sending process sweeps
    price_per_segment_eur: float          # what one SMS segment costs (templates check shows costs per language)


def parse(s: Section) -> DispatchSettings:
    return DispatchSettings(
        rate_per_second=s.number("rate_per_second", 0.1, 1000),
        batch_size=s.integer("batch_size", 1, 10_000),
        max_attempts=s.integer("max_attempts", 1, 20),
        retry_base_seconds=s.number("retry_base_seconds", 0, 3600),
        retry_max_seconds=s.number("retry_max_seconds", 0, 86_400),
        stall_seconds=s.number("stall_seconds", 1, 86_400),
        provider_timeout_seconds=s.number("provider_timeout_seconds", 0.1, 120),
        interval_seconds=s.number("interval_seconds", 0.1, 3600),
        concurrency=s.integer("concurrency", 1, 1000),
        circuit_window=s.integer("circuit_window", 2, 1000),
        circuit_cool_down_seconds=s.number("circuit_cool_down_seconds", 0, 3600),
        status_sweep_after_seconds=s.number("status_sweep_after_seconds", 1, 7 * 86_400),
        status_sweep_interval_seconds=s.number("status_sweep_interval_seconds", 1, 86_400),
        price_per_segment_eur=s.number("price_per_segment_eur", 0, 10),
    )
