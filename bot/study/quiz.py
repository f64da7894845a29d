"""A quiz session as a state machine: start -> ask -> answer* -> reveal -> next ... -> finish (or cancel).

Pure game logic: no I/O, no discord, no sleeping. Time comes from an injected clock and question
order from an injected random generator, so every rule (time limit, one answer per user, speed
bonus, ties, stopping after unanswered questions) can be tested with a fake clock. Front ends (the
Discord cog, the terminal) and persistence (rooms.py) drive it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.engine.formatting import citation
from bot.engine.records import KnowledgeBase, QuizQuestion

DIFFICULTIES = ("easy", "medium", "hard")
LETTERS = "ABCD"


class QuizError(Exception):
    """A request the quiz cannot honour; the message is written for the student."""


class Phase(StrEnum):
    READY = "ready"
    ASKING = "asking"
    REVEALED = "revealed"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class Receipt(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"     # this user already answered this question
    LATE = "late"               # after the time limit
    CLOSED = "closed"           # not asking (revealed, finished, or a stale button)
    INVALID = "invalid"         # no such choice


class StopReason(StrEnum):
    COMPLETED = "completed"
    IDLE = "idle"               # questions in a row that nobody answered
    STOPPED = "stopped"


@dataclass(frozen=True)
class QuizRules:
    questions: int = 5
    time_limit: float = 20.0
    points: int = 100
    speed_bonus: int = 20       # for an instant answer, falling linearly to 0 at the deadline
    idle_stop: int = 2          # stop after this many questions in a row that nobody answered
    max_questions: int = 20


@dataclass(frozen=True)
class PlannedQuestion:
    question: QuizQuestion
    order: tuple[int, ...]      # indexes into question.choices, in the order shown

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.question.choices[i] for i in self.order)

    @property
    def correct_index(self) -> int:
        return self.choices.index(self.question.answer)


@dataclass(frozen=True)
class Asked:
    position: int               # 0-based index in the plan
    total: int
    question: QuizQuestion
    choices: tuple[str, ...]
    asked_at: float
    deadline: float

    @property
    def number(self) -> int:
        return self.position + 1


@dataclass(frozen=True)
class Submission:
    user: str
    name: str
    choice: int
    correct: bool
    points: int
    elapsed: float
    at: float


@dataclass(frozen=True)
class AnswerResult:
    receipt: Receipt
    submission: Submission | None = None


@dataclass(frozen=True)
class Reveal:
    position: int
    total: int
    question: QuizQuestion
    choices: tuple[str, ...]
    correct_index: int
    submissions: tuple[Submission, ...]
    passage_title: str
    citations: tuple[str, ...]
    final: bool                 # no next question: the quiz ends after this reveal
    stop_reason: StopReason | None

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def winners(self) -> tuple[Submission, ...]:
        return tuple(s for s in self.submissions if s.correct)


@dataclass(frozen=True)
class Standing:
    rank: int                   # ties share a rank (1, 1, 3)
    user: str
    name: str
    points: int
    correct: int
    answered: int


def normalise_topic(topic: str | None, topics: Iterable[str]) -> str | None:
    """'Death toll', 'death-toll' and 'death_toll' all name the topic death_toll."""
    if topic is None or not topic.strip():
        return None
    key = topic.strip().lower().replace("-", "_").replace(" ", "_")
    known = set(topics)
    if key in known:
        return key
    raise QuizError(f"No quiz topic called “{topic}”. Topics: {', '.join(sorted(known))}.")


def question_topic(kb: KnowledgeBase, question: QuizQuestion) -> str | None:
    if question.topic:
        return question.topic
    passage = kb.passages_by_id.get(question.passage)
    return passage.topic if passage else None


def choose_questions(
    kb: KnowledgeBase,
    rng: random.Random,
    count: int,
    topic: str | None = None,
    difficulty: str | None = None,
    avoid: Iterable[str] = (),
) -> list[PlannedQuestion]:
    """Pick `count` distinct questions matching topic/difficulty, preferring ones not in `avoid`."""
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise QuizError(f"Difficulty must be one of {', '.join(DIFFICULTIES)}.")
    pool = [
        q for q in kb.quiz
        if (topic is None or question_topic(kb, q) == topic) and (difficulty is None or q.difficulty == difficulty)
    ]
    if not pool:
        wanted = " ".join(x for x in (difficulty, topic and f"“{topic}”") if x) or "any"
        raise QuizError(f"There are no {wanted} quiz questions.")
    avoided = set(avoid)
    fresh = [q for q in pool if q.id not in avoided]
    seen = [q for q in pool if q.id in avoided]
    rng.shuffle(fresh)
    rng.shuffle(seen)
    chosen = (fresh + seen)[:count]
    return [PlannedQuestion(q, tuple(rng.sample(range(len(q.choices)), len(q.choices)))) for q in chosen]


def plan_from_ids(kb: KnowledgeBase, plan: Sequence[tuple[str, Sequence[int]]]) -> list[PlannedQuestion]:
    """Rebuild a saved plan; a question removed from the bank since is skipped."""
    by_id = {q.id: q for q in kb.quiz}
    out = []
    for qid, order in plan:
        q = by_id.get(qid)
        if q is not None and sorted(order) == list(range(len(q.choices))):
            out.append(PlannedQuestion(q, tuple(order)))
    return out


@dataclass
class QuizSession:
    """One quiz in one channel. Not thread-safe: the owner (rooms.py) serialises calls."""

    kb: KnowledgeBase
    plan: list[PlannedQuestion]
    clock: Callable[[], float]
    rules: QuizRules = QuizRules()
    id: str = ""
    starter: str = ""
    phase: Phase = Phase.READY
    position: int = 0
    asked_at: float = 0.0
    stop_reason: StopReason | None = None
    _answers: dict[int, dict[str, Submission]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.plan:
            raise QuizError("A quiz needs at least one question.")

    # ----- transitions ---------------------------------------------------------------------------
    def start(self) -> Asked:
        self._expect(Phase.READY)
        return self._ask(0)

    def answer(
        self, user: str, choice: int, name: str | None = None, position: int | None = None, at: float | None = None
    ) -> AnswerResult:
        """One answer per user per question, before the deadline. `position` guards against stale buttons.

        `at` is when the answer was given (a Discord press carries its own time), if earlier than now:
        an answer given in time is in time, however long it waited to be processed."""
        if self.phase is not Phase.ASKING or (position is not None and position != self.position):
            return AnswerResult(Receipt.CLOSED)
        if not 0 <= choice < len(self.current.choices):
            return AnswerResult(Receipt.INVALID)
        given = self._answers.setdefault(self.position, {})
        if user in given:
            return AnswerResult(Receipt.DUPLICATE, given[user])
        now = self.clock() if at is None else min(at, self.clock())
        elapsed = max(0.0, now - self.asked_at)
        if elapsed >= self.rules.time_limit:
            return AnswerResult(Receipt.LATE)
        correct = choice == self.current.correct_index
        submission = Submission(user, name or user, choice, correct, self.points_for(correct, elapsed), elapsed, now)
        given[user] = submission
        return AnswerResult(Receipt.ACCEPTED, submission)

    def withdraw(self, user: str) -> None:
        """Undo an accepted answer that could not be saved, so the user may try again."""
        self._answers.get(self.position, {}).pop(user, None)

    def reveal(self) -> Reveal:
        self._expect(Phase.ASKING)
        self.phase = Phase.REVEALED
        planned = self.current
        last = self.position + 1 >= len(self.plan)
        if self.idle_streak >= self.rules.idle_stop:
            self.stop_reason = StopReason.IDLE
        elif last:
            self.stop_reason = StopReason.COMPLETED
        passage = self.kb.passages_by_id.get(planned.question.passage)
        cites = tuple(citation(self.kb.sources[r.id], r) for r in passage.sources if r.id in self.kb.sources) if passage else ()
        return Reveal(
            self.position, len(self.plan), planned.question, planned.choices, planned.correct_index,
            tuple(sorted(self.submissions(self.position), key=lambda s: s.at)),
            passage.title if passage else planned.question.passage, cites,
            self.stop_reason is not None, self.stop_reason,
        )

    def next(self) -> Asked | None:
        """The next question, or None when the quiz is over (then call finish)."""
        self._expect(Phase.REVEALED)
        if self.stop_reason is not None:
            return None
        return self._ask(self.position + 1)

    def finish(self) -> list[Standing]:
        if self.phase not in (Phase.REVEALED, Phase.FINISHED):
            self._expect(Phase.REVEALED)
        self.phase = Phase.FINISHED
        self.stop_reason = self.stop_reason or StopReason.COMPLETED
        return self.standings()

    def cancel(self) -> list[Standing]:
        """Stop now; the question in flight is dropped, points already revealed stand."""
        if self.phase in (Phase.FINISHED, Phase.CANCELLED):
            raise QuizError("This quiz is already over.")
        if self.phase is Phase.ASKING:
            self._answers.pop(self.position, None)
        self.phase = Phase.CANCELLED
        self.stop_reason = StopReason.STOPPED
        return self.standings()

    # ----- queries -------------------------------------------------------------------------------
    @property
    def current(self) -> PlannedQuestion:
        return self.plan[self.position]

    @property
    def asked(self) -> Asked:
        planned = self.current
        return Asked(self.position, len(self.plan), planned.question, planned.choices, self.asked_at, self.deadline)

    @property
    def deadline(self) -> float:
        return self.asked_at + self.rules.time_limit

    @property
    def expired(self) -> bool:
        return self.phase is Phase.ASKING and self.clock() >= self.deadline

    @property
    def live(self) -> bool:
        return self.phase in (Phase.ASKING, Phase.REVEALED)

    def submissions(self, position: int) -> list[Submission]:
        return list(self._answers.get(position, {}).values())

    def has_answered(self, user: str) -> bool:
        return user in self._answers.get(self.position, {})

    @property
    def idle_streak(self) -> int:
        """Questions in a row, up to the current one if revealed, that nobody answered."""
        last = self.position if self.phase in (Phase.REVEALED, Phase.FINISHED) else self.position - 1
        streak = 0
        for pos in range(last, -1, -1):
            if self._answers.get(pos):
                break
            streak += 1
        return streak

    def points_for(self, correct: bool, elapsed: float) -> int:
        if not correct:
            return 0
        left = max(0.0, 1.0 - elapsed / self.rules.time_limit)
        return self.rules.points + round(self.rules.speed_bonus * left)

    def standings(self) -> list[Standing]:
        """Scores of revealed questions only (answers in flight stay hidden); ties share a rank."""
        revealed_through = self.position if self.phase is not Phase.ASKING else self.position - 1
        totals: dict[str, list] = {}
        for pos, given in self._answers.items():
            if pos > revealed_through:
                continue
            for s in given.values():
                row = totals.setdefault(s.user, [s.name, 0, 0, 0])
                row[0] = s.name
                row[1] += s.points
                row[2] += int(s.correct)
                row[3] += 1
        ordered = sorted(totals.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[1][0].lower(), kv[0]))
        out: list[Standing] = []
        for i, (user, (name, points, correct, answered)) in enumerate(ordered):
            tied = out and out[-1].points == points and out[-1].correct == correct
            out.append(Standing(out[-1].rank if tied else i + 1, user, name, points, correct, answered))
        return out

    # ----- restore -------------------------------------------------------------------------------
    def restore(self, position: int, phase: Phase, asked_at: float, answers: Mapping[int, Iterable[Submission]]) -> None:
        """Put a saved session back: its position, phase and every committed answer."""
        self.position = min(position, len(self.plan) - 1)
        self.phase = phase
        self.asked_at = asked_at
        self._answers = {pos: {s.user: s for s in subs} for pos, subs in answers.items()}
        if phase is Phase.REVEALED and (self.idle_streak >= self.rules.idle_stop or self.position + 1 >= len(self.plan)):
            self.stop_reason = StopReason.IDLE if self.idle_streak >= self.rules.idle_stop else StopReason.COMPLETED

    # ----- internals -----------------------------------------------------------------------------
    def _ask(self, position: int) -> Asked:
        self.position = position
        self.asked_at = self.clock()
        self.phase = Phase.ASKING
        return self.asked

    def _expect(self, phase: Phase) -> None:
        if self.phase is not phase:
            raise QuizError(f"The quiz is {self.phase.value}, not {phase.value}.")
