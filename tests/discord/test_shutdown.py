"""`glf-tutor run` stops cleanly on SIGTERM (`docker stop`) and SIGINT (Ctrl-C): a real process.

`docker stop` sends SIGTERM to PID 1, and the kernel drops a signal to a PID namespace's init that
has no handler for it: Python as PID 1 used to ignore SIGTERM, so Docker killed it 10 s later with
no cleanup. Here the bot runs as PID 1 of a new PID namespace (`unshare --pid`, as in a container
without an init) in its offline test mode: everything starts as in a real run (extensions, buttons,
signal handling) except the gateway connection, and the shutdown path is the real one.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.discord.bot import OFFLINE_READY
from bot.storage import MIGRATIONS, Database
from tests.conftest import REPO

STARTUP_LIMIT_S = 60  # only so a broken start cannot hang the suite; nothing here is timed


def can_unshare() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


class Bot:
    """`python -m bot run --offline` in a subprocess, its stderr read line by line."""

    def __init__(self, tmp_path: Path, prefix: tuple[str, ...] = ()):
        self.database = tmp_path / "glf.sqlite3"
        env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
        env |= {"PYTHONPATH": str(REPO), "GLF_DATABASE": str(self.database), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "bot", "run", "--offline"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, text: str) -> None:
        while True:
            try:
                line = self.lines.get(timeout=STARTUP_LIMIT_S)
            except queue.Empty:
                self.proc.kill()
                raise AssertionError(f"never logged {text!r}:\n{''.join(self.log)}") from None
            if line is None:
                raise AssertionError(f"exited ({self.proc.wait()}) before logging {text!r}:\n{''.join(self.log)}")
            self.log.append(line)
            if text in line:
                return

    def finish(self) -> int:
        try:
            status = self.proc.wait(timeout=STARTUP_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the signal was ignored: the bot kept running\n" + "".join(self.log)) from None
        while (line := self.lines.get(timeout=STARTUP_LIMIT_S)) is not None:
            self.log.append(line)
        return status

    def assert_closed_cleanly(self) -> None:
        text = "".join(self.log)
        assert "shutdown signal received" in text and "the bot has stopped cleanly" in text, text
        assert "Traceback" not in text, text
        assert not Path(f"{self.database}-wal").exists()  # the database was closed (WAL checkpointed)
        reopened = Database(self.database)
        assert reopened.version == len(MIGRATIONS)
        reopened.close()


def init_of(namespace_parent: int) -> int:
    """The PID (in our namespace) of the process that is PID 1 in the new one: unshare's only child."""
    children = Path(f"/proc/{namespace_parent}/task/{namespace_parent}/children").read_text().split()
    (child,) = children
    return int(child)


@pytest.mark.skipif(not can_unshare(), reason="needs root and unshare(1) to make a PID namespace")
def test_sigterm_to_pid_1_in_a_pid_namespace_closes_the_bot_and_exits_0(tmp_path):
    bot = Bot(tmp_path, ("unshare", "--pid", "--fork", "--mount-proc"))
    bot.wait_for(OFFLINE_READY)
    pid1 = init_of(bot.proc.pid)
    assert Path(f"/proc/{pid1}/status").read_text().count("NSpid") == 1
    nspid = next(line for line in Path(f"/proc/{pid1}/status").read_text().splitlines() if line.startswith("NSpid"))
    assert nspid.split()[-1] == "1"  # it is PID 1 there, as in a container
    os.kill(pid1, signal.SIGTERM)
    assert bot.finish() == 0  # unshare --fork exits with its child's status
    bot.assert_closed_cleanly()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_bot_and_exits_0(tmp_path, sig):
    bot = Bot(tmp_path)
    bot.wait_for(OFFLINE_READY)
    bot.proc.send_signal(sig)
    assert bot.finish() == 0
    bot.assert_closed_cleanly()
