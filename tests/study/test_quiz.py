"""The quiz state machine, driven by a fake clock."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.study.quiz import (
    Phase,
    QuizError,
    QuizRules,
    QuizSession,
    Receipt,
    StopReason,
    choose_questions,
    normalise_topic,
    question_topic,
)
from tests.study.conftest import FakeClock

RULES = QuizRules(time_limit=20.0, points=100, speed_bonus=20, idle_stop=2)


def make(kb, n=3, clock=None, seed=0, rules=RULES) -> tuple[QuizSession, FakeClock]:
    clock = clock or FakeClock()
    plan = choose_questions(kb, random.Random(seed), n)
    return QuizSession(kb, plan, clock, rules, id="s1", starter="alice"), clock


def wrong(session: QuizSession) -> int:
    return (session.current.correct_index + 1) % 4


def test_choose_without_repeats_and_filters(shipped_kb):
    plan = choose_questions(shipped_kb, random.Random(1), 20)
    ids = [p.question.id for p in plan]
    assert len(ids) == len(set(ids)) == 20
    plan = choose_questions(shipped_kb, random.Random(1), 50, topic="steel", difficulty="easy")
    assert plan and all(question_topic(shipped_kb, p.question) == "steel" and p.question.difficulty == "easy" for p in plan)
    # each question's shuffled choices still hold the right answer exactly once
    for p in choose_questions(shipped_kb, random.Random(2), 30):
        assert sorted(p.choices) == sorted(p.question.choices)
        assert p.choices[p.correct_index] == p.question.answer


def test_choose_prefers_questions_not_asked_recently(shipped_kb):
    pool = [q.id for q in shipped_kb.quiz if question_topic(shipped_kb, q) == "famine"]
    avoid = set(pool[:-2])
    plan = choose_questions(shipped_kb, random.Random(3), 2, topic="famine", avoid=avoid)
    assert {p.question.id for p in plan} == set(pool[-2:])


def test_choose_is_reproducible_with_the_same_seed(shipped_kb):
    a = choose_questions(shipped_kb, random.Random(9), 5)
    b = choose_questions(shipped_kb, random.Random(9), 5)
    assert a == b


def test_bad_topic_and_difficulty_are_explained(shipped_kb):
    with pytest.raises(QuizError, match="No quiz topic"):
        normalise_topic("bananas", ["famine", "steel"])
    assert normalise_topic("Death toll", ["death_toll"]) == "death_toll"
    assert normalise_topic("death-toll", ["death_toll"]) == "death_toll"
    with pytest.raises(QuizError, match="Difficulty"):
        choose_questions(shipped_kb, random.Random(0), 3, difficulty="brutal")


def test_one_answer_per_user_and_hidden_until_reveal(shipped_kb):
    s, clock = make(shipped_kb)
    asked = s.start()
    assert asked.number == 1 and asked.total == 3 and s.phase is Phase.ASKING
    clock.advance(2)
    first = s.answer("bob", s.current.correct_index, "Bob")
    assert first.receipt is Receipt.ACCEPTED and first.submission.correct
    again = s.answer("bob", wrong(s), "Bob")
    assert again.receipt is Receipt.DUPLICATE and again.submission == first.submission
    # points are not on the scoreboard before the reveal
    assert s.standings() == []
    reveal = s.reveal()
    assert [x.user for x in reveal.winners] == ["bob"]
    assert s.standings()[0].points == first.submission.points
    assert s.answer("carol", 0).receipt is Receipt.CLOSED


def test_time_limit_and_speed_bonus(shipped_kb):
    s, clock = make(shipped_kb)
    s.start()
    right = s.current.correct_index
    assert s.answer("fast", right).submission.points == 120          # instant: full bonus
    clock.advance(10)
    assert s.answer("half", right).submission.points == 110          # half the time left: half the bonus
    clock.advance(9.9)
    assert s.answer("slow", right).submission.points == 100
    assert s.answer("wrong", wrong(s)).submission.points == 0
    clock.advance(0.1)
    assert s.expired
    assert s.answer("late", right).receipt is Receipt.LATE


def test_invalid_choice_and_stale_button(shipped_kb):
    s, _ = make(shipped_kb)
    s.start()
    assert s.answer("a", 7).receipt is Receipt.INVALID
    assert s.answer("a", 0, position=1).receipt is Receipt.CLOSED     # a button from another question
    assert s.answer("a", 0, position=0).receipt is Receipt.ACCEPTED


def test_ties_share_a_rank(shipped_kb):
    s, _ = make(shipped_kb, n=1)
    s.start()
    right = s.current.correct_index
    s.answer("ann", right, "Ann")
    s.answer("ben", right, "Ben")
    s.answer("cat", wrong(s), "Cat")
    reveal = s.reveal()
    assert reveal.final and reveal.stop_reason is StopReason.COMPLETED
    board = s.finish()
    assert [(x.rank, x.name, x.points) for x in board] == [(1, "Ann", 120), (1, "Ben", 120), (3, "Cat", 0)]


def test_full_game_runs_to_the_end(shipped_kb):
    s, clock = make(shipped_kb, n=3)
    s.start()
    for _ in range(3):
        s.answer("ann", s.current.correct_index)
        clock.advance(20)
        reveal = s.reveal()
        nxt = s.next()
        if reveal.final:
            assert nxt is None
    assert s.stop_reason is StopReason.COMPLETED
    assert s.finish()[0].correct == 3
    assert s.phase is Phase.FINISHED


def test_stops_after_two_questions_nobody_answered(shipped_kb):
    s, clock = make(shipped_kb, n=6)
    s.start()
    s.answer("ann", 0)
    clock.advance(20)
    assert not s.reveal().final
    s.next()
    clock.advance(20)
    assert not s.reveal().final          # one unanswered question is not enough
    s.next()
    s.answer("ann", 0)                   # an answer resets the count
    s.reveal()
    s.next()
    s.reveal()
    s.next()
    reveal = s.reveal()                  # second unanswered in a row
    assert reveal.final and reveal.stop_reason is StopReason.IDLE
    assert s.next() is None
    s.finish()
    assert s.stop_reason is StopReason.IDLE


def test_cancel_drops_the_question_in_flight(shipped_kb):
    s, _ = make(shipped_kb)
    s.start()
    s.answer("ann", s.current.correct_index)
    s.reveal()
    s.next()
    s.answer("ann", s.current.correct_index)      # in flight: not revealed, so it does not count
    board = s.cancel()
    assert s.phase is Phase.CANCELLED and s.stop_reason is StopReason.STOPPED
    assert board[0].correct == 1
    with pytest.raises(QuizError):
        s.cancel()


def test_transitions_out_of_order_are_refused(shipped_kb):
    s, _ = make(shipped_kb)
    with pytest.raises(QuizError):
        s.reveal()
    s.start()
    with pytest.raises(QuizError):
        s.next()
    with pytest.raises(QuizError):
        s.start()


def test_reveal_cites_the_passage(shipped_kb):
    s, _ = make(shipped_kb, n=1)
    s.start()
    reveal = s.reveal()
    passage = shipped_kb.passages_by_id[reveal.question.passage]
    assert reveal.passage_title == passage.title
    assert len(reveal.citations) == len(passage.sources)
    assert all(shipped_kb.sources[r.id].author in c for r, c in zip(passage.sources, reveal.citations, strict=True))
    assert reveal.question.explanation


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3), st.floats(0, 30)), max_size=30))
def test_scores_match_the_accepted_answers(shipped_kb, events):
    """Whatever arrives, each user has at most one answer and points are 0 or 100..120."""
    s, clock = make(shipped_kb, n=1)
    s.start()
    accepted = {}
    for user, choice, wait in events:
        clock.advance(wait / 10)
        r = s.answer(user, choice)
        if r.receipt is Receipt.ACCEPTED:
            assert user not in accepted
            accepted[user] = r.submission
    s.reveal()
    board = {x.user: x.points for x in s.finish()}
    assert board == {u: sub.points for u, sub in accepted.items()}
    assert all(p == 0 or 100 <= p <= 120 for p in board.values())
