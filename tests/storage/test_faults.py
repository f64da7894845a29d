"""Faults, against a real PostgreSQL server: a wrong URL, a refused connection or wrong credentials
stop the tutor at start with one line and exit 2 (the password never shown); a server restart while
the tutor runs loses no committed answer; a server that stays down is reported, nothing half-saved."""

from __future__ import annotations

import logging
import random
import subprocess
import sys

import pytest

from bot.storage import Database, StorageError, StorageUnavailable, mask_url
from bot.study.quiz import QuizRules, Receipt
from bot.study.rooms import QuizRooms
from tests.conftest import REPO
from tests.pgcluster import PASSWORD


def run_cli(*args: str, database: str) -> subprocess.CompletedProcess:
    env = {"GLF_DATABASE": database, "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=60, stdin=subprocess.DEVNULL)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", [["db", "check"], ["quiz"], ["reports"]])
def test_wrong_credentials_are_one_line_and_exit_2(pg_cluster, command):
    proc = run_cli(*command, database=pg_cluster.url("postgres", password="not-the-password"))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "password authentication failed" in lines[0]
    assert "not-the-password" not in proc.stderr + proc.stdout and ":***@" in lines[0]


def test_a_refused_connection_is_one_line_and_exit_2():
    proc = run_cli("db", "check", database=f"postgresql://glf:{PASSWORD}@127.0.0.1:{free_port()}/glf")
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "cannot connect" in line and "refused" in line.lower() and PASSWORD not in line


@pytest.mark.parametrize("url", ["postgresql://glf:pw@127.0.0.1:notaport/glf", "mysql://glf:pw@localhost/glf",
                                 "postgresql://glf:pw@127.0.0.1:5432/glf?sslmode=nonsense"])
def test_a_wrong_url_is_one_line_and_exit_2(url):
    proc = run_cli("db", "check", database=url)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert ":pw@" not in line and "glf-tutor:" in line


def test_the_logged_url_has_its_password_masked(pg_url, caplog):
    with caplog.at_level(logging.INFO, logger="glf_tutor.storage"):
        db = Database(pg_url)
    db.close()
    assert mask_url(pg_url) in caplog.text and PASSWORD not in caplog.text
    assert mask_url(pg_url) == pg_url.replace(PASSWORD, "***")


def rooms(kb, db) -> QuizRooms:
    return QuizRooms(kb, db, lambda: 1_000.0, random.Random(0), QuizRules(time_limit=1e9))


def test_a_server_restart_loses_no_committed_answer(pg_cluster, pg_url, shipped_kb):
    db = Database(pg_url, clock=lambda: 1_000.0)
    quizzes = rooms(shipped_kb, db)
    room = quizzes.start("discord:1", starter="a", guild_id=5)
    before = [quizzes.answer("discord:1", f"u{i}", 0, at=1_000.0).receipt for i in range(20)]
    pg_cluster.restart()    # every connection is cut; the next transaction reconnects and runs again
    after = [quizzes.answer("discord:1", f"u{i}", 0, at=1_000.0).receipt for i in range(20, 40)]
    assert before + after == [Receipt.ACCEPTED] * 40 and db.retries == 1   # one transaction ran again
    fresh = Database(pg_url)
    assert sorted(a.user_key for a in fresh.quiz_answers(room.session.id)) == sorted(f"u{i}" for i in range(40))
    fresh.close()
    db.close()


def test_a_server_that_stays_down_is_reported_and_the_answer_can_be_given_again(pg_cluster, pg_url, shipped_kb):
    db = Database(pg_url, clock=lambda: 1_000.0)
    db.RECONNECT_WAIT_S = 0.5
    quizzes = rooms(shipped_kb, db)
    room = quizzes.start("discord:1", starter="a", guild_id=5)
    assert quizzes.answer("discord:1", "ann", 0, at=1_000.0).receipt is Receipt.ACCEPTED
    pg_cluster.stop()
    try:
        with pytest.raises(StorageUnavailable) as caught:
            quizzes.answer("discord:1", "ben", 1, at=1_000.0)
        assert PASSWORD not in str(caught.value) and "nothing was saved" in str(caught.value)
        assert not room.session.has_answered("ben") and room.session.has_answered("ann")  # not saved, so not given
    finally:
        pg_cluster.start()
    assert quizzes.answer("discord:1", "ben", 1, at=1_000.0).receipt is Receipt.ACCEPTED   # pressed again: saved
    assert {a.user_key for a in db.quiz_answers(room.session.id)} == {"ann", "ben"}
    db.close()


def test_storage_errors_name_the_database_without_its_password(pg_cluster):
    with pytest.raises(StorageError) as caught:
        Database(pg_cluster.url("nope_no_such_db"))
    assert "nope_no_such_db" in str(caught.value) and PASSWORD not in str(caught.value)
