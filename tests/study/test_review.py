"""Spaced repetition (Leitner boxes) of missed questions."""

from __future__ import annotations

import random

from bot.study.review import DAY, INTERVALS, LAST_BOX, RETRY_AFTER, ReviewDeck, schedule


def test_leitner_steps():
    now = 1000.0
    assert schedule(None, False, now) == schedule(3, False, now)
    miss = schedule(4, False, now)
    assert (miss.box, miss.due_at, miss.mastered) == (1, now + RETRY_AFTER, False)
    up = schedule(1, True, now)
    assert (up.box, up.due_at, up.mastered) == (2, now + INTERVALS[2], False)
    assert schedule(3, True, now).due_at == now + 7 * DAY
    assert schedule(LAST_BOX, True, now).mastered


def miss(db, kb, clock, user="ann", n=2):
    """File `n` misses for review, as a quiz reveal does."""
    qs = list(kb.quiz[:n])
    db.reveal_quiz_question("none", 0, [(user, q.id) for q in qs], due_at=clock())
    return qs


def test_review_until_mastered(shipped_kb, db, clock):
    deck = ReviewDeck(shipped_kb, db, clock, random.Random(0))
    [q] = miss(db, shipped_kb, clock, n=1)
    assert deck.status("ann").due == 1
    days = 0
    for box in range(1, LAST_BOX + 1):
        card = deck.next_card("ann")
        assert card is not None and card.question.id == q.id and card.box == box
        outcome = deck.answer("ann", card, card.correct_index, name="Ann")
        assert outcome.correct
        assert deck.next_card("ann") is None            # not due again straight away
        if box < LAST_BOX:
            clock.advance(INTERVALS[box + 1])
            days += INTERVALS[box + 1] / DAY
    assert outcome.schedule.mastered
    assert deck.status("ann").mastered == 1 and deck.status("ann").due == 0
    clock.advance(365 * DAY)
    assert deck.next_card("ann") is None                 # mastered items never come back
    assert days == 1 + 3 + 7 + 14


def test_a_wrong_review_goes_back_to_box_one(shipped_kb, db, clock):
    deck = ReviewDeck(shipped_kb, db, clock, random.Random(0))
    miss(db, shipped_kb, clock, n=1)
    card = deck.next_card("ann")
    deck.answer("ann", card, card.correct_index)
    clock.advance(DAY)
    card = deck.next_card("ann")
    assert card.box == 2
    out = deck.answer("ann", card, (card.correct_index + 1) % 4)
    assert not out.correct and out.schedule.box == 1
    assert deck.next_card("ann") is None                 # comes back after a pause, not in the same breath
    clock.advance(RETRY_AFTER)
    assert deck.next_card("ann").box == 1
    assert db.review_item("ann", card.question.id).misses == 2


def test_skip_and_other_users(shipped_kb, db, clock):
    deck = ReviewDeck(shipped_kb, db, clock, random.Random(0))
    qs = miss(db, shipped_kb, clock, n=3)
    first = deck.next_card("ann")
    second = deck.next_card("ann", skip={first.question.id})
    assert second.question.id != first.question.id
    assert len(deck.due("ann")) == 3 and deck.next_card("bob") is None
    assert {c.question.id for c in deck.due("ann")} == {q.id for q in qs}


def test_review_answers_are_saved_but_not_quiz_points(shipped_kb, db, clock):
    deck = ReviewDeck(shipped_kb, db, clock, random.Random(0))
    miss(db, shipped_kb, clock, n=1)
    card = deck.next_card("ann")
    deck.answer("ann", card, card.correct_index, name="Ann")
    [row] = db.user_answers("ann", kind="review")
    assert row.correct and row.points == 0 and row.choice == card.question.answer
    assert db.leaderboard(None) == []
