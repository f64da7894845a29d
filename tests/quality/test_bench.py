from bot.quality.bench import format_report


def _figures(synthetic: list[dict]) -> dict:
    return {
        "passages": 282, "units": 646, "questions": 383, "answers": 844, "p50_ms": 0.6, "p99_ms": 1.3, "max_ms": 3.0,
        "answers_per_s": 1500.0, "cold_start_s": 0.4, "first_start_s": 0.9, "load_and_index_s": 0.6, "rss_mb": 112.0,
        "synthetic": synthetic, "load": {"skipped": "none asked for"}, "chart_burst": {"skipped": "none asked for"},
        "targets": {},
    }


def test_the_synthetic_line_gives_both_medians_beside_the_p99_ratio():
    """A ratio met at p99 can hide a median twice bm25s's: the line shows both."""
    row = {"passages": 30000, "p50_ms": 1.484, "p99_ms": 2.293, "bm25s_p50_ms": 0.639, "bm25s_p99_ms": 5.01, "ratio": 0.458}
    line = next(x for x in format_report(_figures([row])).splitlines() if x.startswith("synthetic"))
    assert "p99 2.293 ms vs bm25s top-10 p99 5.010 ms, ratio 0.46 (ok)" in line
    assert "p50 1.484 ms vs 0.639 ms" in line


def test_a_skipped_synthetic_row_says_why():
    row = {"passages": 3000, "skipped": "bm25s not installed: pip install '.[bench]'"}
    assert "skipped (bm25s not installed" in format_report(_figures([row]))
