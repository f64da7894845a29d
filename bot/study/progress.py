"""A student's progress and the server leaderboard, computed from the saved answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage import Database, ScoreRow, StoredAnswer

PERIODS: dict[str, float | None] = {"day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0, "all": None}
MIN_FOR_WEAKEST = 2     # a topic answered once says little about a weakness


@dataclass(frozen=True)
class TopicScore:
    topic: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Progress:
    user: str
    answered: int
    correct: int
    points: int
    topics: tuple[TopicScore, ...]          # by topic name
    weakest: tuple[TopicScore, ...]         # lowest accuracy first
    day_streak: int                         # days in a row with a quiz or review answer, up to today
    correct_streak: int                     # quiz answers in a row that were right, most recent first
    best_correct_streak: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


def progress(db: Database, user: str, now: float) -> Progress:
    quiz = db.user_answers(user, kind="quiz")
    every = db.user_answers(user, kind=None)
    topics = tuple(TopicScore(r.topic or "other", r.answered, r.correct) for r in db.topic_accuracy(user))
    weakest = tuple(sorted((t for t in topics if t.answered >= MIN_FOR_WEAKEST and t.correct < t.answered),
                           key=lambda t: (t.accuracy, -t.answered, t.topic))[:3])
    current, best = correct_streaks(quiz)
    return Progress(
        user=user, answered=len(quiz), correct=sum(a.correct for a in quiz), points=sum(a.points for a in quiz),
        topics=topics, weakest=weakest, day_streak=day_streak([a.answered_at for a in every], now),
        correct_streak=current, best_correct_streak=best,
    )


def correct_streaks(answers: Sequence[StoredAnswer]) -> tuple[int, int]:
    """(current run of right answers, longest run) over answers oldest first."""
    run = best = 0
    for a in answers:
        run = run + 1 if a.correct else 0
        best = max(best, run)
    return run, best


def day_streak(times: Sequence[float], now: float) -> int:
    """Consecutive UTC days with activity ending today (or yesterday: today is not over yet)."""
    days = {dt.datetime.fromtimestamp(t, dt.UTC).date() for t in times}
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    if day not in days:
        day -= dt.timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


@dataclass(frozen=True)
class LeaderboardPage:
    period: str
    page: int           # 0-based
    pages: int
    rows: tuple[tuple[int, ScoreRow], ...]      # (rank, row); ties share a rank


def leaderboard(db: Database, guild_id: int | None, period: str, now: float, page: int = 0,
                per_page: int = 10, user: str | None = None) -> LeaderboardPage:
    """One page of scores in a server (guild_id None: direct messages); `user` keeps only that user's row,
    ranked among nobody else (a DM leaderboard must not show other people's DM scores)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    span = PERIODS[period]
    since = None if span is None else now - span
    total = db.leaderboard_size(guild_id, since, user)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 0), pages - 1)
    # Fetch from the top so tied ranks are right across page boundaries.
    rows = db.leaderboard(guild_id, since, limit=(page + 1) * per_page, offset=0, user_key=user)
    ranked: list[tuple[int, ScoreRow]] = []
    for i, row in enumerate(rows):
        prev = ranked[-1] if ranked else None
        tied = prev is not None and (prev[1].points, prev[1].correct) == (row.points, row.correct)
        ranked.append((prev[0] if tied and prev else i + 1, row))
    return LeaderboardPage(period, page, pages, tuple(ranked[page * per_page:]))
