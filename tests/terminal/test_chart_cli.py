"""`glf-tutor chart`: the format follows the extension; a bad path or format is one line and exit 2."""

from __future__ import annotations

import pytest

from tests.terminal.conftest import run_cli


@pytest.mark.parametrize(("name", "magic"), [("t.jpg", b"\xff\xd8\xff"), ("t.svg", b"<?xml")])   # all four: test_charts
def test_the_file_gets_the_format_its_name_says(tmp_path, name, magic):
    out = run_cli("chart", "timeline", "-o", str(tmp_path / name))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / name).read_bytes().startswith(magic)
    assert "Sources:" in out.stdout


@pytest.mark.parametrize(("target", "said"), [
    ("/no/such/dir/x.png", "the directory /no/such/dir does not exist"),
    ("x.gif", "cannot write gif images; use one of .jpg, .pdf, .png, .svg"),
    ("chart", "needs an extension"),
    (".", "is a directory"),
])
def test_bad_output_is_one_clear_line_and_exit_2(tmp_path, target, said):
    out = run_cli("chart", "deaths", "-o", target, cwd=tmp_path)
    assert out.returncode == 2
    assert said in out.stderr and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not any(tmp_path.iterdir())            # nothing written


def test_unknown_chart_names_the_charts(tmp_path):
    out = run_cli("chart", "rice", "-o", str(tmp_path / "r.png"))
    assert out.returncode == 2 and "deaths, grain, steel, timeline" in out.stderr
