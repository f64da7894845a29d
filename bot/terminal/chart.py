"""`glf-tutor chart NAME -o FILE`: a chart as an image; the format follows the file name."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot import config
from bot.terminal.common import load_kb, say, warn


def add_commands(sub: argparse._SubParsersAction) -> None:
    from bot.charts import CHART_DESCRIPTIONS, FORMATS

    names = ", ".join(f"{name} ({what})" for name, what in CHART_DESCRIPTIONS.items())
    kinds = ", ".join(sorted({s[1:] for s in FORMATS if s != ".jpeg"}))
    p = sub.add_parser("chart", help=f"draw a chart as an image ({', '.join(CHART_DESCRIPTIONS)})",
                       description=f"Charts: {names}. The file extension sets the format: {kinds}.")
    p.add_argument("name", metavar="NAME", help=", ".join(CHART_DESCRIPTIONS))
    p.add_argument("-o", "--output", required=True, metavar="FILE", help=f"the image to write ({kinds})")
    p.set_defaults(func=cmd_chart)


def output_problem(path: Path) -> str | None:
    """Why `path` cannot be written, before any drawing is done; None if it can be."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        return f"{path} is a directory; give a file name such as {path / 'chart.png'}"
    if not folder.is_dir():
        return f"cannot write {path}: the directory {folder} does not exist"
    if not os.access(folder, os.W_OK):
        return f"cannot write {path}: no permission to write in {folder}"
    return None


def cmd_chart(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.charts import CHARTS, ChartError, chart_format, render_chart

    if args.name not in CHARTS:
        warn(f"No chart called {args.name!r}; choose one of: {', '.join(CHARTS)}.")
        return 2
    path = Path(args.output)
    problem = fmt = None
    if not path.is_dir():       # a directory given as the file: say so rather than "no extension"
        try:
            fmt = chart_format(path)
        except ChartError as exc:
            problem = str(exc)
    if (problem := problem or output_problem(path)) is not None:
        warn(problem)
        return 2
    try:
        chart = render_chart(args.name, load_kb(settings), fmt)
    except ChartError as exc:
        warn(str(exc))
        return 2
    try:
        path.write_bytes(chart.image)
    except OSError as exc:
        warn(f"cannot write {path}: {exc.strerror or exc}")
        return 2
    say(f"Wrote {path} ({fmt.upper()}).\n{chart.caption}")
    return 0
