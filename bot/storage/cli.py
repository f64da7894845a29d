"""`glf-tutor db upgrade | check | copy SRC DST`: the database's schema, health and moves."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bot import config
from bot.storage.copy import TABLES, CopyError, copy_database
from bot.storage.database import MIGRATIONS, Database
from bot.storage.dialects import StorageError, is_url, mask_url


def _target(args: argparse.Namespace, settings: config.Settings) -> str:
    return str(args.database or settings.database)


def cmd_upgrade(args: argparse.Namespace, settings: config.Settings) -> int:
    db = Database(_target(args, settings), migrate=False)
    before = db.version
    db.migrate()
    print(f"{db.display}: schema version {before} -> {db.version} (latest {len(MIGRATIONS)})")
    db.close()
    return 0


def cmd_check(args: argparse.Namespace, settings: config.Settings) -> int:
    target = _target(args, settings)
    if not is_url(target) and target != ":memory:" and not Path(target).exists():
        print(f"no database at {target} (set GLF_DATABASE, or run `glf-tutor db upgrade` to create it)", file=sys.stderr)
        return 1
    started = time.perf_counter()
    db = Database(target, migrate=False)
    ms = (time.perf_counter() - started) * 1000
    version = db.version
    counts = {t: int(db.query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]) for t, _ in TABLES} if version == len(MIGRATIONS) else {}
    db.close()
    figures = {"database": db.display, "backend": db.backend, "reachable": True, "connect_ms": round(ms, 1),
               "version": version, "latest": len(MIGRATIONS), "rows": counts}
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{db.display} ({db.backend}): reachable in {ms:.0f} ms, schema version {version} of {len(MIGRATIONS)}")
        for table, n in counts.items():
            print(f"  {table:15} {n:>8} rows")
    if version != len(MIGRATIONS):
        print(f"the schema is behind (version {version}): run `glf-tutor db upgrade`", file=sys.stderr)
        return 1
    return 0


def cmd_copy(args: argparse.Namespace, settings: config.Settings) -> int:
    src, dst = Database(args.src), Database(args.dst)
    try:
        figures = copy_database(src, dst)
    except CopyError as exc:
        print(f"db copy: {exc}", file=sys.stderr)
        return 1
    finally:
        src.close()
        dst.close()
    print(f"copied {mask_url(args.src)} -> {mask_url(args.dst)}, verified:")
    for table, (n, digest) in figures.items():
        print(f"  {table:15} {n:>8} rows  sha256 {digest[:16]}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="the database: upgrade (apply migrations), check, copy SRC DST")
    dbsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    q = dbsub.add_parser("upgrade", help="bring the schema up to date (GLF_DATABASE, or --database)")
    q.add_argument("--database", help="a SQLite file or a postgresql:// URL (default: GLF_DATABASE)")
    q.set_defaults(func=cmd_upgrade)
    q = dbsub.add_parser("check", help="reachable? schema version, row counts")
    q.add_argument("--database", help="a SQLite file or a postgresql:// URL (default: GLF_DATABASE)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_check)
    q = dbsub.add_parser("copy", help="copy every row from SRC into an empty DST, verified by counts and checksums")
    q.add_argument("src", help="a SQLite file or a postgresql:// URL")
    q.add_argument("dst", help="a SQLite file or a postgresql:// URL (must be empty)")
    q.set_defaults(func=cmd_copy)


__all__ = ["StorageError", "add_commands"]
