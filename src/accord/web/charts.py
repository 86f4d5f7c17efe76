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
PLAN, CURRENT, REPORTS = "#1f6feb", "#2da44e", "#8c959f"

Point = tuple[date, float]


def provision_chart_svg(plan: Sequence[tuple[date, float, str]], current: Sequence[Point],
                        reports: Sequence[Point], unit: str | None) -> bytes:
    """The plan's figure as a step line over its versions (``plan``: version date, value,
    version name), today's reported state as its own series, and every report as a faint dot.

    Reports are drawn faint because a later article recalling an older draft's figure is a
    report, not a change of the plan: only the step line says what is on the table.
    """
    # A bare Figure, not pyplot: no global state, so request threads can draw at once.
    fig = Figure(figsize=(7.5, 3.4), dpi=96)
    ax = fig.subplots()
    days = [d for d, *_ in plan] + [d for d, _ in current] + [d for d, _ in reports]
    if reports:
        ax.plot([d for d, _ in reports], [v for _, v in reports], linestyle="none", marker="o",
                markersize=5, color=REPORTS, alpha=0.35, label="reports", gid="reports")
    if plan:
        xs, ys = [d for d, _, _ in plan], [v for _, v, _ in plan]
        end = max(days)
        if end > xs[-1]:  # the last version holds until the latest report
            xs, ys = [*xs, end], [*ys, ys[-1]]
        ax.plot(xs, ys, drawstyle="steps-post", color=PLAN, linewidth=2, label="plan",
                gid="plan")
        ax.plot([d for d, _, _ in plan], [v for _, v, _ in plan], linestyle="none", marker="o",
                markersize=7, color=PLAN)
        for d, v, name in plan:
            ax.annotate(name, (d, v), textcoords="offset points", xytext=(4, 7), fontsize=8,
                        color=PLAN)
    if current:
        ax.plot([d for d, _ in current], [v for _, v in current], linestyle="none",
                marker="s", markersize=7, color=CURRENT, label="current state (reported)",
                gid="current-state")
    ax.set_ylabel(unit or "value")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.margins(x=0.08, y=0.2)
    ax.grid(True, alpha=0.3)
    if days:
        ax.legend(loc="best", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no dated figures", ha="center", va="center",
                transform=ax.transAxes)
    fig.autofmt_xdate()
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
