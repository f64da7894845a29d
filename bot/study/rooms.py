"""Live quizzes, one per channel, saved as they are played so a restart resumes them.

Every transition is written to the database before it is acknowledged: an answer is committed when
it is given, a reveal makes that question's points count (and files the misses for review), and
a restart rebuilds each live session from its saved plan and answers. Calls for one channel are
serialised by that channel's lock; different channels never wait for each other (except for the
few milliseconds of a SQLite commit).
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.engine.records import KnowledgeBase
from bot.storage import Database, StoredQuiz
from bot.study.quiz import (
    AnswerResult,
    Asked,
    Phase,
    QuizError,
    QuizRules,
    QuizSession,
    Receipt,
    Reveal,
    Standing,
    Submission,
    choose_questions,
    normalise_topic,
    plan_from_ids,
    question_topic,
)


class QuizBusy(QuizError):
    """The channel already has a live quiz."""


@dataclass
class Room:
    channel: str
    guild_id: int | None
    session: QuizSession
    topic: str | None
    difficulty: str | None
    starter_name: str | None
    lock: threading.RLock
    resumed: bool = False


class QuizRooms:
    def __init__(self, kb: KnowledgeBase, db: Database, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None, rules: QuizRules | None = None):
        self.kb, self.db, self.clock = kb, db, clock
        self.rng = rng or random.Random()
        self.rules = rules or QuizRules()
        self.topics = sorted({t for q in kb.quiz if (t := question_topic(kb, q))})
        self._rooms: dict[str, Room] = {}
        self._registry = threading.Lock()

    # ----- lifecycle -----------------------------------------------------------------------------
    def start(
        self,
        channel: str,
        *,
        starter: str,
        starter_name: str | None = None,
        guild_id: int | None = None,
        topic: str | None = None,
        difficulty: str | None = None,
        questions: int | None = None,
        time_limit: float | None = None,
    ) -> Room:
        count = self.rules.questions if questions is None else questions  # 0 is asked for, not left out
        if not 1 <= count <= self.rules.max_questions:
            raise QuizError(f"A quiz has 1 to {self.rules.max_questions} questions.")
        topic = normalise_topic(topic, self.topics)
        rules = replace(self.rules, time_limit=time_limit) if time_limit else self.rules
        with self._registry:
            live = self._rooms.get(channel)
            if (live and live.session.live) or self.db.live_quiz(channel) is not None:
                raise QuizBusy("A quiz is already running here; finish it or stop it with /quiz stop first.")
            plan = choose_questions(self.kb, self.rng, count, topic, difficulty, avoid=self.db.recent_question_ids(channel))
            session = QuizSession(self.kb, plan, self.clock, rules, id=uuid.uuid4().hex[:12], starter=starter)
            asked = session.start()
            saved = self.db.create_quiz(
                session_id=session.id, channel=channel, guild_id=guild_id, starter=starter, starter_name=starter_name,
                topic=topic, difficulty=difficulty, plan=[(p.question.id, p.order) for p in plan],
                time_limit=rules.time_limit, asked_at=asked.asked_at,
            )
            if not saved:   # another process got there first
                raise QuizBusy("A quiz is already running here; finish it or stop it with /quiz stop first.")
            room = Room(channel, guild_id, session, topic, difficulty, starter_name, threading.RLock())
            self._rooms[channel] = room
            return room

    def room(self, channel: str) -> Room | None:
        room = self._rooms.get(channel)
        return room if room and room.session.live else None

    def answer(self, channel: str, user: str, choice: int, *, name: str | None = None,
               session_id: str | None = None, position: int | None = None, at: float | None = None) -> AnswerResult:
        room = self.room(channel)
        if room is None or (session_id is not None and session_id != room.session.id):
            return AnswerResult(Receipt.CLOSED)
        with room.lock:
            session = room.session
            result = session.answer(user, choice, name, position, at)
            if result.receipt is not Receipt.ACCEPTED:
                return result
            sub = result.submission
            assert sub is not None
            planned = session.current
            try:
                saved = self.db.record_quiz_answer(
                    session_id=session.id, position=session.position, guild_id=room.guild_id, user_key=user,
                    user_name=sub.name, question_id=planned.question.id, topic=question_topic(self.kb, planned.question),
                    choice=planned.choices[choice], correct=sub.correct, points=sub.points, elapsed=sub.elapsed,
                    answered_at=sub.at,
                )
            except BaseException:
                session.withdraw(user)   # not saved, so not given: the user may try again
                raise
            if not saved:
                session.withdraw(user)
                return AnswerResult(Receipt.DUPLICATE)
            return result

    def reveal(self, channel: str) -> Reveal:
        room = self._live(channel)
        with room.lock:
            reveal = room.session.reveal()
            misses = [(s.user, reveal.question.id) for s in reveal.submissions if not s.correct]
            self.db.reveal_quiz_question(room.session.id, reveal.position, misses, due_at=self.clock())
            return reveal

    def next(self, channel: str) -> Asked | None:
        room = self._live(channel)
        with room.lock:
            asked = room.session.next()
            if asked is not None:
                self.db.advance_quiz(room.session.id, asked.position, asked.asked_at)
            return asked

    def finish(self, channel: str) -> list[Standing]:
        room = self._live(channel)
        with room.lock:
            standings = room.session.finish()
            self.db.end_quiz(room.session.id, "finished")
            return standings

    def cancel(self, channel: str) -> list[Standing]:
        room = self._live(channel)
        with room.lock:
            standings = room.session.cancel()
            self.db.end_quiz(room.session.id, "cancelled")
            return standings

    # ----- restart -------------------------------------------------------------------------------
    def resume(self, channel: str) -> Room | None:
        """Rebuild the channel's saved live quiz. The question in flight is asked again with a fresh
        time limit and keeps the answers already given; a revealed question moves on to the next."""
        if (room := self.room(channel)) is not None:
            return room
        stored = self.db.live_quiz(channel)
        return self._restore(stored) if stored else None

    def resume_all(self, prefix: str = "", where: Callable[[StoredQuiz], bool] | None = None) -> list[Room]:
        """Every saved live quiz whose channel key starts with `prefix` (e.g. 'discord:') and, if given,
        for which `where` holds (e.g. the quizzes of this process's shards): the others are left alone."""
        rooms = []
        for stored in self.db.live_quizzes():
            if not stored.channel.startswith(prefix) or (where is not None and not where(stored)):
                continue
            room = self.room(stored.channel) or self._restore(stored)
            if room is not None:
                rooms.append(room)
        return rooms

    def _restore(self, stored: StoredQuiz) -> Room | None:
        plan = plan_from_ids(self.kb, stored.plan)
        if len(plan) != len(stored.plan):
            # A question left the bank since: positions would no longer match the saved answers.
            # Close it; the revealed points stay on the leaderboard.
            self.db.end_quiz(stored.id, "cancelled")
            return None
        rules = replace(self.rules, time_limit=stored.time_limit)
        session = QuizSession(self.kb, plan, self.clock, rules, id=stored.id, starter=stored.starter)
        answers: dict[int, list[Submission]] = {}
        for a in self.db.quiz_answers(stored.id):
            choices = plan[a.position].choices if a.position is not None and a.position < len(plan) else ()
            choice = choices.index(a.choice) if a.choice in choices else -1
            answers.setdefault(a.position or 0, []).append(
                Submission(a.user_key, a.user_name or a.user_key, choice, a.correct, a.points, a.elapsed or 0.0, a.answered_at)
            )
        session.restore(stored.position, Phase(stored.phase), self.clock(), answers)
        room = Room(stored.channel, stored.guild_id, session, stored.topic, stored.difficulty, stored.starter_name,
                    threading.RLock(), resumed=True)
        with self._registry:
            self._rooms[stored.channel] = room
        if session.phase is Phase.ASKING:
            self.db.advance_quiz(session.id, session.position, session.asked_at)
        elif session.stop_reason is None:
            self.next(stored.channel)
        return room

    def _live(self, channel: str) -> Room:
        room = self.room(channel)
        if room is None:
            raise QuizError("There is no quiz running here.")
        return room
