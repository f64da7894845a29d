"""Charts: non-empty PNGs that plot every figure they claim to, with their sources in the caption."""

from __future__ import annotations

import struct

import pytest

from bot.charts import CHARTS, DEATHS_DISPUTE, MAX_CAPTION, render_chart
from bot.engine.formatting import citation

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def charts(shipped_kb):
    return {name: render_chart(name, shipped_kb) for name in CHARTS}


def test_every_chart_is_a_real_png(charts):
    for chart in charts.values():
        width, height = png_size(chart.png)
        assert width > 400 and height > 300 and len(chart.png) > 10_000
        assert len(chart.caption) <= MAX_CAPTION


def test_deaths_plots_every_estimate(charts, shipped_kb):
    chart = charts["deaths"]
    estimates = shipped_kb.disputes[DEATHS_DISPUTE].estimates
    assert len(chart.plotted) == len(estimates)
    plotted = {(m.label, m.low, m.high) for m in chart.plotted}
    for e in estimates:
        assert (f"{e.by} ({e.year})", *e.key) in plotted
    # sorted low to high, ranges kept as ranges
    assert [m.low for m in chart.plotted] == sorted(m.low for m in chart.plotted)
    assert any(m.high > m.low for m in chart.plotted) == any(e.low is not None for e in estimates)
    # every cited source is in the caption
    assert set(chart.sources) == {e.source for e in estimates}
    for sid in chart.sources:
        assert citation(shipped_kb.sources[sid], journal=False) in chart.caption


@pytest.mark.parametrize(("name", "series_id"), [("grain", "grain-output"), ("steel", "steel-output")])
def test_output_charts_show_official_and_differing_claims(charts, shipped_kb, name, series_id):
    chart = charts[name]
    series = shipped_kb.series[series_id]
    official = next(line for line in series.lines if line.name == "official")
    by_year = {p.year: p.value for p in official.points}
    marks = {(m.label, m.group, m.low) for m in chart.plotted}
    for p in official.points:
        assert (official.label, str(p.year), p.value) in marks
    for line in series.lines:
        for p in line.points:
            shown = (line.label, str(p.year), p.value) in marks
            assert shown == (line is official or by_year.get(p.year) != p.value)
    assert any(m.label != official.label for m in chart.plotted)     # the claims are there
    for sid in chart.sources:
        assert citation(shipped_kb.sources[sid], journal=False) in chart.caption


def test_unknown_chart(shipped_kb):
    with pytest.raises(KeyError):
        render_chart("rice", shipped_kb)


# ----- sources on the image, minimums and ranges, one colour per meaning, formats, the timeline ---------
def svg_text(chart) -> str:
    """Every piece of text drawn on an SVG chart (matplotlib writes one <text> per line)."""
    import html
    import re

    return "\n".join(html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", chart.image.decode(), re.S))


@pytest.fixture(scope="module")
def svgs(shipped_kb):
    return {name: render_chart(name, shipped_kb, "svg") for name in CHARTS}


@pytest.mark.parametrize("name", list(CHARTS))
def test_the_image_itself_names_every_source(svgs, shipped_kb, name):
    chart = svgs[name]
    drawn = svg_text(chart)
    footer = " ".join(chart.footer.split())
    assert chart.sources
    for sid in chart.sources:
        source = shipped_kb.sources[sid]
        assert f"{source.author}, {source.title.split(':')[0].strip()} ({source.year})" in footer
    for line in chart.footer.splitlines():
        assert line in drawn, f"footer line not drawn on the image: {line!r}"


def test_a_minimum_is_drawn_as_at_least_and_a_range_as_a_range(svgs, shipped_kb):
    chart = svgs["deaths"]
    estimates = shipped_kb.disputes[DEATHS_DISPUTE].estimates
    kinds = {m.label: m.kind for m in chart.plotted}
    dikotter = next(e for e in estimates if e.by == "Frank Dikötter")
    assert dikotter.lower_bound and kinds[f"{dikotter.by} ({dikotter.year})"] == "at-least"
    assert "at least 45 million" in svg_text(chart)
    assert "at least at least" not in svg_text(chart) and "at least at least" not in chart.caption  # a newcomer saw both
    for e in estimates:
        expected = "range" if e.low is not None else "at-least" if e.lower_bound else "value"
        assert kinds[f"{e.by} ({e.year})"] == expected
    assert "a minimum: at least this many" in svg_text(chart)    # the legend says what the arrow means


def test_one_colour_means_one_thing_on_every_chart(charts):
    from bot.charts import COLOURS

    assert len(set(COLOURS.values())) == len(COLOURS)
    grain = {m.label: m.colour for m in charts["grain"].plotted}
    steel = {m.label: m.colour for m in charts["steel"].plotted}
    grain_revised = next(c for label, c in grain.items() if label.startswith("Revised claim"))
    steel_target = next(c for label, c in steel.items() if label.startswith("Target"))
    assert grain_revised == COLOURS["revised-claim"] and steel_target == COLOURS["target"] and grain_revised != steel_target
    assert next(c for label, c in grain.items() if label.startswith("Claim")) == COLOURS["claimed"]
    assert next(c for label, c in steel.items() if label.startswith("Claimed")) == COLOURS["claimed"]
    assert {m.colour for m in charts["deaths"].plotted} == {COLOURS["estimate"]}
    official = {COLOURS["official"]}
    assert {m.colour for m in charts["grain"].plotted if m.label.startswith("Official")} == official


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".jpg", b"\xff\xd8\xff"), (".JPEG", b"\xff\xd8\xff"),
                                               (".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_the_format_follows_the_extension(shipped_kb, suffix, magic):
    from bot.charts import chart_format

    chart = render_chart("grain", shipped_kb, chart_format(f"x{suffix}"))
    assert chart.image.startswith(magic)


def test_other_extensions_are_refused_by_name():
    from bot.charts import ChartError, chart_format

    for name, said in (("x.gif", "gif"), ("x.webp", "webp"), ("chart", "extension")):
        with pytest.raises(ChartError, match=said):
            chart_format(name)


def test_timeline_draws_its_events_from_timeline_yaml(charts, shipped_kb):
    from bot.charts import TIMELINE_EVENTS, TIMELINE_PHASES, date_span

    chart = charts["timeline"]
    by_id = {e.id: e for e in shipped_kb.timeline}
    assert all(eid in by_id for eid, _ in TIMELINE_EVENTS), "a timeline chart event is no longer in timeline.yaml"
    events = [m for m in chart.plotted if m.kind == "event"]
    assert len(events) == len(TIMELINE_EVENTS)
    drawn = {m.label: m for m in events}
    for eid, label in TIMELINE_EVENTS:     # each at its date in timeline.yaml (a year-only date across its year)
        assert (drawn[label].group, (drawn[label].low, drawn[label].high)) == (by_id[eid].date, date_span(by_id[eid].date))
    assert [m.low for m in events] == sorted(m.low for m in events)       # top to bottom in date order
    spans = {m.label: m for m in chart.plotted if m.kind == "span"}
    assert {label for label, *_ in TIMELINE_PHASES} | {"Famine years"} == set(spans)
    assert spans["Lushan"].low < spans["Lushan"].high <= spans["Retreat"].low
    assert all(m.low >= 1957 and m.high <= 1963 for m in chart.plotted)
    assert set(chart.sources) == {r.id for eid, _ in TIMELINE_EVENTS for r in by_id[eid].sources}


def test_timeline_is_offered_wherever_charts_are_listed():
    from bot.charts import CHART_DESCRIPTIONS

    assert "timeline" in CHARTS and set(CHART_DESCRIPTIONS) == set(CHARTS)
