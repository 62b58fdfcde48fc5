"""Charts of an experiment report as PNG bytes (matplotlib, Agg backend: no display needed).

Two charts: the conversion rate per variant with its 95 % Wilson interval, and the
cumulative conversion rate over time per variant (by day of exposure). The web page shows
them inline; `herinnering experiment report KEY --plots DIR` writes them as files. Each call
builds its own Figure (no pyplot global state), so it is safe in a server.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Protocol

import matplotlib

matplotlib.use("Agg")

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter  # noqa: E402  (after the backend)
from matplotlib.figure import Figure  # noqa: E402

from herinnering.domain.stats import VariantResult  # noqa: E402

COLOURS = ("#4b5563", "#2563eb", "#d97706", "#059669", "#9333ea")


class Point(Protocol):
    @property
    def day(self) -> object: ...

    @property
    def rate(self) -> float: ...


def _label(name: str, is_control: bool) -> str:
    return f"{name} (control)" if is_control and name != "control" else name


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def conversion_chart(variants: Sequence[VariantResult], title: str) -> bytes:
    """Rate per variant with its 95 % interval, control first."""
    figure = Figure(figsize=(6.4, 3.6))
    axes = figure.subplots()
    names = [_label(v.name, v.is_control) for v in variants]
    for index, v in enumerate(variants):
        colour = COLOURS[index % len(COLOURS)]
        if v.rate is None or v.rate_ci is None:
            axes.annotate("no exposures", (index, 0), ha="center", color=colour)
            continue
        below = (v.rate - v.rate_ci.low) * 100  # never negative: rate_interval holds its rate
        above = (v.rate_ci.high - v.rate) * 100
        axes.bar(index, v.rate * 100, color=colour, alpha=0.35, width=0.6)
        axes.errorbar(index, v.rate * 100, yerr=[[below], [above]], fmt="o", color=colour, capsize=8, lw=2)
        axes.annotate(f"{v.rate:.1%}\n(n={v.exposures})", (index, v.rate_ci.high * 100), ha="center",
                      va="bottom", fontsize=8, xytext=(0, 4), textcoords="offset points")
    axes.set_xticks(range(len(variants)), names)
    axes.set_ylabel("conversion (%) with 95% CI")
    axes.set_title(title, fontsize=10)
    highest = max((v.rate_ci.high for v in variants if v.rate_ci is not None), default=0.1)
    axes.set_ylim(0, max(highest * 100 * 1.3, 1))
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def cumulative_chart(series: Mapping[str, Sequence[Point]], control: str, title: str) -> bytes:
    """Cumulative conversion rate per variant by day of exposure."""
    figure = Figure(figsize=(6.4, 3.6))
    axes = figure.subplots()
    for index, (name, points) in enumerate(series.items()):
        if not points:
            continue
        label = _label(name, name == control)
        axes.plot([p.day for p in points], [p.rate * 100 for p in points], marker=".",
                  color=COLOURS[index % len(COLOURS)], label=label)
    axes.set_ylabel("cumulative conversion (%)")
    axes.set_xlabel("day of the message")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    if any(series.values()):
        axes.legend(fontsize=8)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    return _png(figure)
