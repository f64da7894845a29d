"""Charts of the knowledge base, each with its sources printed under the axes and in a caption.

- deaths: every famine death-toll estimate in disputes.yaml: a dot for a single figure, a bar for a
  published range, an arrow for a minimum ("at least 45 million").
- grain, steel: official output by year, with the claimed figures and targets beside them where they differ.
- timeline: the key events of 1957-1962 from timeline.yaml, over the phases of the Leap and the famine years.

One colour means one thing on every chart (COLOURS). The image format follows the file name
(FORMATS); a chart shared alone still says where its numbers come from.

matplotlib is imported on first use (it costs a noticeable part of a second), and only through its
object API with the Agg canvas: no pyplot global state, no display, safe to call from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.engine.formatting import citation, figure, number, readable_date
from bot.engine.records import Estimate, KnowledgeBase, Series, TimelineEvent

DEATHS_DISPUTE = "famine-deaths"
MAX_CAPTION = 2000      # one Discord message
DPI = 110

# File extension -> matplotlib format.
FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg"}

# One colour, one meaning, on every chart.
COLOURS: dict[str, str] = {
    "official": "#1f4e79",        # official statistics (dark blue)
    "claimed": "#c0392b",         # a claim made at the time (red)
    "revised-claim": "#e67e22",   # a claim revised later (orange)
    "target": "#7f8c8d",          # a plan target, not an output (grey, hatched)
    "estimate": "#6c3483",        # a published estimate (purple)
    "event": "#1b1b1b",           # a dated event (black)
    "leap": "#27ae60",            # the Leap under way (green)
    "lushan": "#d4ac0d",          # the Lushan meeting (gold)
    "retreat": "#17a589",         # the retreat from the Leap (teal)
    "famine": "#873600",          # the famine years (brown)
}
# Series lines with any other name take these, in order: none of them means anything above.
OTHER_COLOURS = ("#5d6d7e", "#a04000", "#1abc9c", "#884ea0")


class ChartError(ValueError):
    """A chart request that cannot be met; the message is one line for the user."""


@dataclass(frozen=True)
class Plotted:
    """One mark on a chart: what it is labelled, and its value (a range when low < high)."""

    label: str
    low: float
    high: float
    group: str = ""         # the year (bars), the estimate's publication year, or the event's date
    colour: str = ""
    kind: str = "value"     # value | range | at-least | target | event | span


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    image: bytes
    caption: str
    plotted: tuple[Plotted, ...]
    sources: tuple[str, ...]    # source ids, in order of first use
    format: str = "png"
    footer: str = ""            # the text printed under the axes: the sources, so the image stands alone

    @property
    def png(self) -> bytes:
        if self.format != "png":
            raise ValueError(f"this chart was rendered as {self.format}, not png")
        return self.image


def chart_format(path: str | Path) -> str:
    """The format a file name asks for; ChartError naming the extension when it is not one we write."""
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    choices = ", ".join(sorted({s for s in FORMATS if s != ".jpeg"}))
    if not suffix:
        raise ChartError(f"{path}: the file name needs an extension that says the format ({choices})")
    raise ChartError(f"{path}: cannot write {suffix[1:]} images; use one of {choices}")


# ----- drawing helpers -----------------------------------------------------------------------------
def _short_citation(kb: KnowledgeBase, source_id: str) -> str:
    s = kb.sources[source_id]
    return f"{s.author}, {s.title.split(':')[0].strip()} ({s.year})"


def _source_lines(kb: KnowledgeBase, source_ids: list[str], width_in: float) -> list[str]:
    text = "Sources: " + "; ".join(_short_citation(kb, s) for s in source_ids if s in kb.sources) + "."
    return textwrap.wrap(text, int(width_in * 17))


CAPTION_PT = 7.0


def _new_figure(kb: KnowledgeBase, width: float, plot_height: float, source_ids: list[str], note: str = ""):
    """A figure with room under the axes for its sources (and a note), printed on the image itself;
    returns the figure and that text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lines = ([*textwrap.wrap(note, int(width * 17))] if note else []) + _source_lines(kb, source_ids, width)
    caption_h = (len(lines) * CAPTION_PT * 1.4 + 10) / 72
    height = plot_height + caption_h
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    bottom = caption_h / height
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    footer = "\n".join(lines)
    fig.text(0.01, bottom - 4 / 72 / height, footer, ha="left", va="top", fontsize=CAPTION_PT, color="#333333",
             linespacing=1.4)
    return fig, footer


