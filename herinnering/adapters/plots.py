"""Charts of an experiment report as PNG bytes (matplotlib, Agg backend: no display needed).

Two charts, labelled in Dutch: the main one draws each variant's uplift against the control
with its sequential (valid at every look) interval as a thick bar and the fixed-horizon
interval as a thin line, around a zero line; the second draws the cumulative uplift day by day
with its sequential interval as a band. The web page shows them inline; `herinnering experiment
report KEY --plots DIR` writes them as files. Each call builds its own Figure (no pyplot
global state), so it is safe in a server.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import matplotlib

matplotlib.use("Agg")

from matplotlib.dates import AutoDateLocator, DateFormatter  # noqa: E402  (after the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

DUTCH = FuncFormatter(lambda value, _position: f"{value:g}".replace(".", ",").replace("-", "−"))

COLOURS = ("#4b5563", "#2563eb", "#d97706", "#059669", "#9333ea")


def _nl(value: float, digits: int = 1) -> str:
    return f"{value:+.{digits}f}".replace(".", ",").replace("-", "−")


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


class Effect(Protocol):
    name: str
    uplift: float | None  # points (proportion)
    sequential: tuple[float, float] | None
    fixed: tuple[float, float] | None


def uplift_chart(effects: Sequence[Effect], control: str, metric: str) -> bytes:
    """Each treatment's uplift over the control with its intervals (the report's main chart)."""
    figure = Figure(figsize=(6.4, 1.1 + 0.75 * max(1, len(effects))))
    axes = figure.subplots()
    axes.axvline(0, color="#4b5563", lw=1)
    for row, effect in enumerate(effects):
        y = len(effects) - 1 - row
        if effect.uplift is None or effect.sequential is None:
            axes.annotate("nog geen gegevens", (0, y), ha="center", va="center", color="#6b7280")
            continue
        low, high = (max(-100.0, min(100.0, v * 100)) for v in effect.sequential)
        axes.plot([low, high], [y, y], color=COLOURS[1], lw=8, alpha=0.35, solid_capstyle="butt",
                  label="interval, elke dag geldig" if row == 0 else None)
        if effect.fixed is not None:
            axes.plot([effect.fixed[0] * 100, effect.fixed[1] * 100], [y, y], color=COLOURS[1], lw=1.5,
                      label="interval bij vaste einddatum" if row == 0 else None)
        axes.plot([effect.uplift * 100], [y], "o", color=COLOURS[1])
        axes.annotate(f"{_nl(effect.uplift * 100)} %-punt", (effect.uplift * 100, y), xytext=(0, 9),
                      textcoords="offset points", ha="center", fontsize=9)
    axes.set_yticks(range(len(effects)), [f"{e.name}\nt.o.v. {control}" for e in reversed(effects)])
    axes.set_ylim(-0.7, len(effects) - 0.3)
    axes.set_xlabel(f"verschil in %-punt: {metric}")
    axes.xaxis.set_major_formatter(DUTCH)
    axes.grid(axis="x", alpha=0.3)
    if any(e.sequential is not None for e in effects):
        axes.legend(fontsize=8, loc="lower right")
    return _png(figure)


class Look(Protocol):
    at: float
    uplift: float
    low: float
    high: float


def cumulative_chart(looks: Sequence[Look], days: Mapping[float, object], name: str, control: str) -> bytes:
    """The uplift of `name` over `control` as it stood at the end of each day, with its band."""
    figure = Figure(figsize=(6.4, 3.4))
    axes = figure.subplots()
    shown = [look for look in looks if math.isfinite(look.low) and math.isfinite(look.high)]
    x = [days.get(look.at, look.at) for look in shown]
    axes.axhline(0, color="#4b5563", lw=1)
    if shown:
        axes.fill_between(x, [max(-100, look.low * 100) for look in shown], [min(100, look.high * 100) for look in shown],
                          color=COLOURS[1], alpha=0.2, label="interval, elke dag geldig")
        axes.plot(x, [look.uplift * 100 for look in shown], marker=".", color=COLOURS[1], label="verschil")
        axes.legend(fontsize=8)
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(DateFormatter("%d-%m"))
    else:
        axes.annotate("nog geen afgesloten maanden", (0.5, 0.5), xycoords="axes fraction", ha="center",
                      color="#6b7280")
    axes.set_ylabel(f"{name} − {control} (%-punt)")
    axes.yaxis.set_major_formatter(DUTCH)
    axes.set_xlabel("stand aan het eind van de dag")
    axes.grid(alpha=0.3)
    return _png(figure)
