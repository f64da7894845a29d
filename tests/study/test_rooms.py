"""Live quizzes saved as they are played: answers committed at once, resume after a restart, channels in parallel."""

from __future__ import annotations

import random
import threading

import pytest

from bot.storage import Database
from bot.study.quiz import Phase, QuizError, QuizRules, Receipt, StopReason
from bot.study.rooms import QuizBusy, QuizRooms

RULES = QuizRules(time_limit=20.0)


def rooms_for(kb, db, clock, seed=0) -> QuizRooms:
    return QuizRooms(kb, db, clock, random.Random(seed), RULES)


def test_answers_are_committed_when_given(shipped_kb, db, clock, tmp_path):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("discord:1", starter="discord:10", guild_id=5, questions=3)
    right = room.session.current.correct_index
    clock.advance(1)
    assert rooms.answer("discord:1", "discord:10", right, name="Ann").receipt is Receipt.ACCEPTED
    # another connection to the same file sees it before anything else happens
    other = Database(db.path)
    saved = other.quiz_answers(room.session.id)
    assert [(a.user_key, a.correct, a.revealed) for a in saved] == [("discord:10", True, False)]
    other.close()


def test_one_live_quiz_per_channel(shipped_kb, db, clock):
    rooms = rooms_for(shipped_kb, db, clock)
    rooms.start("discord:1", starter="a")
    with pytest.raises(QuizBusy):
        rooms.start("discord:1", starter="b")
    # a second process sharing the file is refused by the database's unique index
    with pytest.raises(QuizBusy):
        rooms_for(shipped_kb, db, clock).start("discord:1", starter="c")
    rooms.start("discord:2", starter="b")           # another channel is free


@pytest.mark.parametrize("questions", [0, -3, 21])
def test_a_quiz_of_no_questions_is_refused_not_given_the_default(shipped_kb, db, clock, questions):
    rooms = rooms_for(shipped_kb, db, clock)
    with pytest.raises(QuizError, match="1 to 20 questions"):
        rooms.start("discord:1", starter="a", questions=questions)
    assert len(rooms.start("discord:1", starter="a").session.plan) == RULES.questions  # left out: the default


def test_stale_session_buttons_are_closed(shipped_kb, db, clock):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("discord:1", starter="a")
    assert rooms.answer("discord:1", "u", 0, session_id="old").receipt is Receipt.CLOSED
    assert rooms.answer("discord:1", "u", 0, session_id=room.session.id, position=0).receipt is Receipt.ACCEPTED
    assert rooms.answer("discord:9", "u", 0).receipt is Receipt.CLOSED


def test_restart_resumes_with_scores_intact(shipped_kb, db, clock, tmp_path):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("discord:1", starter="a", guild_id=5, questions=4)
    sid = room.session.id
    plan = [p.question.id for p in room.session.plan]
    # question 1: ann right, ben wrong
    right = room.session.current.correct_index
    rooms.answer("discord:1", "ann", right, name="Ann")
    rooms.answer("discord:1", "ben", (right + 1) % 4, name="Ben")
    clock.advance(20)
    rooms.reveal("discord:1")
    rooms.next("discord:1")
    # question 2 in flight: ann answers, then the process dies before the reveal
    rooms.answer("discord:1", "ann", room.session.current.correct_index, name="Ann")
    before = {s.user: s.points for s in room.session.standings()}

    fresh_db = Database(db.path, clock=clock)     # "restart"
    fresh = rooms_for(shipped_kb, fresh_db, clock, seed=99)
    [again] = fresh.resume_all()
    s = again.session
    assert s.id == sid and [p.question.id for p in s.plan] == plan
    assert s.phase is Phase.ASKING and s.position == 1 and again.resumed
    assert {x.user: x.points for x in s.standings()} == before
    assert s.has_answered("ann")                                    # the in-flight answer was kept
    assert fresh.answer("discord:1", "ann", 0).receipt is Receipt.DUPLICATE
    assert fresh.answer("discord:1", "ben", s.current.correct_index, name="Ben").receipt is Receipt.ACCEPTED
    clock.advance(20)
    reveal = fresh.reveal("discord:1")
    assert {x.user for x in reveal.winners} == {"ann", "ben"}