def _encode(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "svg":    # text stays text (selectable, searchable, smaller), not outlines
        import matplotlib

        with matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(buf, format=fmt)
    else:
        fig.savefig(buf, format=fmt)
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


def estimate_label(e: Estimate, unit: str) -> str:
    """The figure as written on the chart: "45 million", "43–46 million", "at least 45 million" (`figure`
    already says "at least" of a minimum)."""
    return figure(e, unit).strip()


def _estimate_kind(e: Estimate) -> str:
    if e.value is None:
        return "range"
    return "at-least" if e.lower_bound else "value"


# ----- the charts --------------------------------------------------------------------------------
def deaths_chart(kb: KnowledgeBase, fmt: str = "png") -> Chart:
    from matplotlib.lines import Line2D

    dispute = kb.disputes[DEATHS_DISPUTE]
    estimates = sorted(dispute.estimates, key=lambda e: (e.key, e.year, e.by))
    colour = COLOURS["estimate"]
    marks = tuple(Plotted(f"{e.by} ({e.year})", e.key[0], e.key[1], str(e.year), colour, _estimate_kind(e)) for e in estimates)
    sources = _unique([e.source for e in estimates])
    fig, footer = _new_figure(kb, 10, 1.9 + 0.48 * len(marks), sources)
    ax = fig.add_subplot()
    top = max(m.high for m in marks)
    arrow = top * 0.09      # how far a minimum's arrow points on
    for y, (e, mark) in enumerate(zip(estimates, marks, strict=True)):
        end = mark.high
        if mark.kind == "range":
            ax.plot([mark.low, mark.high], [y, y], color=colour, linewidth=7, solid_capstyle="butt")
        else:
            ax.plot([mark.low], [y], "o", color=colour, markersize=8)
        if mark.kind == "at-least":
            end = mark.low + arrow
            ax.annotate("", xy=(end, y), xytext=(mark.low, y),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 2, "mutation_scale": 14})
        ax.annotate(estimate_label(e, dispute.unit), (end, y), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize=9)
    ax.set_yticks(range(len(marks)), [textwrap.fill(m.label, 48) for m in marks], fontsize=8)
    ax.set_xlim(0, top * 1.25)
    ax.set_xlabel(f"Excess deaths ({dispute.unit})")
    ax.set_title(textwrap.fill(dispute.question, 80), fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], color=colour, marker="o", linestyle="", markersize=8, label="a single published figure")]
    if any(m.kind == "range" for m in marks):
        handles.append(Line2D([], [], color=colour, linewidth=7, label="a published range (low to high)"))
    if any(m.kind == "at-least" for m in marks):
        handles.append(Line2D([], [], color=colour, marker=">", linewidth=2, markersize=7,
                              label="a minimum: at least this many"))
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    image = _encode(fig, fmt)
    low, high = min(m.low for m in marks), max(m.high for m in marks)
    note = (f"{len(marks)} published estimates, from {number(low)} to {number(high)} {dispute.unit}."
            " They differ mainly in baseline data, the assumed normal death rate and the correction for unregistered deaths.")
    minima = [e for e in estimates if e.lower_bound]
    if minima:
        note += " Minimums: " + "; ".join(f"{e.by}, {estimate_label(e, dispute.unit)}" for e in minima) + "."
    title = "Famine deaths: the published estimates"
    return Chart("deaths", title, image, _caption(kb, title, sources, note), marks, tuple(sources), fmt, footer)


def line_colours(series: Series) -> dict[str, str]:
    """Each line's colour: by its meaning (official, claimed, revised-claim, target), else a neutral one."""
    others = iter(OTHER_COLOURS)
    return {line.name: COLOURS.get(line.name) or next(others, OTHER_COLOURS[-1]) for line in series.lines}


def series_chart(kb: KnowledgeBase, series_id: str, name: str, fmt: str = "png") -> Chart:
    """Bars by year: the official line first, other lines (claims, targets) beside it where they differ."""
    series: Series = kb.series[series_id]
    official = next((line for line in series.lines if line.name == "official"), series.lines[0])
    official_by_year = {p.year: p.value for p in official.points}
    lines = [official] + [line for line in series.lines if line is not official]
    colours = line_colours(series)
    shown: list[tuple[int, int, float, str]] = []   # (line index, year, value, source)
    for li, line in enumerate(lines):
        for p in line.points:
            if line is official or official_by_year.get(p.year) != p.value:
                shown.append((li, p.year, p.value, p.source))
    years = sorted({year for _, year, _, _ in shown})
    sources = _unique([s for *_, s in shown])
    fig, footer = _new_figure(kb, 10, 6, sources)
    ax = fig.add_subplot()
    per_year = {y: [s for s in shown if s[1] == y] for y in years}
    width = 0.8 / max(len(v) for v in per_year.values())
    used: set[int] = set()
    for x, year in enumerate(years):
        group = per_year[year]
        for k, (li, _, value, _) in enumerate(group):
            offset = (k - (len(group) - 1) / 2) * width
            target = lines[li].name == "target"
            colour = colours[lines[li].name]
            bar = ax.bar(x + offset, value, width * 0.95, color="white" if target else colour, edgecolor=colour,
                         hatch="//" if target else None, linewidth=1.5 if target else 0,
                         label=None if li in used else textwrap.fill(lines[li].label, 60))
            used.add(li)
            ax.bar_label(bar, [number(value)], fontsize=8, padding=2)
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_ylabel(series.unit)
    ax.set_title(textwrap.fill(series.title, 80), fontsize=11)
    ax.margins(y=0.15)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncols=2, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    image = _encode(fig, fmt)
    marks = tuple(
        Plotted(lines[li].label, v, v, str(y), colours[lines[li].name], "target" if lines[li].name == "target" else "value")
        for li, y, v, _ in shown
    )
    note = "Official figures by year; claimed or target figures shown beside them where they differ."
    return Chart(name, series.title, image, _caption(kb, series.title, sources, note), marks, tuple(sources), fmt, footer)


