"""Several bot processes on one database (PostgreSQL, and SQLite on one machine): shard processes
resume only their own quizzes; concurrent answers are neither lost nor recorded twice; a SIGKILL
mid-quiz and a database restart leave every committed answer in place."""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading

from bot.storage import Database
from bot.study.quiz import QuizRules
from bot.study.rooms import QuizRooms
from tests.conftest import REPO

SHARD0, SHARD1 = 100 << 22, 101 << 22   # servers on shard 0 and shard 1 of 2


def worker(*args: str, stdin=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.storage.worker", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin)


def finish(proc: subprocess.Popen, timeout: float = 120) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


class Lines:
    """A worker's JSON lines as they come, read on a thread (bounded waits, no sleeps)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc, self.lines = proc, queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            if line.endswith("\n"):
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def take(self, n: int, key: str = "committed") -> list[dict]:
        got = []
        while sum(key in item for item in got) < n:
            item = self.lines.get(timeout=60)
            assert item is not None, self.proc.stderr.read()
            got.append(item)
        return got

    def rest(self) -> list[dict]:
        items = []
        while (item := self.lines.get(timeout=60)) is not None:
            items.append(item)
        return items


def start_quiz(kb, target: str, channel: str, guild_id: int | None) -> str:
    db = Database(target)
    rooms = QuizRooms(kb, db, lambda: 1_000.0, random.Random(0), QuizRules(time_limit=1e9))
    session_id = rooms.start(channel, starter="discord:7", guild_id=guild_id, questions=3).session.id
    db.close()
    return session_id


def test_two_shard_processes_resume_only_their_own_quizzes(shipped_kb, db_target):
    guilds = {"discord:1": SHARD0, "discord:2": SHARD1, "discord:3": SHARD0, "discord:4": SHARD1, "discord:5": None}
    sessions = {channel: start_quiz(shipped_kb, db_target, channel, guild) for channel, guild in guilds.items()}
    terminal = start_quiz(shipped_kb, db_target, "terminal:ann", None)
    procs = [worker("resume", db_target, "2", str(shard)) for shard in (0, 1)]
    first, second = (finish(p) for p in procs)
    assert first["resumed"] == ["discord:1", "discord:3", "discord:5"]   # direct messages belong to shard 0
    assert second["resumed"] == ["discord:2", "discord:4"]
    db = Database(db_target)
    for channel, session_id in sessions.items():
        owner = 0 if guilds[channel] in (SHARD0, None) else 1
        assert [a.user_key for a in db.quiz_answers(session_id)] == [f"shard-{owner}"], channel
    assert db.quiz_answers(terminal) == [] and db.quiz(terminal).phase == "asking"   # left alone by both
    db.close()


def test_four_processes_with_200_concurrent_answers_each_lose_none_and_double_none(db_target):
    db = Database(db_target)
    assert db.create_quiz(session_id="s", channel="discord:1", guild_id=5, starter="a", starter_name=None, topic=None,
                          difficulty=None, plan=[("q1", (0, 1, 2, 3))], time_limit=20.0, asked_at=0.0)
    procs = [worker("answers", db_target, "s", str(w), "200", stdin=subprocess.PIPE) for w in range(4)]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [finish(p) for p in procs]
    assert [r["own"] for r in results] == [200] * 4            # every answer of each process's own users
    assert sum(r["shared"] for r in results) == 200            # a user pressing in 4 processes counts once
    users = [a.user_key for a in db.quiz_answers("s")]
    assert len(users) == len(set(users)) == 1000
    assert set(users) == {f"w{w}-{i}" for w in range(4) for i in range(200)} | {f"shared-{i}" for i in range(200)}
    db.close()


def test_a_sigkill_mid_quiz_leaves_every_committed_answer(shipped_kb, db_target):
    session_id = start_quiz(shipped_kb, db_target, "discord:9", SHARD0)
    proc = worker("press", db_target, "discord:9")
    lines = Lines(proc)
    seen = lines.take(40)
    os.kill(proc.pid, signal.SIGKILL)
    seen += lines.rest()
    proc.wait(timeout=30)
    committed = {f"u{item['committed']}" for item in seen if "committed" in item}
    db = Database(db_target)
    stored = {a.user_key for a in db.quiz_answers(session_id)}
    # every answer the process was told was committed is there; at most the one in flight beyond it
    assert committed <= stored and len(stored - committed) <= 1
    restarted = QuizRooms(shipped_kb, db, lambda: 1_000.0, random.Random(0), QuizRules(time_limit=1e9))
    room = restarted.resume("discord:9")
    assert {s.user for s in room.session.submissions(0)} == stored   # the restarted quiz carries them on
    db.close()


def test_a_database_restart_while_a_process_answers_loses_nothing(shipped_kb, pg_cluster, pg_url):
    session_id = start_quiz(shipped_kb, pg_url, "discord:9", SHARD0)
    proc = worker("press", pg_url, "discord:9")
    lines = Lines(proc)
    seen = lines.take(20)
    pg_cluster.restart()
    seen += lines.take(20)               # it carries on after the restart: reconnected, transaction run again
    proc.send_signal(signal.SIGKILL)
    seen += lines.rest()
    proc.wait(timeout=30)
    assert not [item for item in seen if "not_saved" in item]
    committed = {f"u{item['committed']}" for item in seen if "committed" in item}
    db = Database(pg_url)
    stored = {a.user_key for a in db.quiz_answers(session_id)}
    assert committed <= stored and len(stored - committed) <= 1 and len(committed) >= 40
    db.close()