def test_resume_after_a_reveal_moves_on(shipped_kb, db, clock, tmp_path):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("terminal:ann", starter="local:ann", questions=3)
    rooms.answer("terminal:ann", "local:ann", room.session.current.correct_index)
    rooms.reveal("terminal:ann")                                      # killed before next()
    fresh = rooms_for(shipped_kb, Database(db.path, clock=clock), clock)
    again = fresh.resume("terminal:ann")
    assert again.session.phase is Phase.ASKING and again.session.position == 1
    assert again.session.standings()[0].correct == 1


def test_resume_of_a_finished_last_question(shipped_kb, db, clock, tmp_path):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("terminal:ann", starter="local:ann", questions=1)
    rooms.answer("terminal:ann", "local:ann", room.session.current.correct_index)
    rooms.reveal("terminal:ann")                                      # killed before finish()
    fresh = rooms_for(shipped_kb, Database(db.path, clock=clock), clock)
    again = fresh.resume("terminal:ann")
    assert again.session.stop_reason is StopReason.COMPLETED
    assert fresh.finish("terminal:ann")[0].correct == 1
    assert fresh.resume("terminal:ann") is None


def test_misses_go_to_review_on_reveal(shipped_kb, db, clock):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("discord:1", starter="a", questions=2)
    q = room.session.current.question
    rooms.answer("discord:1", "ben", (room.session.current.correct_index + 1) % 4)
    assert db.review_item("ben", q.id) is None                       # not before the reveal
    rooms.reveal("discord:1")
    item = db.review_item("ben", q.id)
    assert item.box == 1 and item.due_at <= clock()


def test_cancel_keeps_revealed_points(shipped_kb, db, clock):
    rooms = rooms_for(shipped_kb, db, clock)
    room = rooms.start("discord:1", starter="a", guild_id=3, questions=3)
    rooms.answer("discord:1", "ann", room.session.current.correct_index, name="Ann")
    rooms.reveal("discord:1")
    rooms.next("discord:1")
    rooms.answer("discord:1", "ann", room.session.current.correct_index, name="Ann")
    board = rooms.cancel("discord:1")
    assert board[0].correct == 1
    assert db.quiz(room.session.id).phase == "cancelled"
    assert db.leaderboard(3)[0].correct == 1                          # the unrevealed answer does not count
    assert rooms.room("discord:1") is None
    rooms.start("discord:1", starter="b")                             # the channel is free again


def test_many_channels_in_parallel(shipped_kb, db, clock):
    """Threads playing 24 channels at once: every answer saved, every score right, no cross-talk."""
    rooms = rooms_for(shipped_kb, db, clock)
    channels = [f"discord:{i}" for i in range(24)]
    for i, ch in enumerate(channels):
        rooms.start(ch, starter=f"s{i}", guild_id=1000 + i, questions=3)
    errors: list[BaseException] = []

    def play(ch: str) -> None:
        try:
            for _ in range(3):
                room = rooms.room(ch)
                for u in range(5):
                    choice = room.session.current.correct_index if u % 2 == 0 else (room.session.current.correct_index + 1) % 4
                    assert rooms.answer(ch, f"{ch}/u{u}", choice, name=f"u{u}").receipt is Receipt.ACCEPTED
                rooms.reveal(ch)
                if rooms.next(ch) is None:
                    rooms.finish(ch)
        except BaseException as exc:   # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=play, args=(ch,)) for ch in channels]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    for i, _ch in enumerate(channels):
        rows = db.leaderboard(1000 + i, limit=10)
        assert len(rows) == 5
        assert sorted(r.correct for r in rows) == [0, 0, 3, 3, 3]
    assert db.query("SELECT COUNT(*) FROM answers")[0][0] == 24 * 3 * 5


def test_one_channel_holding_its_lock_does_not_block_another(shipped_kb, db, clock):
    rooms = rooms_for(shipped_kb, db, clock)
    slow = rooms.start("discord:1", starter="a")
    rooms.start("discord:2", starter="b")
    done = threading.Event()
    with slow.lock:                       # channel 1 busy (e.g. a slow presenter call)
        t = threading.Thread(target=lambda: (rooms.answer("discord:2", "u", 0), done.set()))
        t.start()
        assert done.wait(5), "channel 2 waited for channel 1"
    t.join()
