"""Persistent state: reports, per-server settings, study progress, live quizzes and buttons.

In one SQLite file (WAL) or one PostgreSQL database, with the same schema and behaviour. Every write
is committed as it happens. The schema is versioned: MIGRATIONS[i] takes the database from version i
to i+1 (SQLite: PRAGMA user_version; PostgreSQL: the glf_schema table), so an old database is
brought up to date on open. The migrations are written in SQLite's types; PostgreSQL runs the same
statements with its own (dialects.postgres_migration).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.storage.dialects import StorageError, StorageUnavailable, dialect_for

log = logging.getLogger("glf_tutor.storage")
T = TypeVar("T")

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
    # 2 -> 3: buttons that survive a restart. Every button carries an id in its custom id; what it
    # acts on is read from here, never from the memory of the process that sent it.
    """
    ALTER TABLE quiz_sessions ADD COLUMN message_id BIGINT;  -- the message showing the live question
    CREATE TABLE shown_messages (
        id TEXT PRIMARY KEY,                -- in the custom ids of the message's buttons
        owner_id BIGINT NOT NULL,           -- who may turn its pages
        question TEXT,                      -- an answer's question (for reports and follow-ups), else NULL
        passage_ids TEXT NOT NULL,          -- JSON list: the passages the answer quoted
        followups TEXT NOT NULL,            -- JSON list: the suggested questions, one button each
        pages TEXT NOT NULL,                -- JSON list of the embeds shown, one per page
        created_at REAL NOT NULL
    );
    CREATE INDEX shown_messages_age ON shown_messages (created_at);
    CREATE TABLE review_cards (
        id TEXT PRIMARY KEY,                -- in the custom ids of the card's buttons
        sitting TEXT NOT NULL,              -- the cards of one /review share it: each question once a sitting
        user_key TEXT NOT NULL,
        question_id TEXT NOT NULL,
        choices TEXT NOT NULL,              -- JSON list, in the order shown
        box INTEGER NOT NULL,
        dealt_at REAL NOT NULL,
        answered_at REAL,                   -- set once: a second press on the card is refused
        choice INTEGER
    );
    CREATE INDEX review_cards_sitting ON review_cards (sitting);
    CREATE INDEX review_cards_age ON review_cards (dealt_at);
    """,
    # 3 -> 4: curators resolve problem reports (who, when, and what was done); open ones have no resolved_at
    """
    ALTER TABLE reports ADD COLUMN resolved_at REAL;
    ALTER TABLE reports ADD COLUMN resolved_by TEXT;
    ALTER TABLE reports ADD COLUMN resolution TEXT;
    CREATE INDEX reports_open ON reports (resolved_at, id);
    """,
]

# Buttons of shown messages and review cards work this long; then they say the message is too old.
SHOWN_RETENTION_S = 30 * 86400.0


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
    resolved_at: float | None = None
    resolved_by: str | None = None
    resolution: str | None = None   # the curator's note on what was done

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class StoredQuiz:
    """A quiz session as saved: enough to rebuild it after a restart."""

    id: str
    channel: str
    guild_id: int | None
    starter: str
    starter_name: str | None
    topic: str | None
    difficulty: str | None
    plan: tuple[tuple[str, tuple[int, ...]], ...]  # (question id, choice order as shown)
    time_limit: float
    position: int
    phase: str
    asked_at: float | None
    created_at: float
    message_id: int | None = None  # the Discord message showing the live question, if known


@dataclass(frozen=True)
class ShownMessage:
    """A message with buttons, as shown: its pages and, for an answer, what reports and follow-ups need."""

    id: str
    owner_id: int
    question: str | None
    passage_ids: tuple[str, ...]
    followups: tuple[str, ...]
    pages: tuple[dict, ...]
    created_at: float


@dataclass(frozen=True)
class StoredCard:
    """A review card as dealt: the question, its choices in the order shown, and whether it was answered."""

    id: str
    sitting: str
    user_key: str
    question_id: str
    choices: tuple[str, ...]
    box: int
    dealt_at: float
    answered_at: float | None
    choice: int | None


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    kind: str
    session_id: str | None
    position: int | None
    guild_id: int | None
    user_key: str
    user_name: str | None
    question_id: str
    topic: str | None
    choice: str
    correct: bool
    points: int
    elapsed: float | None
    answered_at: float
    revealed: bool


@dataclass(frozen=True)
class ScoreRow:
    user_key: str
    user_name: str | None
    points: int
    correct: int
    answered: int


@dataclass(frozen=True)
class TopicRow:
    topic: str | None
    answered: int
    correct: int


@dataclass(frozen=True)
class ReviewItem:
    user_key: str
    question_id: str
    box: int
    due_at: float
    misses: int
    mastered_at: float | None


_LIVE = "('asking', 'revealed')"


class _Tx:
    """The statements of one transaction, written in the shared SQL (see dialects.py)."""

    def __init__(self, conn, dialect):
        self._conn, self._dialect = conn, dialect

    def execute(self, sql: str, params: tuple = ()):
        return self._conn.execute(self._dialect.sql(sql), params)


@dataclass(frozen=True)
class Result:
    rowcount: int
    rows: list


class Database:
    """One connection shared by the bot's threads; each method is one committed transaction.

    `target` is a SQLite file path (or ':memory:') or a postgresql:// URL. Both backends hold the same
    schema and keep the same guarantees, enforced by the database itself. When a PostgreSQL server
    restarts, a transaction that lost its connection reconnects and runs once more; if that fails too
    it raises StorageUnavailable and nothing of it was saved.
    """

    RECONNECT_WAIT_S = 10.0  # how long a lost PostgreSQL connection is tried again before giving up

    def __init__(self, target: str | Path, clock: Callable[[], float] = time.time, *, migrate: bool = True):
        self.dialect = dialect_for(target)
        self.backend = self.dialect.name
        self.path = str(target)
        self.display = self.dialect.display  # safe to log: the password is masked
        self.clock = clock
        self._lock = threading.RLock()
        self.retries = 0   # transactions run again after a lost connection
        self._conn = self.dialect.connect()
        if migrate:
            self.migrate()
        if self.backend != "sqlite":
            log.info("storage: %s (schema version %d)", self.display, self.version)

    @property
    def version(self) -> int:
        with self._lock:
            return self._retrying(lambda: self.dialect.version(self._conn))

    def migrate(self, target: int | None = None) -> None:
        target = len(MIGRATIONS) if target is None else target
        with self._lock:
            self._retrying(lambda: self.dialect.migrate(self._conn, MIGRATIONS, target))

    def _reconnect(self) -> None:
        with suppress(Exception):  # the old connection is gone either way
            self._conn.close()
        self._conn = self.dialect.connect_retrying(self.RECONNECT_WAIT_S)
        log.warning("storage: reconnected to %s", self.display)

    def _retrying(self, work: Callable[[], T]) -> T:
        """Run `work`; if the connection was lost, reconnect and run it once more."""
        try:
            return work()
        except self.dialect.disconnects as exc:
            if not self.dialect.is_disconnect(exc, self._conn):
                raise
            log.warning("storage: lost the connection to %s (%s); retrying once", self.display, str(exc).strip()[:200])
        self.retries += 1
        try:
            self._reconnect()
            return work()
        except (StorageError, *self.dialect.disconnects) as exc:
            raise StorageUnavailable(f"the database {self.display} is unreachable; nothing was saved") from exc

    def _atomic(self, work: Callable[[_Tx], T]) -> T:
        """`work` in one committed transaction, retried once on a new connection if the old one died."""

        def once() -> T:
            with self.dialect.transaction(self._conn):
                return work(_Tx(self._conn, self.dialect))

        with self._lock:
            return self._retrying(once)

    def execute(self, sql: str, params: tuple = ()) -> Result:
        """Run one statement in its own committed transaction (rows only with RETURNING)."""

        def work(tx: _Tx) -> Result:
            cur = tx.execute(sql, params)
            rows = cur.fetchall() if cur.description else []
            return Result(cur.rowcount, rows)

        return self._atomic(work)

    def query(self, sql: str, params: tuple = ()) -> list:
        return self._atomic(lambda tx: tx.execute(sql, params).fetchall())

    @contextmanager
    def transaction(self) -> Iterator[_Tx]:
        """Several statements committed together (or not at all); not retried, unlike the methods."""
        with self._lock, self.dialect.transaction(self._conn):
            yield _Tx(self._conn, self.dialect)

    def tables(self) -> set[str]:
        with self._lock:
            return self._retrying(lambda: self.dialect.tables(self._conn))

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
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (self.clock(), question, json.dumps(list(passage_ids)), reporter_id, reporter_name, guild_id, channel_id, note),
        )
        return int(cur.rows[0][0])

    def reports(self, limit: int = 100, open_only: bool = False) -> list[Report]:
        """The newest reports first; `open_only`: those no curator has resolved yet."""
        where = " WHERE resolved_at IS NULL" if open_only else ""
        rows = self.query(f"SELECT * FROM reports{where} ORDER BY id DESC LIMIT ?", (limit,))
        return [_report(r) for r in rows]

    def report(self, report_id: int) -> Report | None:
        rows = self.query("SELECT * FROM reports WHERE id = ?", (report_id,))
        return _report(rows[0]) if rows else None

    def report_counts(self) -> tuple[int, int]:
        """(all reports, open reports)."""
        row = self.query("SELECT COUNT(*) AS total, COUNT(*) - COUNT(resolved_at) AS open FROM reports")[0]
        return int(row["total"]), int(row["open"])

    def resolve_report(self, report_id: int, *, by: str, note: str | None = None) -> bool:
        """Mark an open report resolved, by whom and now; False if there is no such open report."""
        cur = self.execute(
            "UPDATE reports SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL",
            (self.clock(), by, note, report_id),
        )
        return cur.rowcount == 1

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

    # ----- quiz sessions -----------------------------------------------------------------------
    def create_quiz(
        self,
        *,
        session_id: str,
        channel: str,
        guild_id: int | None,
        starter: str,
        starter_name: str | None,
        topic: str | None,
        difficulty: str | None,
        plan: list[tuple[str, tuple[int, ...]]],
        time_limit: float,
        asked_at: float,
    ) -> bool:
        """Save a new live quiz; False if the channel already has one (checked by a unique index)."""
        try:
            self.execute(
                "INSERT INTO quiz_sessions (id, channel, guild_id, starter, starter_name, topic, difficulty, plan,"
                " time_limit, position, phase, asked_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'asking', ?, ?)",
                (
                    session_id,
                    channel,
                    guild_id,
                    starter,
                    starter_name,
                    topic,
                    difficulty,
                    json.dumps([{"id": qid, "order": list(order)} for qid, order in plan]),
                    time_limit,
                    asked_at,
                    self.clock(),
                ),
            )
        except self.dialect.integrity_errors:
            if self.live_quiz(channel) is not None:
                return False
            raise
        return True

    def record_quiz_answer(
        self,
        *,
        session_id: str,
        position: int,
        guild_id: int | None,
        user_key: str,
        user_name: str | None,
        question_id: str,
        topic: str | None,
        choice: str,
        correct: bool,
        points: int,
        elapsed: float,
        answered_at: float,
    ) -> bool:
        """Commit one answer now; False if this user already answered this question."""
        params = (session_id, position, guild_id, user_key, user_name, question_id, topic, choice, int(correct), points,
                  elapsed, answered_at)
        with self._lock:
            retries = self.retries
            try:
                self.execute(
                    "INSERT INTO answers (kind, session_id, position, guild_id, user_key, user_name, question_id, topic,"
                    " choice, correct, points, elapsed, answered_at) VALUES ('quiz', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    params,
                )
            except self.dialect.integrity_errors:
                if self.retries == retries:
                    return False
                # The retry after a lost connection found it: if it is this very press (its commit went
                # through but the reply was lost), it was saved; another press of the same user was not.
                rows = self.query(
                    "SELECT choice, answered_at FROM answers"
                    " WHERE kind = 'quiz' AND session_id = ? AND position = ? AND user_key = ?",
                    (session_id, position, user_key),
                )
                return bool(rows) and (rows[0]["choice"], rows[0]["answered_at"]) == (choice, answered_at)
        return True

    def reveal_quiz_question(self, session_id: str, position: int, misses: list[tuple[str, str]], due_at: float) -> None:
        """Make the question's answers count, and put each miss (user key, question id) in box 1 for review."""
        now = self.clock()
        def work(conn: _Tx):
            conn.execute("UPDATE answers SET revealed = 1 WHERE session_id = ? AND position = ?", (session_id, position))
            conn.execute("UPDATE quiz_sessions SET phase = 'revealed' WHERE id = ? AND position = ?", (session_id, position))
            for user_key, question_id in misses:
                conn.execute(
                    "INSERT INTO review_items (user_key, question_id, box, due_at, misses, mastered_at, updated_at)"
                    " VALUES (?, ?, 1, ?, 1, NULL, ?) ON CONFLICT (user_key, question_id) DO UPDATE SET"
                    " box = 1, due_at = excluded.due_at, misses = review_items.misses + 1, mastered_at = NULL,"
                    " updated_at = excluded.updated_at",
                    (user_key, question_id, due_at, now),
                )

        self._atomic(work)

    def advance_quiz(self, session_id: str, position: int, asked_at: float) -> None:
        self.execute(
            "UPDATE quiz_sessions SET position = ?, phase = 'asking', asked_at = ? WHERE id = ?", (position, asked_at, session_id)
        )

    def set_quiz_message(self, session_id: str, message_id: int | None) -> None:
        """Remember which message shows the live question, so a restarted bot can disable its buttons."""
        self.execute("UPDATE quiz_sessions SET message_id = ? WHERE id = ?", (message_id, session_id))

    def end_quiz(self, session_id: str, phase: str) -> None:
        self.execute("UPDATE quiz_sessions SET phase = ?, ended_at = ? WHERE id = ?", (phase, self.clock(), session_id))

    def live_quiz(self, channel: str) -> StoredQuiz | None:
        rows = self.query(f"SELECT * FROM quiz_sessions WHERE channel = ? AND phase IN {_LIVE}", (channel,))
        return _stored_quiz(rows[0]) if rows else None

    def live_quizzes(self) -> list[StoredQuiz]:
        return [_stored_quiz(r) for r in self.query(f"SELECT * FROM quiz_sessions WHERE phase IN {_LIVE} ORDER BY created_at")]

    def quiz(self, session_id: str) -> StoredQuiz | None:
        rows = self.query("SELECT * FROM quiz_sessions WHERE id = ?", (session_id,))
        return _stored_quiz(rows[0]) if rows else None

    def quiz_answers(self, session_id: str) -> list[StoredAnswer]:
        rows = self.query("SELECT * FROM answers WHERE session_id = ? ORDER BY id", (session_id,))
        return [_stored_answer(r) for r in rows]

    def recent_question_ids(self, channel: str, sessions: int = 5) -> set[str]:
        """Questions used by the channel's last few quizzes, so a new quiz can prefer fresh ones."""
        rows = self.query(
            "SELECT plan FROM quiz_sessions WHERE channel = ? ORDER BY created_at DESC LIMIT ?", (channel, sessions)
        )
        return {item["id"] for r in rows for item in json.loads(r["plan"])}

    # ----- scores and progress -------------------------------------------------------------------
    def leaderboard(
        self, guild_id: int | None, since: float | None = None, limit: int = 10, offset: int = 0, user_key: str | None = None
    ) -> list[ScoreRow]:
        """Scores in one server (guild_id None: direct messages); `user_key` keeps only that user's row."""
        rows = self.query(
            "SELECT user_key, SUM(points) AS points, SUM(correct) AS correct, COUNT(*) AS answered,"
            " (SELECT user_name FROM answers b WHERE b.user_key = a.user_key ORDER BY b.id DESC LIMIT 1) AS user_name"
            " FROM answers a WHERE kind = 'quiz' AND revealed = 1 AND guild_id IS NOT DISTINCT FROM ? AND answered_at >= ?"
            " AND (CAST(? AS TEXT) IS NULL OR user_key = ?)"
            " GROUP BY user_key ORDER BY points DESC, correct DESC, user_name LIMIT ? OFFSET ?",
            (guild_id, since if since is not None else float("-inf"), user_key, user_key, limit, offset),
        )
        return [ScoreRow(r["user_key"], r["user_name"], int(r["points"]), int(r["correct"]), int(r["answered"])) for r in rows]

    def leaderboard_size(self, guild_id: int | None, since: float | None = None, user_key: str | None = None) -> int:
        rows = self.query(
            "SELECT COUNT(DISTINCT user_key) FROM answers"
            " WHERE kind = 'quiz' AND revealed = 1 AND guild_id IS NOT DISTINCT FROM ? AND answered_at >= ?"
            " AND (CAST(? AS TEXT) IS NULL OR user_key = ?)",
            (guild_id, since if since is not None else float("-inf"), user_key, user_key),
        )
        return int(rows[0][0])

    def topic_accuracy(self, user_key: str) -> list[TopicRow]:
        rows = self.query("SELECT topic, answered, correct FROM topic_accuracy WHERE user_key = ? ORDER BY topic", (user_key,))
        return [TopicRow(r["topic"], int(r["answered"]), int(r["correct"])) for r in rows]

    def user_answers(self, user_key: str, kind: str | None = "quiz") -> list[StoredAnswer]:
        """A user's answers, oldest first (for streaks); unrevealed quiz answers are not shown yet."""
        rows = self.query(
            "SELECT * FROM answers WHERE user_key = ? AND (CAST(? AS TEXT) IS NULL OR kind = ?)"
            " AND (kind = 'review' OR revealed = 1) ORDER BY id",
            (user_key, kind, kind),
        )
        return [_stored_answer(r) for r in rows]

    def user_key_for_name(self, name: str) -> str | None:
        """The user who most recently answered under this display name."""
        rows = self.query("SELECT user_key FROM answers WHERE user_name = ? ORDER BY id DESC LIMIT 1", (name,))
        return rows[0]["user_key"] if rows else None

    # ----- review (spaced repetition) ------------------------------------------------------------
    def review_item(self, user_key: str, question_id: str) -> ReviewItem | None:
        rows = self.query("SELECT * FROM review_items WHERE user_key = ? AND question_id = ?", (user_key, question_id))
        return _review_item(rows[0]) if rows else None

    def review_items(self, user_key: str) -> list[ReviewItem]:
        rows = self.query("SELECT * FROM review_items WHERE user_key = ? ORDER BY due_at, question_id", (user_key,))
        return [_review_item(r) for r in rows]

    def due_reviews(self, user_key: str, now: float, limit: int = 50) -> list[ReviewItem]:
        rows = self.query(
            "SELECT * FROM review_items WHERE user_key = ? AND mastered_at IS NULL AND due_at <= ?"
            " ORDER BY box, due_at, question_id LIMIT ?",
            (user_key, now, limit),
        )
        return [_review_item(r) for r in rows]

    def record_review_answer(
        self,
        *,
        user_key: str,
        user_name: str | None,
        question_id: str,
        topic: str | None,
        choice: str,
        correct: bool,
        box: int,
        due_at: float,
        mastered: bool,
        card_id: str | None = None,
        card_choice: int | None = None,
    ) -> bool:
        """The answer and the item's new Leitner box, in one transaction. With `card_id` the dealt card
        is marked answered in the same transaction; False (and nothing recorded) if it already was."""
        now = self.clock()
        def work(conn: _Tx):
            if card_id is not None:
                claimed = conn.execute(
                    "UPDATE review_cards SET answered_at = ?, choice = ? WHERE id = ? AND answered_at IS NULL",
                    (now, card_choice, card_id),
                )
                if claimed.rowcount != 1:
                    return False
            conn.execute(
                "INSERT INTO answers (kind, user_key, user_name, question_id, topic, choice, correct, points, answered_at,"
                " revealed) VALUES ('review', ?, ?, ?, ?, ?, ?, 0, ?, 1)",
                (user_key, user_name, question_id, topic, choice, int(correct), now),
            )
            conn.execute(
                "INSERT INTO review_items (user_key, question_id, box, due_at, misses, mastered_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_key, question_id) DO UPDATE SET box = excluded.box,"
                " due_at = excluded.due_at, misses = review_items.misses + excluded.misses, mastered_at = excluded.mastered_at,"
                " updated_at = excluded.updated_at",
                (user_key, question_id, box, due_at, 0 if correct else 1, now if mastered else None, now),
            )
            return True

        return self._atomic(work)

    def deal_review_card(
        self, *, card_id: str, sitting: str, user_key: str, question_id: str, choices: tuple[str, ...] | list[str], box: int
    ) -> None:
        now = self.clock()
        row = (card_id, sitting, user_key, question_id, json.dumps(list(choices)), box, now)
        self._atomic(lambda tx: _insert_fresh(tx, "review_cards", _CARD_COLUMNS, "dealt_at", [row], now))

    def review_card(self, card_id: str) -> StoredCard | None:
        rows = self.query("SELECT * FROM review_cards WHERE id = ?", (card_id,))
        if not rows:
            return None
        r = rows[0]
        return StoredCard(
            r["id"], r["sitting"], r["user_key"], r["question_id"], tuple(json.loads(r["choices"])), r["box"],
            r["dealt_at"], r["answered_at"], r["choice"],
        )

    def sitting_questions(self, sitting: str) -> set[str]:
        """The questions already dealt in one /review sitting."""
        return {r["question_id"] for r in self.query("SELECT question_id FROM review_cards WHERE sitting = ?", (sitting,))}

    # ----- messages with buttons (Discord) -------------------------------------------------------
    def save_shown(
        self,
        *,
        shown_id: str,
        owner_id: int,
        pages: list[dict],
        question: str | None = None,
        passage_ids: tuple[str, ...] | list[str] = (),
        followups: tuple[str, ...] | list[str] = (),
    ) -> None:
        """Keep what a message's buttons need; rows older than SHOWN_RETENTION_S are dropped as new ones come."""
        self.save_shown_many([dict(shown_id=shown_id, owner_id=owner_id, pages=pages, question=question,
                                   passage_ids=passage_ids, followups=followups)])

    def save_shown_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Several save_shown in one committed transaction (each row: save_shown's keyword arguments)."""
        now = self.clock()
        values = [
            (r["shown_id"], r["owner_id"], r.get("question"), json.dumps(list(r.get("passage_ids", ()))),
             json.dumps(list(r.get("followups", ()))), json.dumps(r["pages"], ensure_ascii=False), now)
            for r in rows
        ]
        self._atomic(lambda tx: _insert_fresh(tx, "shown_messages", _SHOWN_COLUMNS, "created_at", values, now))

    def shown(self, shown_id: str) -> ShownMessage | None:
        rows = self.query("SELECT * FROM shown_messages WHERE id = ?", (shown_id,))
        if not rows:
            return None
        r = rows[0]
        return ShownMessage(
            r["id"], r["owner_id"], r["question"], tuple(json.loads(r["passage_ids"])), tuple(json.loads(r["followups"])),
            tuple(json.loads(r["pages"])), r["created_at"],
        )


_SHOWN_COLUMNS = ("id", "owner_id", "question", "passage_ids", "followups", "pages", "created_at")
_CARD_COLUMNS = ("id", "sitting", "user_key", "question_id", "choices", "box", "dealt_at")


def _insert_fresh(tx: _Tx, table: str, columns: tuple[str, ...], stamp: str, rows: Sequence[tuple], now: float) -> None:
    """Insert rows into a table whose rows serve for SHOWN_RETENTION_S, dropping those past it (the
    tables of what buttons need: shown messages, review cards). Table and columns are ours, never input."""
    tx.execute(f"DELETE FROM {table} WHERE {stamp} < ?", (now - SHOWN_RETENTION_S,))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for row in rows:
        tx.execute(insert, row)


def _report(r) -> Report:
    return Report(
        r["id"],
        r["created_at"],
        r["question"],
        tuple(json.loads(r["passage_ids"])),
        r["reporter_id"],
        r["reporter_name"],
        r["guild_id"],
        r["channel_id"],
        r["note"],
        r["resolved_at"],
        r["resolved_by"],
        r["resolution"],
    )


def _stored_quiz(r) -> StoredQuiz:
    plan = tuple((item["id"], tuple(item["order"])) for item in json.loads(r["plan"]))
    return StoredQuiz(
        r["id"],
        r["channel"],
        r["guild_id"],
        r["starter"],
        r["starter_name"],
        r["topic"],
        r["difficulty"],
        plan,
        r["time_limit"],
        r["position"],
        r["phase"],
        r["asked_at"],
        r["created_at"],
        r["message_id"],
    )


def _stored_answer(r) -> StoredAnswer:
    return StoredAnswer(
        r["id"],
        r["kind"],
        r["session_id"],
        r["position"],
        r["guild_id"],
        r["user_key"],
        r["user_name"],
        r["question_id"],
        r["topic"],
        r["choice"],
        bool(r["correct"]),
        r["points"],
        r["elapsed"],
        r["answered_at"],
        bool(r["revealed"]),
    )


def _review_item(r) -> ReviewItem:
    return ReviewItem(r["user_key"], r["question_id"], r["box"], r["due_at"], r["misses"], r["mastered_at"])
