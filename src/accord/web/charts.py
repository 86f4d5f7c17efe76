"""Server-side charts (matplotlib to SVG), so figures read the same with JavaScript off."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

import matplotlib
import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

# Text as paths: no font lookups in the browser, and no article text is ever drawn.
matplotlib.rcParams["svg.fonttype"] = "path"
matplotlib.rcParams["svg.hashsalt"] = "accord"  # stable ids: the same data gives the same SVG
STATUS_STYLE = {"proposed": ("#1f6feb", "o"), "current": ("#2da44e", "s"),
                "other": ("#8c959f", "^")}


def figure_history_svg(points: Sequence[tuple[date, float, str]], unit: str | None) -> bytes:
    """Values over time, one marker style per status (proposed, current, other)."""
    # A bare Figure, not pyplot: no global state, so request threads can draw at once.
    fig = Figure(figsize=(7.5, 3.2), dpi=96)
    ax = fig.subplots()
    for status, (colour, marker) in STATUS_STYLE.items():
        mine = sorted((d, v) for d, v, s in points if s == status)
        if mine:
            ax.plot([d for d, _ in mine], [v for _, v in mine], marker=marker,
                    linestyle="-" if status == "proposed" else "none", color=colour,
                    label=status, markersize=7)
    ax.set_ylabel(unit or "value")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.grid(True, alpha=0.3)
    if points:
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no dated figures", ha="center", va="center",
                transform=ax.transAxes)
    fig.autofmt_xdate()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
