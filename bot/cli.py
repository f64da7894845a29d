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
    from bot.quality.evaluation import QuestionFileError, default_sets, evaluate, load_question_file, report, summary

    files = [Path(f) for f in args.file] or default_sets()
    if not files:
        print("No question file given and none found in tests/data/ (run from a checkout).", file=sys.stderr)
        return 2
    sets = {}
    for f in files:
        try:
            sets[f.stem.removesuffix("_questions")] = load_question_file(f)
        except QuestionFileError as exc:
            print(f"{f}: {exc}", file=sys.stderr)
            return 2
    if args.ablation:
        return _ablation(settings, sets)
    tutor = _tutor(settings)
    results = {name: evaluate(tutor, items) for name, items in sets.items()}
    if len(results) == 1:
        (result,) = results.values()
        if args.json:
            _emit(result.to_dict())
        else:
            print(report(result, failures=not args.quiet))
    elif args.json:
        _emit({"sets": {name: r.figures() for name, r in results.items()}})
    else:
        print(summary(results))  # several sets: figures only, so a held-out set's failures are not read in passing
    return 0


def _ablation(settings: config.Settings, sets: dict) -> int:
    from bot.engine import load_knowledge
    from bot.quality.calibrate import TRAINING_FILES, ablation

    figures = ablation(load_knowledge(settings.knowledge_dir), sets, list(TRAINING_FILES))
    keys = (
        ("in_scope_pass", "in-scope"),
        ("disputed_flagged", "disputed"),
        ("abstention_recall", "refused"),
        ("false_abstention", "false abst."),
        ("followup_pass", "follow-ups"),
    )
    print(f"{'':<10}{'set':<12}" + "".join(f"{label:>13}" for _, label in keys))
    for mode, by_set in figures.items():
        for name, f in by_set.items():
            cells = "".join(("n/a" if f[k] is None else f"{f[k]:.3f}").rjust(13) for k, _ in keys)
            print(f"{mode:<10}{name:<12}{cells}")
    return 0


def cmd_calibrate(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine import load_knowledge
    from bot.engine.judge import MODEL_FILE, Judge
    from bot.engine.tutor import Tutor
    from bot.quality.calibrate import TRAINING_FILES, calibrate, operating_point, write

    files = [Path(f) for f in args.file] or list(TRAINING_FILES)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(f"Training file(s) not found: {', '.join(missing)} (run from a checkout, or name them).", file=sys.stderr)
        return 2
    tutor = Tutor(load_knowledge(settings.knowledge_dir), judge=Judge.permissive())
    cal = calibrate(tutor, files)
    out = Path(args.output) if args.output else MODEL_FILE
    if not args.dry_run:
        write(cal, out)
    print(operating_point(cal))
    print("(dry run: nothing written)" if args.dry_run else f"wrote {out}")
    return 0


def cmd_bench(args: argparse.Namespace, settings: config.Settings) -> int:
    if args.storage:
        from bot.quality.storage_bench import format_storage_report, run_storage_bench

        postgres = args.postgres or (str(settings.database) if "://" in str(settings.database) else None)
        figures = run_storage_bench(postgres, count=args.storage_answers)
        if args.json:
            _emit(figures)
        else:
            print(format_storage_report(figures))
        return 0
    from bot.quality.bench import format_report, run_bench

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
    terminal.add_commands(sub)  # ask, chat, check, fact, dispute, timeline, sources, quiz, review, progress, chart, reports

    p = sub.add_parser("eval", help="score question files (default: the tune, validation and blind sets)")
    p.add_argument("file", nargs="*", help="question files (format: DESIGN.md, 'Question files')")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--quiet", action="store_true", help="figures only, no list of failures")
    p.add_argument(
        "--ablation", action="store_true", help="BM25 alone, the semantic model alone and both fused, each judge retrained"
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("calibrate", help="retrain the answerability judge and print its operating point")
    p.add_argument("file", nargs="*", help="training question files (default: the tune sets and negatives in tests/data)")
    p.add_argument("-o", "--output", help="where to write the model (default: the shipped bot/engine/judge.json)")
    p.add_argument("--dry-run", action="store_true", help="print the operating point, write nothing")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("bench", help="latency, throughput, cold start and memory figures")
    p.add_argument("--json", action="store_true")
    p.add_argument("--rounds", type=int, default=20, help="passes over the question mix (default 20)")
    p.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[3_000, 30_000],
        metavar="N",
        help="synthetic knowledge-base sizes compared with bm25s (default 3000 30000; none to skip)",
    )
    p.add_argument("--interactions", type=int, default=500, help="concurrent /ask interactions for the load run (0 skips)")
    p.add_argument("--storage", action="store_true",
                   help="instead: committed quiz answers/s and p99 commit latency, SQLite and PostgreSQL, 1 and 4 writers")
    p.add_argument("--postgres", metavar="URL",
                   help="with --storage: a scratch PostgreSQL database (default: GLF_DATABASE if a URL)")
    p.add_argument("--storage-answers", type=int, default=500, metavar="N",
                   help="with --storage: answers per writer (default 500)")
    p.set_defaults(func=cmd_bench)

    # Optional front ends add their own subcommands (Discord: run/sync/commands/health).
    from bot.storage.cli import add_commands as add_db_commands

    add_db_commands(sub)   # db upgrade | check | copy

    for module in ("bot.discord.cli",):
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
    from bot.storage.dialects import StorageError

    try:
        return args.func(args, settings)
    except StorageError as exc:   # bad URL, refused connection, wrong credentials: one line, exit 2
        print(f"glf-tutor: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
