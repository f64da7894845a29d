"""Persistent state in one SQLite file (WAL): reports, per-server settings, and study progress.

Every write is committed as it happens. The schema is versioned: MIGRATIONS[i] takes the database
from version i to i+1 (PRAGMA user_version), so an old file is brought up to date on open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MIGRATIONS: list[str] = [
    # 0 -> 1: curators' problem reports and per-server settings
    """
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at REAL NOT NULL,
        question TEXT NOT NULL,
        passage_ids TEXT NOT NULL,          -- JSON list of passage ids the answer quoted
        reporter_id INTEGER,
        reporter_name TEXT,
        guild_id INTEGER,
        channel_id INTEGER,
        note TEXT
    );
    CREATE TABLE guild_settings (
        guild_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (guild_id, key)
    );
    """,
    # 1 -> 2: study groups. Every answer is a row, committed when given; scores, accuracy by topic
    # and streaks are derived from it, so they cannot drift from what students actually answered.
    """
    CREATE TABLE quiz_sessions (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,              -- 'discord:<channel id>' or 'terminal:<name>'
        guild_id INTEGER,
        starter TEXT NOT NULL,
        starter_name TEXT,
        topic TEXT,
        difficulty TEXT,
        plan TEXT NOT NULL,                 -- JSON [{"id": question id, "order": [choice index, ...]}]
        time_limit REAL NOT NULL,
        position INTEGER NOT NULL DEFAULT 0,
        phase TEXT NOT NULL DEFAULT 'asking' CHECK (phase IN ('asking', 'revealed', 'finished', 'cancelled')),
        asked_at REAL,
        created_at REAL NOT NULL,
        ended_at REAL
    );
    -- one live quiz per channel, enforced by the database itself
    CREATE UNIQUE INDEX quiz_sessions_live ON quiz_sessions (channel) WHERE phase IN ('asking', 'revealed');
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('quiz', 'review')),
        session_id TEXT REFERENCES quiz_sessions (id),
        position INTEGER,
        guild_id INTEGER,
        user_key TEXT NOT NULL,             -- 'discord:<user id>' or 'local:<name>'
        user_name TEXT,
        question_id TEXT NOT NULL,
        topic TEXT,
        choice TEXT NOT NULL,               -- the chosen text, stable whatever order it was shown in
        correct INTEGER NOT NULL,
        points INTEGER NOT NULL DEFAULT 0,
        elapsed REAL,
        answered_at REAL NOT NULL,
        revealed INTEGER NOT NULL DEFAULT 0 -- quiz answers count only once the question is revealed
    );
    CREATE UNIQUE INDEX answers_once ON answers (session_id, position, user_key) WHERE kind = 'quiz';
    CREATE INDEX answers_by_guild ON answers (guild_id, answered_at);
    CREATE INDEX answers_by_user ON answers (user_key, answered_at);
    CREATE TABLE review_items (
        user_key TEXT NOT NULL,
        question_id TEXT NOT NULL,
        box INTEGER NOT NULL,
        due_at REAL NOT NULL,
        misses INTEGER NOT NULL DEFAULT 0,
        mastered_at REAL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (user_key, question_id)
    );
    CREATE INDEX review_items_due ON review_items (user_key, mastered_at, due_at);
    CREATE VIEW guild_scores AS
        SELECT guild_id, user_key, SUM(points) AS points, SUM(correct) AS correct, COUNT(*) AS answered
        FROM answers WHERE kind = 'quiz' AND revealed = 1 GROUP BY guild_id, user_key;
    CREATE VIEW topic_accuracy AS
        SELECT user_key, topic, COUNT(*) AS answered, SUM(correct) AS correct
        FROM answers WHERE kind = 'quiz' AND revealed = 1 GROUP BY user_key, topic;
    """,
]


@dataclass(frozen=True)
class Report:
    id: int
    created_at: float
    question: str
    passage_ids: tuple[str, ...]
    reporter_id: int | None
    reporter_name: str | None
    guild_id: int | None
    channel_id: int | None
    note: str | None


class Database:
    """One connection shared by the bot's threads; each method is one committed transaction."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time):
        self.path = str(path)
        self.clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self.migrate()

    @property
    def version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, target: int | None = None) -> None:
        target = len(MIGRATIONS) if target is None else target
        with self._lock:
            while self.version < target:
                step = self.version
                # executescript commits first; run the step and the version bump in one transaction.
                self._conn.executescript(f"BEGIN;\n{MIGRATIONS[step]}\nPRAGMA user_version = {step + 1};\nCOMMIT;")

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        """Run one statement in its own committed transaction."""
        with self._lock, self._conn:
            return self._conn.execute(sql, params)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # ----- reports ----------------------------------------------------------------------------
    def add_report(
        self,
        *,
        question: str,
        passage_ids: list[str] | tuple[str, ...],
        reporter_id: int | None = None,
        reporter_name: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        note: str | None = None,
    ) -> int:
        cur = self.execute(
            "INSERT INTO reports (created_at, question, passage_ids, reporter_id, reporter_name, guild_id, channel_id, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self.clock(), question, json.dumps(list(passage_ids)), reporter_id, reporter_name, guild_id, channel_id, note),
        )
        return int(cur.lastrowid)

    def reports(self, limit: int = 100) -> list[Report]:
        rows = self.query("SELECT * FROM reports ORDER BY id DESC LIMIT ?", (limit,))
        return [
            Report(r["id"], r["created_at"], r["question"], tuple(json.loads(r["passage_ids"])), r["reporter_id"],
                   r["reporter_name"], r["guild_id"], r["channel_id"], r["note"])
            for r in rows
        ]

    # ----- per-server settings ---------------------------------------------------------------
    def guild_setting(self, guild_id: int, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key))
        return rows[0]["value"] if rows else default

    def set_guild_setting(self, guild_id: int, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?)"
            " ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value",
            (guild_id, key, value),
        )
