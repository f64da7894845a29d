"""`glf-tutor quiz` in a real pseudo-terminal and through pipes: the countdown, the stop at the time
limit, the saved quiz after Ctrl-C, and why a quiz is shorter than asked.

No assertion here is about speed: the tests wait for what the quiz prints (with a generous
timeout), and a quiz that waited forever would fail by never printing it.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time

import pytest

from bot.storage import Database
from bot.terminal.timed_input import TIMEOUT, LineEditor, TimedReader
from tests.conftest import FIXTURE_KB, REPO
from tests.terminal.conftest import run_cli

posix_only = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals and signals")


def quiz_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GLF_KNOWLEDGE_DIR"}
    return {**env, "PYTHONPATH": str(REPO), "GLF_DATABASE": str(tmp_path / "quiz.sqlite3"), **extra}


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty, so Ctrl-C sends it SIGINT."""
    import fcntl
    import termios

    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """glf-tutor in a pseudo-terminal: what a student sees and types."""

    def __init__(self, tmp_path, *args: str):
        import pty

        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=quiz_env(tmp_path), cwd=REPO, close_fds=True, preexec_fn=_own_terminal)
        os.close(slave)
        self.screen = ""
        self.pos = 0        # like expect: each until() looks only past what the previous one matched

    def until(self, pattern: str, timeout: float = 60) -> re.Match:
        end = time.monotonic() + timeout
        while not (m := re.compile(pattern).search(self.screen, self.pos)):
            left = end - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(left, 0))
            if not ready:
                pytest.fail(f"never saw {pattern!r}; the screen so far:\n{self.screen}")
            try:
                data = os.read(self.master, 4096)
            except OSError:     # the process ended and closed the terminal
                data = b""
            if not data:
                pytest.fail(f"the quiz ended before {pattern!r}; the screen:\n{self.screen}")
            self.screen += data.decode("utf-8", "replace")
        self.pos = m.end()
        return m

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> int:
        try:
            return self.proc.wait(30)
        finally:
            os.close(self.master)


@posix_only
def test_countdown_on_a_terminal_and_the_quiz_stops_waiting_at_the_limit(tmp_path):
    term = Terminal(tmp_path, "quiz", "--questions", "2", "--time-limit", "3", "--seed", "1")
    term.until(r"Question 1 of 2")
    term.until(r"Time's up\.")                       # nobody typed anything: the quiz moved on by itself
    first = term.screen[: term.pos]
    shown = [int(n) for n in re.findall(r"\[\s*(\d+) s\]", first)]
    assert len(set(shown)) >= 2 and shown == sorted(shown, reverse=True), shown   # the seconds went down
    term.until(r"Question 2 of 2")
    term.until(r"\[\s*\d+ s\] > ")
    term.type("x\x7fB\r")                           # a typo, Backspace, then the answer
    term.until(r"Final score:")
    assert term.close() == 0
    assert "Too late" not in term.screen and "No answer" not in term.screen
    assert term.screen.count("Time's up") == 1      # one message for the question that ran out
    assert re.search(r"(Right!|Not quite\.) .*The answer", term.screen)
    db = Database(tmp_path / "quiz.sqlite3")
    [answer] = db.user_answers("local:you")
    assert answer.position == 1 and answer.choice        # B was recorded for question 2 only


