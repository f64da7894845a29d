"""The one storage interface, against both backends (a SQLite file and a real PostgreSQL server):
the same schema, the same answers, and the guarantees the database itself enforces."""

from __future__ import annotations

import threading

import pytest

from bot.storage import MIGRATIONS, Database

PLAN = [("q1", (0, 1, 2, 3)), ("q2", (3, 2, 1, 0))]
BIG_ID = 1_234_567_890_123_456_789  # Discord ids need 64 bits


def quiz(db: Database, session_id="s1", channel="discord:1", guild_id=BIG_ID) -> bool:
    return db.create_quiz(session_id=session_id, channel=channel, guild_id=guild_id, starter="discord:7", starter_name="Ann",
                          topic="famine", difficulty=None, plan=PLAN, time_limit=20.0, asked_at=100.0)


def answer(db: Database, user="discord:10", session_id="s1", position=0, correct=True, guild_id=BIG_ID) -> bool:
    return db.record_quiz_answer(session_id=session_id, position=position, guild_id=guild_id, user_key=user, user_name=user,
                                 question_id="q1", topic="famine", choice="1959", correct=correct, points=100 if correct else 0,
                                 elapsed=1.5, answered_at=101.0)


@pytest.fixture
def db(db_target):
    database = Database(db_target, clock=lambda: 1_000.0)
    yield database
    database.close()


def test_the_schema_is_brought_to_the_latest_version_on_open(db, db_target):
    assert db.version == len(MIGRATIONS)
    assert {"reports", "guild_settings", "quiz_sessions", "answers", "review_items", "shown_messages", "review_cards",
            "guild_scores", "topic_accuracy"} <= db.tables()
    again = Database(db_target)   # reopening migrates nothing and keeps the version
    assert again.version == len(MIGRATIONS)
    again.close()


def test_one_live_quiz_per_channel_is_enforced_by_the_database(db, db_target):
    assert quiz(db)
    other = Database(db_target)   # another process: its own connection, no shared memory
    assert not quiz(other, session_id="s2")
    assert quiz(other, session_id="s3", channel="discord:2")
    db.end_quiz("s1", "finished")
    assert quiz(other, session_id="s2")  # once it is over, the channel is free again
    assert {q.id for q in db.live_quizzes()} == {"s2", "s3"}
    other.close()


def test_one_answer_per_user_and_question_is_enforced_by_the_database(db, db_target):
    quiz(db)
    assert answer(db)
    other = Database(db_target)
    assert not answer(other)                       # the same user, the same question, another connection
    assert answer(other, user="discord:11")
    assert answer(db, position=1)                  # the next question is another answer
    assert [(a.user_key, a.position) for a in db.quiz_answers("s1")] == [("discord:10", 0), ("discord:11", 0), ("discord:10", 1)]
    other.close()


def test_every_write_is_visible_to_another_connection_at_once(db, db_target):
    other = Database(db_target)
    quiz(db)
    answer(db)
    db.set_guild_setting(5, "answer_in_thread", "on")
    rid = db.add_report(question="why?", passage_ids=["p1"], reporter_id=BIG_ID, guild_id=BIG_ID, note="wrong year")
    assert other.quiz_answers("s1")[0].guild_id == BIG_ID
    assert other.guild_setting(5, "answer_in_thread") == "on"
    assert other.report(rid).reporter_id == BIG_ID and other.report_counts() == (1, 1)
    other.close()


def test_scores_count_only_revealed_answers_and_review_boxes_follow(db):
    quiz(db)
    answer(db, user="discord:10", correct=True)
    answer(db, user="discord:11", correct=False)
    assert db.leaderboard(BIG_ID) == []
    db.reveal_quiz_question("s1", 0, misses=[("discord:11", "q1")], due_at=2_000.0)
    board = db.leaderboard(BIG_ID)
    assert [(r.user_key, r.points, r.correct, r.answered) for r in board] == [("discord:10", 100, 1, 1), ("discord:11", 0, 0, 1)]
    assert all(isinstance(v, int) for r in board for v in (r.points, r.correct, r.answered))
    assert db.leaderboard_size(BIG_ID) == 2 and db.leaderboard_size(BIG_ID, user_key="discord:10") == 1
    assert db.leaderboard(None) == []               # direct messages are a board of their own
    assert [(t.topic, t.answered, t.correct) for t in db.topic_accuracy("discord:10")] == [("famine", 1, 1)]
    item = db.review_item("discord:11", "q1")
    assert (item.box, item.due_at, item.misses) == (1, 2_000.0, 1)
    db.reveal_quiz_question("s1", 0, misses=[("discord:11", "q1")], due_at=3_000.0)
    assert db.review_item("discord:11", "q1").misses == 2


def test_a_review_card_is_answered_once(db):
    db.deal_review_card(card_id="c1", sitting="st", user_key="u", question_id="q1", choices=["a", "b"], box=1)
    kwargs = dict(user_key="u", user_name="U", question_id="q1", topic=None, choice="a", correct=True, box=2,
                  due_at=5.0, mastered=False, card_id="c1", card_choice=0)
    assert db.record_review_answer(**kwargs)
    assert not db.record_review_answer(**kwargs)
    assert len(db.user_answers("u", kind="review")) == 1
    assert db.review_card("c1").choice == 0 and db.sitting_questions("st") == {"q1"}


def test_shown_messages_and_reports_round_trip(db):
    pages = [{"title": "Famine — 饥荒", "fields": [{"name": "a", "value": "b"}]}]
    db.save_shown(shown_id="m1", owner_id=BIG_ID, pages=pages, question="why?", passage_ids=["p"], followups=["and?"])
    shown = db.shown("m1")
    assert (shown.owner_id, shown.pages, shown.followups) == (BIG_ID, tuple(pages), ("and?",))
    rid = db.add_report(question="q", passage_ids=[])
    assert db.resolve_report(rid, by="curator", note="fixed") and not db.resolve_report(rid, by="curator")
    assert db.report(rid).resolved_by == "curator" and db.reports(open_only=True) == []


def test_shown_messages_saved_together_are_all_kept(db):
    rows = [dict(shown_id=f"m{i}", owner_id=BIG_ID + i, pages=[{"title": str(i)}], question=f"q{i}?") for i in range(5)]
    db.save_shown_many(rows)
    assert [db.shown(f"m{i}").question for i in range(5)] == [f"q{i}?" for i in range(5)]
    with pytest.raises(db.dialect.integrity_errors):  # one bad row (a duplicate id): the whole batch rolls back
        db.save_shown_many([dict(shown_id="new", owner_id=1, pages=[]), dict(shown_id="m0", owner_id=1, pages=[])])
    assert db.shown("new") is None


def test_a_failed_transaction_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO guild_settings VALUES (1, 'k', 'v')")
        raise RuntimeError("boom")
    assert db.guild_setting(1, "k") is None


def test_threads_sharing_one_connection_lose_no_answer(db):
    quiz(db)
    results: list[bool] = []
    lock = threading.Lock()

    def press(i: int) -> None:
        ok = answer(db, user=f"u{i % 50}")       # every user presses twice
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 50 and len(db.quiz_answers("s1")) == 50
