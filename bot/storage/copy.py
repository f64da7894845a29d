"""`glf-tutor db copy SRC DST`: every row of every table, from one database to another (SQLite to
PostgreSQL and back), verified by row counts and a checksum per table."""

from __future__ import annotations

import hashlib
import json

from bot.storage.database import Database

# Tables in an order that satisfies the foreign keys, each with its primary key (the copy's order).
TABLES: list[tuple[str, str]] = [
    ("reports", "id"),
    ("guild_settings", "guild_id, key"),
    ("quiz_sessions", "id"),
    ("answers", "id"),
    ("review_items", "user_key, question_id"),
    ("shown_messages", "id"),
    ("review_cards", "id"),
]
IDENTITY = {"reports": "id", "answers": "id"}  # row ids the database hands out: their counters follow the copy


def _value(v) -> str:
    """One value as text, the same whichever backend returned it (20 and 20.0 are one number)."""
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    return str(v)


def _rows(db: Database, table: str, key: str) -> list:
    # Sorted by the key in Python: the two backends' text collations may differ.
    rows = db.query(f"SELECT * FROM {table}")
    fields = [k.strip() for k in key.split(",")]
    return sorted(rows, key=lambda r: tuple(_value(r[f]) if not isinstance(r[f], int) else f"{r[f]:020d}" for f in fields))


def table_figures(db: Database) -> dict[str, tuple[int, str]]:
    """Per table: (row count, sha256 over its rows in key order, columns by name)."""
    figures = {}
    for table, key in TABLES:
        digest = hashlib.sha256()
        rows = _rows(db, table, key)
        for r in rows:
            digest.update(json.dumps({k: _value(r[k]) for k in sorted(r.keys())}, ensure_ascii=False).encode())
            digest.update(b"\n")
        figures[table] = (len(rows), digest.hexdigest())
    return figures


class CopyError(RuntimeError):
    pass


def copy_database(src: Database, dst: Database) -> dict[str, tuple[int, str]]:
    """Copy every row of SRC into an empty DST in one transaction, then verify counts and checksums."""
    if src.version != dst.version:
        raise CopyError(f"schema versions differ ({src.version} vs {dst.version}): run `glf-tutor db upgrade` on both")
    busy = [t for t, _ in TABLES if dst.query(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]]
    if busy:
        raise CopyError(f"the destination is not empty ({', '.join(busy)}): copy only into a new database")
    with dst.transaction() as tx:
        for table, key in TABLES:
            rows = _rows(src, table, key)
            if not rows:
                continue
            columns = list(rows[0].keys())
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            for r in rows:
                tx.execute(sql, tuple(r[c] for c in columns))
    with dst.transaction() as tx:
        for table, column in IDENTITY.items():
            dst.dialect.reset_identity(tx, table, column)
    before, after = table_figures(src), table_figures(dst)
    wrong = [t for t in before if before[t] != after[t]]
    if wrong:
        raise CopyError(f"verification failed for {', '.join(wrong)}: counts or checksums differ")
    return after
