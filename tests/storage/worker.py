"""A stand-in for one bot process, for the multi-process storage tests: `python -m tests.storage.worker MODE …`.

It uses the real engine objects (QuizRooms over the shipped knowledge, Database over GLF_DATABASE's
kinds of target) and prints what it committed, one JSON line at a time, flushed at once.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time

from bot.discord.bot import shard_of
from bot.engine import load_knowledge
from bot.engine.loader import default_knowledge_dir
from bot.storage import Database, StorageUnavailable
from bot.study.quiz import QuizRules, Receipt
from bot.study.rooms import QuizRooms


def emit(**fields) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def rooms_over(target: str) -> QuizRooms:
    return QuizRooms(load_knowledge(default_knowledge_dir()), Database(target), time.time, random.Random(0),
                     QuizRules(time_limit=1e9))


def resume(target: str, shard_count: int, shard_id: int) -> None:
    """Resume this process's quizzes (its shard's servers; DMs on shard 0) and answer each once."""
    rooms = rooms_over(target)
    resumed = rooms.resume_all("discord:", lambda q: shard_of(q.guild_id, shard_count) == shard_id)
    for room in resumed:
        receipt = rooms.answer(room.channel, f"shard-{shard_id}", 0).receipt
        assert receipt is Receipt.ACCEPTED, receipt
    emit(resumed=sorted(room.channel for room in resumed))


def answers(target: str, session_id: str, worker: int, count: int) -> None:
    """`count` answers of this process's own users and `count` presses of users every process shares,
    from 8 threads, started together when the parent writes a line."""
    db = Database(target)
    sys.stdin.readline()
    got = {"own": 0, "shared": 0}
    lock = threading.Lock()

    def press(kind: str, user: str) -> None:
        ok = db.record_quiz_answer(session_id=session_id, position=0, guild_id=5, user_key=user, user_name=user,
                                   question_id="q1", topic=None, choice="a", correct=True, points=10, elapsed=1.0,
                                   answered_at=time.time())
        with lock:
            got[kind] += ok

    def run(part: int) -> None:
        for i in range(part, count, 8):
            press("own", f"w{worker}-{i}")
            press("shared", f"shared-{i}")

    threads = [threading.Thread(target=run, args=(part,)) for part in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    emit(**got)


def press(target: str, channel: str) -> None:
    """Resume the channel's quiz and answer it as user 0, 1, 2, … for ever, printing each committed one."""
    rooms = rooms_over(target)
    room = rooms.resume(channel)
    assert room is not None
    for i in range(100_000):
        try:
            receipt = rooms.answer(channel, f"u{i}", i % 4).receipt
        except StorageUnavailable:
            emit(not_saved=i)
            continue
        if receipt is Receipt.ACCEPTED:
            emit(committed=i)


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "resume":
        resume(rest[0], int(rest[1]), int(rest[2]))
    elif mode == "answers":
        answers(rest[0], rest[1], int(rest[2]), int(rest[3]))
    elif mode == "press":
        press(rest[0], rest[1])
    else:
        raise SystemExit(f"unknown mode {mode}")
