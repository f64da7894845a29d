"""Running glf-tutor as a real process, as a student or curator would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if k != "GLF_KNOWLEDGE_DIR"}   # the default, unless given
    full_env = {**inherited, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=timeout)


@pytest.fixture
def db_env(tmp_path) -> dict[str, str]:
    return {"GLF_DATABASE": str(tmp_path / "state.sqlite3")}
