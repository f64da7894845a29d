"""`glf-tutor check [DIR]`: validate a knowledge directory, listing every problem."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import config
from bot.terminal.common import knowledge_notice, say, warn


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="validate a knowledge directory (default: the one the tutor uses)")
    p.add_argument("dir", nargs="?", metavar="DIR", help="the knowledge directory to check, e.g. knowledge/ in a checkout")
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine import check_knowledge

    root = Path(args.dir) if args.dir else settings.knowledge_dir
    if not args.dir and (notice := knowledge_notice(root)) is not None:
        warn(notice)
    kb, problems = check_knowledge(root)
    if kb is None:
        warn(f"{root}: {len(problems)} problem(s):")
        for problem in problems:
            warn(f"  {problem}")
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
    say(f"{root}: OK — " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0
