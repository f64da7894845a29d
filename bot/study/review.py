"""Review of missed questions by spaced repetition (Leitner boxes).

A question a student gets wrong in a quiz goes into box 1, due at once. Each right answer in review
moves it up a box and waits longer before asking again; a right answer in the last box masters it
(it leaves the deck). A wrong answer sends it back to box 1, due again after a short pause.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.records import KnowledgeBase, QuizQuestion
from bot.storage import Database, ReviewItem
from bot.study.quiz import question_topic

DAY = 86400.0
# Wait before the item is due again, by the box it has just entered.
INTERVALS: dict[int, float] = {1: 0.0, 2: 1 * DAY, 3: 3 * DAY, 4: 7 * DAY, 5: 14 * DAY}
LAST_BOX = max(INTERVALS)
RETRY_AFTER = 10 * 60.0     # a review miss comes back after ten minutes, not in the same sitting


@dataclass(frozen=True)
class Schedule:
    box: int
    due_at: float
    mastered: bool


def schedule(box: int | None, correct: bool, now: float) -> Schedule:
    """The Leitner step: where an item goes after one review answer (box None: not in the deck yet)."""
    if not correct:
        return Schedule(1, now + RETRY_AFTER, False)
    current = box or 1
    if current >= LAST_BOX:
        return Schedule(LAST_BOX, now, True)
    return Schedule(current + 1, now + INTERVALS[current + 1], False)


@dataclass(frozen=True)
class ReviewCard:
    """A due question, with its choices in the order shown."""

    question: QuizQuestion
    choices: tuple[str, ...]
    box: int

    @property
    def correct_index(self) -> int:
        return self.choices.index(self.question.answer)


@dataclass(frozen=True)
class ReviewOutcome:
    card: ReviewCard
    chosen: int
    correct: bool
    schedule: Schedule


@dataclass(frozen=True)
class DeckStatus:
    due: int
    waiting: int
    mastered: int
    next_due_at: float | None


class ReviewDeck:
    """Each user's missed questions, saved in the database."""

    def __init__(self, kb: KnowledgeBase, db: Database, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None):
        self.kb, self.db, self.clock = kb, db, clock
        self.rng = rng or random.Random()
        self._questions = {q.id: q for q in kb.quiz}

    def question(self, question_id: str) -> QuizQuestion | None:
        """A question of the bank by id (None if it has left the bank since)."""
        return self._questions.get(question_id)

    def due(self, user: str, limit: int = 50, skip: frozenset[str] | set[str] = frozenset()) -> list[ReviewCard]:
        cards = []
        for item in self.db.due_reviews(user, self.clock(), limit + len(skip)):
            q = self._questions.get(item.question_id)
            if q is None or q.id in skip:   # removed from the bank, or already seen this sitting
                continue
            cards.append(ReviewCard(q, tuple(self.rng.sample(q.choices, len(q.choices))), item.box))
        return cards[:limit]

    def next_card(self, user: str, skip: frozenset[str] | set[str] = frozenset()) -> ReviewCard | None:
        cards = self.due(user, limit=1, skip=skip)
        return cards[0] if cards else None

    def answer(
        self, user: str, card: ReviewCard, choice: int, name: str | None = None, *, card_id: str | None = None
    ) -> ReviewOutcome | None:
        """Record one answer. With `card_id` (a card dealt with Database.deal_review_card) a card counts
        once: None if it was already answered."""
        if not 0 <= choice < len(card.choices):
            raise ValueError(f"choice {choice} out of range")
        item: ReviewItem | None = self.db.review_item(user, card.question.id)
        correct = choice == card.correct_index
        step = schedule(item.box if item else None, correct, self.clock())
        recorded = self.db.record_review_answer(
            user_key=user, user_name=name, question_id=card.question.id, topic=question_topic(self.kb, card.question),
            choice=card.choices[choice], correct=correct, box=step.box, due_at=step.due_at, mastered=step.mastered,
            card_id=card_id, card_choice=choice,
        )
        return ReviewOutcome(card, choice, correct, step) if recorded else None

    def status(self, user: str) -> DeckStatus:
        now = self.clock()
        items = [i for i in self.db.review_items(user) if i.question_id in self._questions]
        live = [i for i in items if i.mastered_at is None]
        waiting = [i for i in live if i.due_at > now]
        return DeckStatus(
            due=len(live) - len(waiting), waiting=len(waiting), mastered=len(items) - len(live),
            next_due_at=min((i.due_at for i in waiting), default=None),
        )