# The timeline chart: which events of timeline.yaml it shows (short labels), and the phases between them.
TIMELINE_EVENTS: tuple[tuple[str, str], ...] = (
    ("moscow-britain-pledge-1957", "Mao in Moscow: overtake Britain in 15 years"),
    ("water-conservancy-campaign-1957", "Winter water-conservancy campaign begins"),
    ("nanning-conference-1958", "Nanning conference: 'opposing rash advance' denounced"),
    ("general-line-1958", "General Line adopted: the Leap formally launched"),
    ("beidaihe-conference-1958", "Beidaihe: communes endorsed, steel target 10.7 Mt"),
    ("communes-communisation-announced-1958", "Communisation declared basically complete"),
    ("grain-claim-375-1958", "Claim of a 375 Mt grain harvest"),
    ("lushan-opens-1959", "Lushan meeting opens"),
    ("peng-letter-1959", "Peng Dehuai's letter to Mao"),
    ("eighth-plenum-resolution-1959", "Lushan plenum condemns Peng; the Leap renewed"),
    ("xinyang-starvation-1959", "Mass starvation in Xinyang (to spring 1960)"),
    ("famine-peak-1960", "The famine peaks: death rate 25.4 per thousand"),
    ("soviet-experts-recalled-1960", "Soviet experts recalled"),
    ("twelve-articles-1960", "Twelve Articles: the retreat begins"),
    ("ninth-plenum-1961", "Ninth Plenum: readjustment"),
    ("sixty-articles-draft-1961", "Sixty Articles on the communes drafted"),
    ("grain-imports-1961", "China becomes a net grain importer"),
    ("seven-thousand-cadres-1962", "Seven Thousand Cadres Conference"),
    ("tenth-plenum-1962", "Tenth Plenum: 'never forget class struggle'"),
)
# (label, colour meaning, event it starts with, event it ends with)
TIMELINE_PHASES: tuple[tuple[str, str, str, str], ...] = (
    ("The Leap launched", "leap", "nanning-conference-1958", "lushan-opens-1959"),
    ("Lushan", "lushan", "lushan-opens-1959", "eighth-plenum-resolution-1959"),
    ("The Leap renewed", "leap", "eighth-plenum-resolution-1959", "twelve-articles-1960"),
    ("Retreat", "retreat", "twelve-articles-1960", "tenth-plenum-1962"),
)
FAMINE_YEARS = (1959, 1961)     # the years of the famine-deaths dispute ("the famine of 1959-1961")
TIMELINE_SPAN = (1957, 1962)


def date_span(date: str) -> tuple[float, float]:
    """A YYYY, YYYY-MM or YYYY-MM-DD date as (start, end) in fractional years: a year or month is a span."""
    parts = [int(x) for x in date.split("-")]
    if len(parts) == 1:
        return float(parts[0]), float(parts[0] + 1)
    if len(parts) == 2:
        return parts[0] + (parts[1] - 1) / 12, parts[0] + parts[1] / 12
    day = dt.date(*parts)
    start = parts[0] + (day.timetuple().tm_yday - 1) / (366 if parts[0] % 4 == 0 else 365)
    return start, start


def _midpoint(date: str) -> float:
    a, b = date_span(date)
    return (a + b) / 2


def timeline_events(kb: KnowledgeBase) -> list[tuple[TimelineEvent, str]]:
    """The chart's events that timeline.yaml holds, in date order, with their short labels."""
    by_id = {e.id: e for e in kb.timeline}
    chosen = [(by_id[eid], label) for eid, label in TIMELINE_EVENTS if eid in by_id]
    return sorted(chosen, key=lambda pair: (date_span(pair[0].date)[0], pair[0].date))


