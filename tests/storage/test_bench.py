"""`glf-tutor bench --storage` measures both backends with 1 and 4 writers and loses no answer doing it
(the figures themselves are printed, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO


def test_bench_storage_reports_both_backends_and_every_answer_is_stored(pg_url):
    proc = subprocess.run([sys.executable, "-m", "bot", "bench", "--storage", "--postgres", pg_url, "--storage-answers", "20",
                           "--json"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    assert [b["backend"] for b in figures["backends"]] == ["sqlite", "postgresql"]
    for backend in figures["backends"]:
        assert [r["writers"] for r in backend["runs"]] == [1, 4]
        for r in backend["runs"]:
            assert r["answers"] == r["stored"] == 20 * r["writers"]
            assert r["answers_per_s"] > 0 and 0 < r["p50_ms"] <= r["p99_ms"]
    assert "s3cret" not in proc.stdout
