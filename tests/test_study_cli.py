"""The terminal study tools, run as real processes: quiz, review, progress, chart — and a SIGKILL mid-quiz."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.storage import Database

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")


def env_for(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "GLF_DATABASE": str(tmp_path / "quiz.sqlite3"), "PYTHONUNBUFFERED": "1"}


def run(tmp_path, *args, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=env_for(tmp_path), cwd=REPO, timeout=120)


class Player:
    """Drives `glf-tutor quiz` over a pipe, reading its output line by line."""

    def __init__(self, tmp_path, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "quiz", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(tmp_path),
                                     cwd=REPO)
        self.lines: list[str] = []

    def until(self, pattern: str, timeout: float = 60) -> re.Match:
        found: list[re.Match] = []

        def read() -> None:
            for line in self.proc.stdout:
                self.lines.append(line)
                if m := re.search(pattern, line):
                    found.append(m)
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        if not found:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            pytest.fail(f"never saw {pattern!r}; output so far:\n{''.join(self.lines)}\n{err}")
        return found[0]

    def send(self, text: str) -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()


def test_quiz_plays_in_the_terminal(tmp_path):
    out = run(tmp_path, "quiz", "--user", "ann", "--questions", "3", "--seed", "1", stdin="A\nb\n3\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Question ") == 3 and "Final score:" in out.stdout
    assert re.search(r"1\. ann: \d+ points \(\d/3 right\)", out.stdout)
    prog = run(tmp_path, "progress", "--user", "ann")
    assert re.search(r"ann: \d/3 right", prog.stdout)


def test_bad_input_is_reprompted_and_q_stops(tmp_path):
    out = run(tmp_path, "quiz", "--user", "bo", "--questions", "2", stdin="zebra\nq\n")
    assert "Type A, B, C or D" in out.stdout and "Quiz stopped." in out.stdout
    assert run(tmp_path, "quiz", "--topic", "bananas").returncode == 2


def test_sigkill_mid_quiz_keeps_every_answer_and_resumes(tmp_path):
    player = Player(tmp_path, "--user", "kim", "--questions", "5", "--seed", "7")
    for n in (1, 2, 3):
        player.until(rf"^Question {n} of 5")
        player.send("A")
    player.until(r"^Question 4 of 5")          # answers 1-3 given, the fourth is on screen
    player.proc.send_signal(signal.SIGKILL)
    player.proc.wait(10)
    assert player.proc.returncode == -signal.SIGKILL

    db = Database(tmp_path / "quiz.sqlite3")
    [live] = db.live_quizzes()
    answers = db.quiz_answers(live.id)
    assert [a.position for a in answers] == [0, 1, 2] and {a.user_key for a in answers} == {"local:kim"}
    assert all(a.revealed for a in answers) and live.position == 3
    points_before = sum(a.points for a in answers)
    plan = live.plan
    db.close()

    # restart: resumes at question 4 with the score intact, then plays to the end
    out = run(tmp_path, "quiz", "--user", "kim", stdin="B\nC\n")
    assert out.returncode == 0, out.stderr
    assert f"Resuming your unfinished quiz at question 4 of 5 — {points_before} points so far." in out.stdout
    assert "Question 4 of 5" in out.stdout and "Question 1 of 5" not in out.stdout
    db = Database(tmp_path / "quiz.sqlite3")
    session = db.quiz(live.id)
    assert session.phase == "finished" and session.plan == plan
    answers = db.quiz_answers(live.id)
    assert [a.position for a in answers] == [0, 1, 2, 3, 4]
    total = sum(a.points for a in answers)
    assert re.search(rf"1\. kim: {total} points \({sum(a.correct for a in answers)}/5 right\)", out.stdout)


def test_sigkill_after_an_answer_before_its_reveal(tmp_path):
    """The answer in flight was committed: after a restart it is not asked again, just revealed."""
    player = Player(tmp_path, "--user", "lee", "--questions", "2", "--seed", "3")
    player.until(r"^Question 1 of 2")
    db = Database(tmp_path / "quiz.sqlite3")
    [live] = db.live_quizzes()
    player.send("A")           # kill as soon as the answer row exists (the reveal may or may not have followed)
    for _ in range(500):
        if db.quiz_answers(live.id):
            break
        threading.Event().wait(0.01)
    player.proc.send_signal(signal.SIGKILL)
    player.proc.wait(10)
    assert len(db.quiz_answers(live.id)) == 1
    out = run(tmp_path, "quiz", "--user", "lee", stdin="A\n")
    assert out.returncode == 0, out.stderr
    assert "Final score:" in out.stdout
    assert [a.position for a in db.quiz_answers(live.id)] == [0, 1]


def test_review_after_a_quiz(tmp_path):
    run(tmp_path, "quiz", "--user", "max", "--questions", "4", "--seed", "2", stdin="A\nA\nA\nA\n")
    db = Database(tmp_path / "quiz.sqlite3")
    wrong = [a for a in db.user_answers("local:max") if not a.correct]
    out = run(tmp_path, "review", "--user", "max", stdin="A\n" * len(wrong))
    assert out.returncode == 0
    assert out.stdout.count("(box 1 of 5)") == len(wrong)
    assert "Nothing due for review" in out.stdout


def test_chart_writes_a_png(tmp_path):
    out = run(tmp_path, "chart", "deaths", "-o", str(tmp_path / "d.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Sources:" in out.stdout
    assert run(tmp_path, "chart", "rice", "-o", str(tmp_path / "r.png")).returncode == 2


def test_study_cli_imports_neither_discord_nor_matplotlib():
    code = "import sys, bot.cli; bot.cli.build_parser(); print(sorted(m for m in ('discord', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    # bot.discord.cli (another front end) may import discord; the study commands must not add matplotlib
    assert "matplotlib" not in out.stdout
    code = "import sys, bot.terminal; print([m for m in ('discord', 'matplotlib') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.stdout.strip() == "[]"
