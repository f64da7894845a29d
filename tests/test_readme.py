"""The README stays true: its test command is what CI runs, and its sample answer is real."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line.strip() for line in README.splitlines() if "pytest" in line and "pip install" in line)
    assert command in ci


def test_readme_sample_answer_is_what_the_tutor_says():
    question = re.search(r'\$ glf-tutor ask "([^"]+)"', README).group(1)
    sample = re.search(r"```\n(.*?)\n```", README, re.S).group(1)
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", question], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == sample.strip()
