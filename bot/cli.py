"""The glf-tutor command line (also `python -m bot`). See DESIGN.md, "Command-line contract".

Imports are made inside each command so the terminal tutor starts fast and never loads discord.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import config


def _tutor(settings: config.Settings):
    from bot.engine import KnowledgeError, Tutor, load_knowledge

    try:
        kb = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        print(f"The knowledge base at {settings.knowledge_dir} is broken; not starting.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    return Tutor(kb)


def _emit(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ask(args: argparse.Namespace, settings: config.Settings) -> int:
    tutor = _tutor(settings)
    if args.jsonl:
        return _ask_batch(tutor)
    question = " ".join(args.question).strip()
    if not question:
        print('Usage: glf-tutor ask "QUESTION" [--json]  (or --jsonl with lines on standard input)', file=sys.stderr)
        return 2
    answer = tutor.ask(question)
    if args.json:
        _emit(answer.to_dict())
    else:
        print(answer.text)
    return 0


def _ask_batch(tutor) -> int:
    """Each input line {"id": ..., "turns": [q1, q2, ...]}; turns of one line share memory."""
    status = 0
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            turns = item["turns"]
            if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
                raise TypeError("'turns' must be a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            print(f'line {lineno}: skipped, expected {{"id": ..., "turns": ["question", ...]}} ({exc})', file=sys.stderr)
            status = 1
            continue
        conversation = f"jsonl:{lineno}:{item.get('id')}"
        answers = [tutor.ask(turn, conversation=conversation).to_dict() for turn in turns]
        tutor.memory.forget(conversation)
        _emit({"id": item.get("id"), "answers": answers})
        sys.stdout.flush()
    return status


def cmd_chat(args: argparse.Namespace, settings: config.Settings) -> int:
    tutor = _tutor(settings)
    print("GLF Tutor — ask about the Great Leap Forward (1958-1962). Follow-ups work. Empty line or Ctrl-D to quit.")
    while True:
        try:
            line = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line.strip() or line.strip().lower() in ("quit", "exit", "bye"):
            return 0
        print("\n" + tutor.ask(line, conversation="terminal").text)


def cmd_check(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine import check_knowledge

    kb, problems = check_knowledge(settings.knowledge_dir)
    if kb is None:
        print(f"{settings.knowledge_dir}: {len(problems)} problem(s):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    counts = {
        "sources": len(kb.sources),
        "passages": len(kb.passages),
        "disputes": len(kb.disputes),
        "glossary": len(kb.glossary),
        "timeline": len(kb.timeline),
        "quiz": len(kb.quiz),
        "series": len(kb.series),
    }
    print(f"{settings.knowledge_dir}: OK — " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


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

    p = sub.add_parser("ask", help="answer one question (or a JSONL batch)")
    p.add_argument("question", nargs="*", help="the question")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    mode.add_argument("--jsonl", action="store_true", help='batch: read {"id", "turns": [...]} lines from standard input')
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive conversation in the terminal")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("check", help="validate the knowledge base")
    p.set_defaults(func=cmd_check)

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

    # Front ends add their own subcommands (Discord: run/sync/commands/reports; study: quiz/chart/progress).
    for module in ("bot.discord.cli", "bot.study_cli"):
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
