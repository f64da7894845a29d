"""`glf-tutor db upgrade` and `db check` on both backends; an old PostgreSQL schema keeps its rows."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import Settings
from bot.storage import MIGRATIONS, Database
from tests.conftest import REPO


def db_cli(*args: str, database: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "db", *args], capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={"GLF_DATABASE": database, "PATH": "/usr/bin:/bin"})


def test_upgrade_then_check(db_target):
    old = Database(db_target, migrate=False)
    old.migrate(2)        # a database as version 2 left it, with a live quiz in it
    old.execute("INSERT INTO quiz_sessions (id, channel, starter, plan, time_limit, created_at) VALUES"
                " ('s', 'discord:1', 'a', '[{\"id\": \"q\", \"order\": [0, 1]}]', 20, 1.0)")
    old.close()
    behind = db_cli("check", "--json", database=db_target)
    assert behind.returncode == 1 and json.loads(behind.stdout)["version"] == 2 and "db upgrade" in behind.stderr
    up = db_cli("upgrade", database=db_target)
    assert up.returncode == 0 and f"2 -> {len(MIGRATIONS)}" in up.stdout
    check = db_cli("check", "--json", database=db_target)
    figures = json.loads(check.stdout)
    assert check.returncode == 0 and figures["reachable"] and figures["version"] == len(MIGRATIONS)
    assert figures["rows"]["quiz_sessions"] == 1 and figures["rows"]["answers"] == 0
    assert "s3cret" not in check.stdout
    db = Database(db_target)
    (live,) = db.live_quizzes()
    assert live.id == "s" and live.message_id is None     # the column migration 3 added
    db.close()


def test_check_does_not_create_a_missing_sqlite_file(tmp_path):
    proc = db_cli("check", database=str(tmp_path / "missing.sqlite3"))
    assert proc.returncode == 1 and "no database" in proc.stderr and not (tmp_path / "missing.sqlite3").exists()


def test_glf_database_keeps_a_url_whole():
    url = "postgresql://glf:pw@db.internal:5432/glf_tutor"
    assert Settings.from_env({"GLF_DATABASE": url}).database == url   # a Path would turn // into /
    assert str(Settings.from_env({}).database) == "glf_tutor.sqlite3"
