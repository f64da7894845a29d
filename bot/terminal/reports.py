"""`glf-tutor reports`: the problem reports students sent (Discord's Report button), for curators
to work through: list them (all, or only the open ones) and resolve each, saying who and what was done."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from pathlib import Path

from bot import config
from bot.storage.dialects import is_url
from bot.terminal.common import say, warn


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reports", help="the problem reports students sent; `reports resolve ID` closes one")
    p.add_argument("--open", action="store_true", help="only the reports nobody has resolved yet")
    p.add_argument("--limit", type=int, default=50, help="newest N reports (default 50)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reports)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    r = actions.add_parser("resolve", help="mark a report resolved (who and when are saved with it)")
    r.add_argument("id", type=int, metavar="ID", help="the report's number, as listed (#12 -> 12)")
    r.add_argument("--note", help="what was done, e.g. 'fixed the figure in passages/famine.yaml'")
    r.add_argument("--by", help="who resolved it (default: your login name)")
    r.set_defaults(func=cmd_resolve)


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _curator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):   # no login name (some containers)
        return "unknown"


def _as_dict(r) -> dict:
    return {
        "id": r.id,
        "created_at": r.created_at,
        "question": r.question,
        "passage_ids": list(r.passage_ids),
        "reporter_id": r.reporter_id,
        "reporter_name": r.reporter_name,
        "guild_id": r.guild_id,
        "channel_id": r.channel_id,
        "note": r.note,
        "open": r.open,
        "resolved_at": r.resolved_at,
        "resolved_by": r.resolved_by,
        "resolution": r.resolution,
    }


def render_report(r) -> str:
    lines = [f"#{r.id}  {_when(r.created_at)}  by {r.reporter_name or r.reporter_id or '?'}  (server {r.guild_id or 'DM'})"
             f"  [{'open' if r.open else 'resolved'}]",
             f"    question: {r.question}",
             f"    passages: {', '.join(r.passage_ids) or '(none: no sourced answer)'}"]
    if r.note:
        lines.append(f"    note:     {r.note}")
    if not r.open:
        how = f": {r.resolution}" if r.resolution else ""
        lines.append(f"    resolved: {_when(r.resolved_at)} by {r.resolved_by or '?'}{how}")
    return "\n".join(lines)


def cmd_reports(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.storage import Database

    if not is_url(settings.database) and not Path(settings.database).exists():   # never create a database just to say it is empty
        warn(f"No database at {settings.database} (set GLF_DATABASE); no reports yet.")
        if args.json:
            print("[]")
        return 0
    database = Database(settings.database)
    try:
        reports = database.reports(limit=args.limit, open_only=args.open)
        total, still_open = database.report_counts()
    finally:
        database.close()
    if args.json:
        print(json.dumps([_as_dict(r) for r in reports], ensure_ascii=False))
        return 0
    if not total:
        say("No problem reports.")
        return 0
    shown = f"; showing the newest {len(reports)}" if len(reports) < (still_open if args.open else total) else ""
    say(f"{total} report(s), {still_open} open{shown}." + ("" if still_open or args.open else " Nothing left to do."))
    if args.open and not reports:
        say("No open reports.")
    for r in reports:
        say(render_report(r))
    if still_open:
        say("Resolve one with: glf-tutor reports resolve ID [--note TEXT]")
    return 0


def cmd_resolve(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.storage import Database

    if not is_url(settings.database) and not Path(settings.database).exists():
        warn(f"No database at {settings.database} (set GLF_DATABASE); there are no reports to resolve.")
        return 1
    database = Database(settings.database)
    try:
        by = (args.by or "").strip() or _curator()
        note = (args.note or "").strip() or None
        if database.resolve_report(args.id, by=by, note=note):
            say(f"Resolved #{args.id}.\n" + render_report(database.report(args.id)))
            _, still_open = database.report_counts()
            say(f"{still_open} report(s) still open.")
            return 0
        existing = database.report(args.id)
    finally:
        database.close()
    if existing is None:
        print(f"No report #{args.id} (see `glf-tutor reports`).", file=sys.stderr)
    else:
        print(f"Report #{args.id} was already resolved on {_when(existing.resolved_at)} by {existing.resolved_by or '?'}.",
              file=sys.stderr)
    return 1
