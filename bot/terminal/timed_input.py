"""Reading an answer against a deadline, with the remaining time on screen.

`input()` blocks until a line arrives, so a quiz could neither show a countdown nor stop waiting
at its time limit. TimedReader reads standard input without blocking (select on POSIX):

- on a terminal, it switches to cbreak mode (no line buffering, no echo; Ctrl-C still interrupts)
  and edits the line itself, redrawing "[ 42 s] > B" as the seconds go down;
- from a pipe or file, it reads whole lines as they come and stops waiting at the deadline;
- where select cannot watch standard input (Windows), a helper thread reads lines into a queue.

read() returns the line, None at the end of input, or TIMEOUT when the deadline passes first.
"""

from __future__ import annotations

import codecs
import contextlib
import math
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


class _Timeout:
    def __repr__(self) -> str:
        return "TIMEOUT"


TIMEOUT = _Timeout()

ERASE_LINE = "\r\x1b[K"


class LineEditor:
    """The line being typed in cbreak mode: printable characters, Backspace, Ctrl-U, Enter, Ctrl-D."""

    def __init__(self) -> None:
        self.text = ""
        self._escape = ""       # an escape sequence (arrow keys…) being skipped

    def feed(self, chars: str) -> tuple[str, str | None] | None:
        """Take typed characters; ("line", text) on Enter, ("eof", None) on Ctrl-D at an empty line."""
        for ch in chars:
            if self._escape:
                self._escape += ch
                if len(self._escape) > 1 and (ch.isalpha() or ch == "~"):
                    self._escape = ""
                continue
            if ch == "\x1b":
                self._escape = ch
            elif ch in "\r\n":
                line, self.text = self.text, ""
                return "line", line
            elif ch in "\x7f\b":
                self.text = self.text[:-1]
            elif ch == "\x15":          # Ctrl-U: clear the line
                self.text = ""
            elif ch == "\x04":          # Ctrl-D: end of input at an empty line
                if not self.text:
                    return "eof", None
            elif ch.isprintable():
                self.text += ch
        return None


def countdown(seconds_left: float) -> str:
    return f"[{max(0, math.ceil(seconds_left)):>3} s]"


class TimedReader:
    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None,
                 clock: Callable[[], float] = time.time):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.clock = clock
        self._pending = b""                 # bytes read past the last line (pipes)
        self._eof = False
        self._queue: queue.Queue | None = None
        try:
            self.fd: int | None = self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.terminal = self.fd is not None and os.isatty(self.fd) and _has_termios()
        self.selectable = self.fd is not None and os.name == "posix"

    def read(self, prompt: str, deadline: float | None) -> str | _Timeout | None:
        if deadline is None:
            try:
                return input(prompt)
            except EOFError:
                return None
        if self.terminal:
            return self._read_terminal(prompt, deadline)
        self._write(f"{countdown(deadline - self.clock())} {prompt}")
        if self.selectable:
            return self._read_pipe(deadline)
        return self._read_thread(deadline)

    # ----- a terminal: cbreak mode, our own line editing, a live countdown ----------------------
    def _read_terminal(self, prompt: str, deadline: float) -> str | _Timeout | None:
        import select
        import termios
        import tty

        assert self.fd is not None
        saved = termios.tcgetattr(self.fd)
        editor = LineEditor()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        shown = None
        try:
            tty.setcbreak(self.fd, termios.TCSANOW)
            while True:
                left = deadline - self.clock()
                screen = f"{countdown(left)} {prompt}{editor.text}"
                if screen != shown:
                    self._write(ERASE_LINE + screen)
                    shown = screen
                if left <= 0:
                    self._write("\n")
                    return TIMEOUT
                # wake when the whole seconds shown change, to redraw the countdown
                fraction = left - math.floor(left)
                wait = min(left, fraction or 1.0)
                ready, _, _ = select.select([self.fd], [], [], max(wait, 0.01))
                if not ready:
                    continue
                data = os.read(self.fd, 1024)
                if not data:
                    self._write("\n")
                    return None
                result = editor.feed(decoder.decode(data))
                if result is not None:
                    self._write("\n")
                    return result[1]
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    # ----- a pipe or file: whole lines, up to the deadline ---------------------------------------
    def _read_pipe(self, deadline: float) -> str | _Timeout | None:
        import select

        assert self.fd is not None
        while b"\n" not in self._pending:
            if self._eof:
                if self._pending:
                    line, self._pending = self._pending, b""
                    return line.decode("utf-8", "replace")
                return None
            left = deadline - self.clock()
            if left <= 0:
                self._write("\n")
                return TIMEOUT
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                data = os.read(self.fd, 4096)
                if data:
                    self._pending += data
                else:
                    self._eof = True
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r")

    # ----- no select on standard input: a reader thread ------------------------------------------
    def _read_thread(self, deadline: float) -> str | _Timeout | None:
        if self._queue is None:
            self._queue = queue.Queue()
            threading.Thread(target=self._pump, daemon=True).start()
        try:
            line = self._queue.get(timeout=max(0.0, deadline - self.clock()))
        except queue.Empty:
            self._write("\n")
            return TIMEOUT
        return None if line is None else line.rstrip("\r\n")

    def _pump(self) -> None:
        assert self._queue is not None
        for line in self.stdin:
            self._queue.put(line)
        self._queue.put(None)

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stdout.write(text)
            self.stdout.flush()


def _has_termios() -> bool:
    try:
        import termios  # noqa: F401
        import tty  # noqa: F401
    except ImportError:
        return False
    return True
