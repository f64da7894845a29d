"""The glf-tutor command line (also `python -m bot`). See DESIGN.md, "Command-line contract".

Imports are made inside each command so the terminal tutor starts fast and never loads discord.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import config, terminal
from bot.terminal.common import load_tutor as _tutor  # the Discord commands build their tutor with it too


def _emit(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_eval(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine.evaluation import QuestionFileError, evaluate, load_question_file, report

    try:
        questions = load_question_file(Path(args.file))
    except QuestionFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    result = evaluate(_tutor(settings), questions)
    if args.json:
        _emit(result.to_dict())
    else:
        print(report(result, failures=not args.quiet))
    return 0


def cmd_bench(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine.bench import format_report, run_bench

    figures = run_bench(settings, rounds=args.rounds, sizes=tuple(args.sizes), interactions=args.interactions)
    if args.json:
        _emit(figures)
    else:
        print(format_report(figures))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glf-tutor", description="GLF Tutor: a sourced study companion on the Great Leap Forward."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    terminal.add_commands(sub)   # ask, chat, check, quiz, review, progress, chart, reports

    p = sub.add_parser("eval", help="score a question file")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--quiet", action="store_true", help="figures only, no list of failures")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="latency, throughput, cold start and memory figures")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rounds", type=int, default=20, help="passes over the question mix (default 20)")
    p.add_argument(
        "--sizes", type=int, nargs="*", default=[3_000, 30_000], metavar="N",
        help="synthetic knowledge-base sizes compared with bm25s (default 3000 30000; none to skip)",
    )
    p.add_argument("--interactions", type=int, default=500, help="concurrent /ask interactions for the load run (0 skips)")
    p.set_defaults(func=cmd_bench)

    # Optional front ends add their own subcommands (Discord: run/sync/commands).
    for module in ("bot.discord_cli",):
        try:
            add_commands = __import__(module, fromlist=["add_commands"]).add_commands
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = config.Settings.from_env()
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
