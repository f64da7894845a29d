"""Leaderboard and progress computed from a real SQLite file."""

from __future__ import annotations

import random

import pytest

from bot.storage import Database
from bot.study.progress import day_streak, leaderboard, progress
from bot.study.quiz import QuizRules
from bot.study.rooms import QuizRooms
from tests.study.conftest import T0

DAY = 86400.0


def play(rooms: QuizRooms, channel: str, guild: int, results: dict[str, list[bool]], clock, topic=None) -> None:
    """One quiz where each user answers right/wrong as listed, question by question."""
    n = len(next(iter(results.values())))
    room = rooms.start(channel, starter="host", guild_id=guild, questions=n, topic=topic)
    for i in range(n):
        right = room.session.current.correct_index
        for user, answers in results.items():
            rooms.answer(channel, user, right if answers[i] else (right + 1) % 4, name=user.split(":")[-1])
        clock.advance(20)
        rooms.reveal(channel)
        if rooms.next(channel) is None:
            rooms.finish(channel)


@pytest.fixture
def rooms(shipped_kb, db, clock):
    return QuizRooms(shipped_kb, db, clock, random.Random(4), QuizRules(time_limit=20, speed_bonus=0))


def test_leaderboard_by_server_and_period(rooms, db, clock, tmp_path):
    play(rooms, "discord:1", 7, {"discord:1": [True, True], "discord:2": [True, False]}, clock)
    play(rooms, "discord:9", 8, {"discord:3": [True, True]}, clock)         # another server
    clock.advance(10 * DAY)
    play(rooms, "discord:1", 7, {"discord:2": [True, True, True]}, clock)
    db2 = Database(db.path)                              # read back from the file
    board = leaderboard(db2, 7, "all", clock())
    assert [(rank, r.user_name, r.points, r.correct, r.answered) for rank, r in board.rows] == [
        (1, "2", 400, 4, 5), (2, "1", 200, 2, 2)]
    week = leaderboard(db2, 7, "week", clock())
    assert [(r.user_name, r.points) for _, r in week.rows] == [("2", 300)]
    assert [r.user_name for _, r in leaderboard(db2, 8, "all", clock()).rows] == ["3"]
    with pytest.raises(ValueError):
        leaderboard(db2, 7, "decade", clock())


def test_leaderboard_pages_and_ties(rooms, db, clock):
    results = {f"discord:{i}": [i % 3 == 0] for i in range(25)}
    play(rooms, "discord:1", 7, results, clock)
    first = leaderboard(db, 7, "all", clock(), page=0, per_page=10)
    assert first.pages == 3 and len(first.rows) == 10
    winners = sum(1 for i in range(25) if i % 3 == 0)                        # 9 right answers tie for first
    assert [rank for rank, _ in first.rows][:winners] == [1] * winners
    assert first.rows[winners][0] == winners + 1
    last = leaderboard(db, 7, "all", clock(), page=5, per_page=10)           # clamped to the last page
    assert last.page == 2 and len(last.rows) == 5
    assert all(rank == winners + 1 for rank, _ in last.rows)


def test_progress_by_topic_weakest_and_streaks(rooms, db, clock):
    play(rooms, "discord:1", 7, {"discord:1": [True, True, False]}, clock, topic="steel")
    clock.advance(DAY)
    play(rooms, "discord:1", 7, {"discord:1": [False, False, True]}, clock, topic="famine")
    clock.advance(DAY)
    play(rooms, "discord:1", 7, {"discord:1": [True, True]}, clock, topic="famine")
    p = progress(db, "discord:1", clock())
    assert (p.answered, p.correct, p.points) == (8, 5, 500)
    topics = {t.topic: (t.correct, t.answered) for t in p.topics}
    assert topics == {"steel": (2, 3), "famine": (3, 5)}
    assert [t.topic for t in p.weakest] == ["famine", "steel"]
    assert p.day_streak == 3
    assert (p.correct_streak, p.best_correct_streak) == (3, 3)
    assert progress(db, "discord:nobody", clock()).answered == 0


def test_day_streak_rules():
    today = T0
    assert day_streak([], today) == 0
    assert day_streak([today], today) == 1
    assert day_streak([today - DAY, today - 2 * DAY], today) == 2      # today not played yet: streak still alive
    assert day_streak([today - 2 * DAY], today) == 0                   # a missed day breaks it
    assert day_streak([today, today - DAY, today - 3 * DAY], today) == 2