@posix_only
def test_piped_quiz_does_not_wait_forever(tmp_path):
    """Standard input stays open and silent: each question still ends at its limit, then the quiz does."""
    import threading

    proc = subprocess.Popen([sys.executable, "-m", "bot", "quiz", "--questions", "3", "--time-limit", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=quiz_env(tmp_path), cwd=REPO)
    printed: list[str] = []
    reader = threading.Thread(target=lambda: printed.append(proc.stdout.read()), daemon=True)
    reader.start()
    reader.join(60)          # stdout ends when the quiz ends; our end of its stdin stays open all along
    try:
        assert printed, "the quiz was still waiting for input after 60 s"
        proc.wait(30)
    finally:
        proc.stdin.close()
        if proc.poll() is None:
            proc.kill()
    out = printed[0]
    assert proc.returncode == 0, proc.stderr.read()
    assert out.count("Time's up.") == 2
    assert "Two questions in a row without an answer: the quiz ends here." in out
    assert "Too late" not in out and "No answer" not in out


@posix_only
def test_ctrl_c_says_the_quiz_is_saved_and_how_to_resume(tmp_path):
    term = Terminal(tmp_path, "quiz", "--user", "Kim Lee", "--questions", "3", "--seed", "4")
    term.until(r"Question 1 of 3")
    term.until(r"\[\s*\d+ s\] > ")
    term.type("A\r")
    term.until(r"Question 2 of 3")
    term.until(r"\[\s*\d+ s\] > ")
    term.type("\x03")                               # Ctrl-C
    term.until(r"Carry on with `[^`]+`")
    assert term.close() == 130
    assert "Quiz paused and saved at question 2 of 3" in term.screen
    assert "Carry on with `glf-tutor quiz --user 'Kim Lee'`" in term.screen
    assert "Traceback" not in term.screen
    resumed = run_cli("quiz", "--user", "Kim Lee", stdin="B\nC\n", env=quiz_env(tmp_path))
    assert "Resuming your unfinished quiz at question 2 of 3" in resumed.stdout
    assert "Final score:" in resumed.stdout


def test_end_of_input_says_how_to_resume(tmp_path):
    out = run_cli("quiz", "--user", "ann", "--questions", "2", stdin="", env=quiz_env(tmp_path))
    assert out.returncode == 0
    assert "Quiz paused and saved at question 1 of 2" in out.stdout and "`glf-tutor quiz --user ann`" in out.stdout
    assert len(Database(tmp_path / "quiz.sqlite3").live_quizzes()) == 1


def test_a_shorter_quiz_says_why(tmp_path):
    """The fixture knowledge base has one quiz question: asking for 3 gives 1, and the quiz says so."""
    fixture = quiz_env(tmp_path, GLF_KNOWLEDGE_DIR=str(FIXTURE_KB))
    out = run_cli("quiz", "--questions", "3", stdin="A\n", env=fixture)
    assert out.returncode == 0, out.stderr
    assert "Quiz: 1 question," in out.stdout
    assert "Only 1 question in the question bank, so this quiz has 1, not 3." in out.stdout
    topic = run_cli("quiz", "--questions", "3", "--topic", "pests", "--user", "bo", stdin="A\n", env=fixture)
    assert "Only 1 question on " in topic.stdout and "(pests)" in topic.stdout
    full = run_cli("quiz", "--questions", "1", "--user", "cy", stdin="A\n", env=fixture)
    assert "Only" not in full.stdout


def test_zero_questions_and_a_blank_name_are_refused(tmp_path):
    out = run_cli("quiz", "--questions", "0", stdin="", env=quiz_env(tmp_path))
    assert out.returncode == 2 and "A quiz has 1 to 20 questions." in out.stdout + out.stderr
    for command in ("quiz", "review", "progress"):
        blank = run_cli(command, "--user", "  ", stdin="", env=quiz_env(tmp_path))
        assert blank.returncode == 2 and "a name can't be blank" in blank.stderr and "Traceback" not in blank.stderr
    assert not Database(tmp_path / "quiz.sqlite3").live_quizzes()


def test_time_limit_must_be_a_sensible_number(tmp_path):
    for bad in ("0", "-5", "soon"):
        out = run_cli("quiz", "--time-limit", bad, stdin="", env=quiz_env(tmp_path))
        assert out.returncode == 2 and "--time-limit" in out.stderr and "Traceback" not in out.stderr


# ----- the reader on its own ----------------------------------------------------------------------
def test_line_editor_handles_backspace_ctrl_u_arrows_and_ctrl_d():
    editor = LineEditor()
    assert editor.feed("ab\x7fc") is None and editor.text == "ac"
    assert editor.feed("\x1b[D\x1b[A") is None and editor.text == "ac"      # arrow keys are ignored
    assert editor.feed("\x15B\r") == ("line", "B")                         # Ctrl-U cleared "ac"
    assert editor.feed("x\x04") is None                                    # Ctrl-D ends input only on an empty line
    assert editor.feed("\x15\x04") == ("eof", None)


@posix_only
def test_reader_returns_lines_then_timeout_then_end_of_input():
    import io

    read_fd, write_fd = os.pipe()
    now = [100.0]
    with os.fdopen(read_fd, "r") as stdin:
        reader = TimedReader(stdin=stdin, stdout=io.StringIO(), clock=lambda: now[0])
        assert not reader.terminal
        os.write(write_fd, b"first\nsec")
        assert reader.read("> ", deadline=200.0) == "first"
        now[0] = 300.0                               # the deadline has passed and no whole line is there
        assert reader.read("> ", deadline=200.0) is TIMEOUT
        os.write(write_fd, b"ond\n")
        now[0] = 100.0
        assert reader.read("> ", deadline=200.0) == "second"
        os.close(write_fd)
        assert reader.read("> ", deadline=200.0) is None
