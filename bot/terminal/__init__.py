"""The terminal front end: ask, chat, check, fact, dispute, timeline, sources, quiz, review, progress, chart, reports.

Each command is one module here with its own add_commands(sub); this package's add_commands
registers them all with the glf-tutor parser (bot/cli.py). Nothing here imports discord.
"""

from __future__ import annotations

import argparse

from bot.terminal import ask, chart, chat, check, lookup, progress, quiz, reports, review

COMMANDS = (ask, chat, check, lookup, quiz, review, progress, chart, reports)


def add_commands(sub: argparse._SubParsersAction) -> None:
    for module in COMMANDS:
        module.add_commands(sub)
