"""The answers' Markdown (written for Discord) as terminal text: no asterisks or "> " left for a reader
to skip. On a terminal that takes colour, headings are bold and titles italic; in a pipe, plain words."""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

# Only the marks the tutor itself writes (compose, formatting): **bold**, *italic*, "> " quoted lines.
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_QUOTED = re.compile(r"^> ?", re.M)
QUOTE_INDENT = "    "  # a quoted passage stands indented under its heading, as a block quote does
BOLD, ITALIC, RESET = "\033[1m", "\033[3m", "\033[0m"


def styled(stream: TextIO) -> bool:
    """The stream is a terminal and colour is not turned off (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def plain(text: str, style: bool = False) -> str:
    """`text` without its Markdown; `style`: with ANSI bold and italic in its place."""
    bold, italic = (rf"{BOLD}\1{RESET}", rf"{ITALIC}\1{RESET}") if style else (r"\1", r"\1")
    text = _BOLD.sub(bold, text)
    text = _ITALIC.sub(italic, text)
    return _QUOTED.sub(QUOTE_INDENT, text)


def for_terminal(text: str, stream: TextIO | None = None) -> str:
    return plain(text, styled(stream or sys.stdout))
