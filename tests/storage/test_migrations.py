"""Storage migrations: from an empty file, and from the version-1 schema with data in it."""

from __future__ import annotations

import sqlite3

from bot.storage import MIGRATIONS, Database


def tables(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    finally:
        conn.close()


def test_empty_file_migrates_to_the_latest_version(tmp_path):
    db = Database(tmp_path / "new.sqlite3")
    assert db.version == len(MIGRATIONS) >= 2
    assert db.query("PRAGMA journal_mode")[0][0] == "wal"
    db.close()
    assert {"reports", "guild_settings", "quiz_sessions", "answers", "review_items", "guild_scores", "topic_accuracy"} <= tables(
        tmp_path / "new.sqlite3"
    )


def test_version_1_file_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)  # a file as the version-1 code left it
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\nPRAGMA user_version = 1;\nCOMMIT;")
    conn.execute("INSERT INTO reports (created_at, question, passage_ids) VALUES (1.0, 'why?', '[\"p\"]')")
    conn.execute("INSERT INTO guild_settings VALUES (5, 'answer_in_thread', 'on')")
    conn.close()
    db = Database(path)
    assert db.version == len(MIGRATIONS)
    assert db.reports()[0].question == "why?"
    assert db.guild_setting(5, "answer_in_thread") == "on"
    assert db.create_quiz(
        session_id="s",
        channel="discord:1",
        guild_id=5,
        starter="a",
        starter_name="A",
        topic=None,
        difficulty=None,
        plan=[("q", (0, 1, 2, 3))],
        time_limit=20,
        asked_at=0.0,
    )
    db.close()
    assert Database(path).version == len(MIGRATIONS)  # reopening is a no-op


def test_each_migration_is_one_step(tmp_path):
    path = tmp_path / "s.sqlite3"
    db = Database(path)
    db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    conn.close()
    # the version-1 schema is exactly migration 1 (other code depends on it): unchanged here
    assert "CREATE TABLE reports" in MIGRATIONS[0] and "quiz" not in MIGRATIONS[0]


def test_unique_answer_per_user_per_question(tmp_path):
    db = Database(tmp_path / "a.sqlite3")
    args = dict(
        session_id=None,
        position=0,
        guild_id=1,
        user_key="u",
        user_name="U",
        question_id="q",
        topic="t",
        choice="x",
        correct=True,
        points=100,
        elapsed=1.0,
        answered_at=1.0,
    )
    db.create_quiz(
        session_id="s",
        channel="c",
        guild_id=1,
        starter="a",
        starter_name=None,
        topic=None,
        difficulty=None,
        plan=[("q", (0, 1, 2, 3))],
        time_limit=20,
        asked_at=0,
    )
    args["session_id"] = "s"
    assert db.record_quiz_answer(**args)
    assert not db.record_quiz_answer(**args)
    assert len(db.quiz_answers("s")) == 1


def test_transaction_rolls_back_as_a_whole(tmp_path):
    db = Database(tmp_path / "t.sqlite3")
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO guild_settings VALUES (1, 'k', 'v')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert db.guild_setting(1, "k") is None


def test_version_2_file_keeps_its_live_quiz_and_gains_the_button_tables(tmp_path):
    """3: the message showing a live quiz question, stored messages with buttons, dealt review cards."""
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\n{MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
    conn.execute(
        "INSERT INTO quiz_sessions (id, channel, starter, plan, time_limit, created_at) VALUES"
        " ('s', 'discord:1', 'a', '[{\"id\": \"q\", \"order\": [0, 1]}]', 20, 1.0)"
    )
    conn.close()
    db = Database(path)
    assert db.version == len(MIGRATIONS) >= 3
    (live,) = db.live_quizzes()
    assert live.id == "s" and live.message_id is None
    db.set_quiz_message("s", 1234)
    assert db.live_quiz("discord:1").message_id == 1234
    db.save_shown(shown_id="a" * 12, owner_id=7, pages=[{"title": "p1"}, {"title": "p2"}], question="why?",
                  passage_ids=["p"], followups=["and then?"])
    shown = db.shown("a" * 12)
    assert (shown.owner_id, shown.question, shown.passage_ids, shown.followups) == (7, "why?", ("p",), ("and then?",))
    assert shown.pages == ({"title": "p1"}, {"title": "p2"})
    db.deal_review_card(card_id="c" * 12, sitting="s1", user_key="u", question_id="q", choices=("x", "y"), box=1)
    kwargs = dict(user_key="u", user_name=None, question_id="q", topic=None, choice="x", correct=True, box=2,
                  due_at=0.0, mastered=False, card_id="c" * 12, card_choice=0)
    assert db.record_review_answer(**kwargs) is True
    assert db.record_review_answer(**kwargs) is False  # a card is answered once
    assert len(db.user_answers("u", kind="review")) == 1 and db.review_card("c" * 12).choice == 0
    assert db.sitting_questions("s1") == {"q"}
    db.close()