def timeline_chart(kb: KnowledgeBase, fmt: str = "png") -> Chart:
    events = timeline_events(kb)
    if not events:
        raise ChartError("timeline.yaml holds none of the timeline chart's events")
    by_id = {e.id: e for e, _ in events}
    phases = [(label, meaning, by_id[a], by_id[b]) for label, meaning, a, b in TIMELINE_PHASES if a in by_id and b in by_id]
    sources = _unique([r.id for e, _ in events for r in e.sources])
    rows = len(events)
    fig, footer = _new_figure(kb, 11, 1.8 + 0.36 * rows, sources)
    ax = fig.add_subplot()
    first, last = TIMELINE_SPAN
    marks: list[Plotted] = []
    # above the events: the phases of the Leap (also shading the background), then the famine years
    phase_lane, famine_lane = rows + 1.9, rows + 0.7
    for label, meaning, start, end in phases:
        a, b = _midpoint(start.date), _midpoint(end.date)
        ax.axvspan(a, b, color=COLOURS[meaning], alpha=0.12, linewidth=0)
        ax.broken_barh([(a, b - a)], (phase_lane - 0.35, 0.7), color=COLOURS[meaning])
        narrow = b - a < 0.5    # a short phase (Lushan): its label goes higher, clear of its neighbours'
        ax.text((a + b) / 2, phase_lane + (1.05 if narrow else 0.45), label, ha="center", va="bottom", fontsize=8,
                color=COLOURS[meaning], fontweight="bold")
        marks.append(Plotted(label, a, b, f"{start.date}/{end.date}", COLOURS[meaning], "span"))
    fa, fb = FAMINE_YEARS[0], FAMINE_YEARS[1] + 1
    ax.broken_barh([(fa, fb - fa)], (famine_lane - 0.35, 0.7), facecolor="white", edgecolor=COLOURS["famine"],
                   hatch="///", linewidth=1)
    ax.text((fa + fb) / 2, famine_lane, f" Famine years, {FAMINE_YEARS[0]}–{FAMINE_YEARS[1]} ", ha="center", va="center",
            fontsize=8, color=COLOURS["famine"], fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    marks.append(Plotted("Famine years", fa, fb, f"{FAMINE_YEARS[0]}/{FAMINE_YEARS[1]}", COLOURS["famine"], "span"))
    # the events, one row each, earliest at the top
    colour = COLOURS["event"]
    labels = []
    for i, (event, label) in enumerate(events):
        y = rows - 1 - i
        a, b = date_span(event.date)
        if b - a > 0.2:     # a year-only date: drawn across its year
            ax.plot([a, b], [y, y], color=colour, linewidth=3, alpha=0.45, solid_capstyle="butt")
        ax.plot([(a + b) / 2], [y], "o", color=colour, markersize=6)
        ax.axhline(y, color="#dddddd", linewidth=0.6, zorder=0)
        labels.append(f"{readable_date(event.date, short=True)} — {label}")
        marks.append(Plotted(label, a, b, event.date, colour, "event"))
    ax.set_yticks(range(rows - 1, -1, -1), labels, fontsize=8)
    ax.set_ylim(-0.8, phase_lane + 1.7)
    ax.set_xlim(first, last + 1)
    ax.set_xticks(range(first, last + 2))
    ax.grid(axis="x", alpha=0.35)
    ax.set_title("The Great Leap Forward, 1957–1962: key events", fontsize=11)
    image = _encode(fig, fmt)
    title = "The Great Leap Forward, 1957–1962: key events"
    note = (f"{len(events)} events from the timeline; phases run from one event to the next, a year-only date is drawn"
            f" across its year; famine years {FAMINE_YEARS[0]}–{FAMINE_YEARS[1]} as in the death-toll estimates.")
    return Chart("timeline", title, image, _caption(kb, title, sources, note), tuple(marks), tuple(sources), fmt, footer)


CHARTS: dict[str, Callable[..., Chart]] = {
    "deaths": deaths_chart,
    "grain": lambda kb, fmt="png": series_chart(kb, "grain-output", "grain", fmt),
    "steel": lambda kb, fmt="png": series_chart(kb, "steel-output", "steel", fmt),
    "timeline": timeline_chart,
}
# What each chart shows, for command help and Discord choices.
CHART_DESCRIPTIONS: dict[str, str] = {
    "deaths": "famine death-toll estimates, side by side",
    "grain": "grain output by year, and the 1958 claims",
    "steel": "steel output by year, the 1958 target and claim",
    "timeline": "key events 1957-1962: the phases of the Leap, Lushan, the famine years, the retreat",
}


def render_chart(name: str, kb: KnowledgeBase, fmt: str = "png") -> Chart:
    if name not in CHARTS:
        raise KeyError(f"no chart called {name!r}; charts: {', '.join(CHARTS)}")
    if fmt not in FORMATS.values():
        raise ChartError(f"cannot write {fmt} images; formats: {', '.join(sorted(set(FORMATS.values())))}")
    return CHARTS[name](kb, fmt)
