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
