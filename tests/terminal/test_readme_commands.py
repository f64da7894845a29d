"""The README's command lines name real subcommands, options and charts (it is read as a manual)."""

from __future__ import annotations

import argparse
import re

import pytest

from bot.charts import CHARTS
from bot.cli import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def command_lines() -> list[str]:
    """Every `glf-tutor …` command in the README's code blocks and inline code, from the subcommand on."""
    codes = []
    for line in README.splitlines():
        codes += [line.split("#")[0]] if line.startswith("    ") else re.findall(r"`([^`]*)`", line)
    found = []
    for code in codes:
        for m in re.finditer(r"(?:^|(?<=[\s/]))glf-tutor (?=[a-z])", code):
            rest = code[m.end():]
            if not rest.startswith("glf-tutor"):       # `docker run … glf-tutor glf-tutor sync`: the second one
                found.append(rest.split(" glf-tutor")[0].strip())
    return found


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    return dict(action.choices) if action else {}


def options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings}


LINES = command_lines()


def test_the_readme_has_commands():
    assert len(LINES) > 20
    assert any(line.startswith("check") for line in LINES) and any(line.startswith("reports resolve") for line in LINES)


@pytest.mark.parametrize("line", LINES)
def test_each_readme_command_exists(line):
    commands = subparsers(build_parser())
    for alternative in line.split(" | "):     # "run | sync [--guild ID] | commands [--json]"
        words = alternative.split()
        name = words[0]
        assert name in commands, f"`glf-tutor {name}` in the README is not a command"
        parser = commands[name]
        nested = subparsers(parser)
        if len(words) > 1 and words[1] in nested:
            parser = nested[words[1]]
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", alternative):
            assert option in options(parser), f"`glf-tutor {name}` has no option {option} (README: {line!r})"
        if name == "chart":
            shown = re.search(r"chart ([\w|]+) ", alternative).group(1)
            assert set(shown.split("|")) <= set(CHARTS) and (set(shown.split("|")) == set(CHARTS) or len(words) > 1)


def test_commands_section_lists_every_chart():
    line = next(line for line in LINES if line.startswith("chart ") and "|" in line)
    assert set(re.search(r"chart ([\w|]+)", line).group(1).split("|")) == set(CHARTS)
