"""Charts of the knowledge base as PNG bytes, each with a caption naming its sources.

- deaths: every famine death-toll estimate in disputes.yaml, as a range chart by researcher and year.
- grain, steel: official output by year, with the claimed figures beside them where they differ.

matplotlib is imported on first use (it costs a noticeable part of a second), and only through its
object API with the Agg canvas: no pyplot global state, no display, safe to call from a worker thread.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.formatting import citation, figure, number
from bot.engine.records import KnowledgeBase, Series

DEATHS_DISPUTE = "famine-deaths"
MAX_CAPTION = 2000      # one Discord message


@dataclass(frozen=True)
class Plotted:
    """One mark on a chart: what it is labelled, and its value (a range when low < high)."""

    label: str
    low: float
    high: float
    group: str = ""         # the year (bars) or the estimate's publication year (ranges)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    png: bytes
    caption: str
    plotted: tuple[Plotted, ...]
    sources: tuple[str, ...]    # source ids, in order of first use


def _new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _caption(kb: KnowledgeBase, title: str, source_ids: list[str], note: str = "") -> str:
    cites = [citation(kb.sources[s], journal=False) for s in source_ids if s in kb.sources]
    head = f"**{title}**" + (f"\n{note}" if note else "")
    total = len(cites)
    text = head + "\nSources: " + "; ".join(cites) + "."
    while len(text) > MAX_CAPTION and cites:   # drop whole citations, never cut one
        cites.pop()
        text = head + "\nSources: " + "; ".join(cites) + f"; and {total - len(cites)} more."
    return text


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def deaths_chart(kb: KnowledgeBase) -> Chart:
    dispute = kb.disputes[DEATHS_DISPUTE]
    estimates = sorted(dispute.estimates, key=lambda e: (e.key, e.year, e.by))
    marks = tuple(Plotted(f"{e.by} ({e.year})", e.key[0], e.key[1], str(e.year)) for e in estimates)
    fig = _new_figure(10, 1.6 + 0.48 * len(marks))
    ax = fig.add_subplot()
    for y, (e, mark) in enumerate(zip(estimates, marks, strict=True)):
        if mark.high > mark.low:
            ax.plot([mark.low, mark.high], [y, y], color="#b03a2e", linewidth=7, solid_capstyle="butt")
        else:
            ax.plot([mark.low], [y], "o", color="#1f4e79", markersize=8)
        ax.annotate(figure(e, "").strip(), (mark.high, y), xytext=(8, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(range(len(marks)), [textwrap.fill(m.label, 48) for m in marks], fontsize=8)
    ax.set_xlim(0, max(m.high for m in marks) * 1.12)
    ax.set_xlabel(f"Excess deaths ({dispute.unit}); dot = single figure, bar = published range")
    ax.set_title(textwrap.fill(dispute.question, 80), fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    png = _png(fig)
    sources = _unique([e.source for e in estimates])
    low, high = min(m.low for m in marks), max(m.high for m in marks)
    note = (f"{len(marks)} published estimates, from {number(low)} to {number(high)} {dispute.unit}."
            " They differ mainly in baseline data, the assumed normal death rate and the correction for unregistered deaths.")
    title = "Famine deaths: the published estimates"
    return Chart("deaths", title, png, _caption(kb, title, sources, note), marks, tuple(sources))


def series_chart(kb: KnowledgeBase, series_id: str, name: str) -> Chart:
    """Bars by year: the official line first, other lines (claims, targets) beside it where they differ."""
    series: Series = kb.series[series_id]
    official = next((line for line in series.lines if line.name == "official"), series.lines[0])
    official_by_year = {p.year: p.value for p in official.points}
    lines = [official] + [line for line in series.lines if line is not official]
    shown: list[tuple[int, int, float, str]] = []   # (line index, year, value, source)
    for li, line in enumerate(lines):
        for p in line.points:
            if line is official or official_by_year.get(p.year) != p.value:
                shown.append((li, p.year, p.value, p.source))
    years = sorted({year for _, year, _, _ in shown})
    colours = ["#1f4e79", "#b03a2e", "#e67e22", "#7d3c98", "#229954"]
    fig = _new_figure(10, 6)
    ax = fig.add_subplot()
    per_year = {y: [s for s in shown if s[1] == y] for y in years}
    width = 0.8 / max(len(v) for v in per_year.values())
    used: set[int] = set()
    for x, year in enumerate(years):
        group = per_year[year]
        for k, (li, _, value, _) in enumerate(group):
            offset = (k - (len(group) - 1) / 2) * width
            bar = ax.bar(x + offset, value, width * 0.95, color=colours[li % len(colours)],
                         label=None if li in used else textwrap.fill(lines[li].label, 60))
            used.add(li)
            ax.bar_label(bar, [number(value)], fontsize=8, padding=2)
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_ylabel(series.unit)
    ax.set_title(textwrap.fill(series.title, 80), fontsize=11)
    ax.margins(y=0.15)
    fig.legend(fontsize=8, loc="outside lower center", ncols=2)
    ax.grid(axis="y", alpha=0.3)
    png = _png(fig)
    marks = tuple(Plotted(lines[li].label, v, v, str(y)) for li, y, v, _ in shown)
    sources = _unique([s for *_, s in shown])
    note = "Official figures by year; claimed or target figures shown beside them where they differ."
    return Chart(name, series.title, png, _caption(kb, series.title, sources, note), marks, tuple(sources))


CHARTS: dict[str, Callable[[KnowledgeBase], Chart]] = {
    "deaths": deaths_chart,
    "grain": lambda kb: series_chart(kb, "grain-output", "grain"),
    "steel": lambda kb: series_chart(kb, "steel-output", "steel"),
}


def render_chart(name: str, kb: KnowledgeBase) -> Chart:
    if name not in CHARTS:
        raise KeyError(f"no chart called {name!r}; charts: {', '.join(CHARTS)}")
    return CHARTS[name](kb)
