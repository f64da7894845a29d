"""The async quiz driver with a fake presenter: no Discord, a fake clock, deadlines stepped by the test."""

from __future__ import annotations

import asyncio
import random
import time

from bot.study.driver import QuizDriver, real_wait
from bot.study.quiz import QuizRules, StopReason
from bot.study.rooms import QuizRooms
from tests.study.conftest import GateTimer


class Recorder:
    def __init__(self):
        self.events: list[tuple] = []

    async def show_question(self, room, asked):
        self.events.append(("question", room.channel, asked.number))

    async def show_reveal(self, room, reveal):
        self.events.append(("reveal", room.channel, reveal.number, len(reveal.submissions)))

    async def show_end(self, room, standings, reason):
        self.events.append(("end", room.channel, reason, [(s.user, s.points) for s in standings]))


def setup(kb, db, clock, **rules):
    rooms = QuizRooms(kb, db, clock, random.Random(1), QuizRules(time_limit=20, **rules))
    recorder = Recorder()
    timer = GateTimer(clock)
    return rooms, recorder, timer, QuizDriver(rooms, recorder, pause=3, wait=timer)


async def test_a_quiz_runs_to_its_scoreboard(shipped_kb, db, clock):
    rooms, rec, timer, driver = setup(shipped_kb, db, clock)
    rooms.start("c1", starter="a", questions=2)
    task = driver.launch("c1")
    await timer.until_blocked(task)
    assert rec.events == [("question", "c1", 1)]
    rooms.answer("c1", "ann", rooms.room("c1").session.current.correct_index, name="Ann")
    await timer.release(task)          # deadline -> reveal, then the pause
    assert rec.events[-1] == ("reveal", "c1", 1, 1)
    await timer.release(task)          # pause over -> question 2
    assert rec.events[-1] == ("question", "c1", 2)
    await timer.release(task)          # nobody answered q2 -> reveal -> last question -> end
    await asyncio.wait_for(task, 5)
    assert rec.events[-2:] == [("reveal", "c1", 2, 0), ("end", "c1", StopReason.COMPLETED, [("ann", 120)])]
    assert timer.waits == [20, 3, 20]
    assert db.live_quizzes() == []


async def test_two_unanswered_questions_end_the_quiz(shipped_kb, db, clock):
    rooms, rec, timer, driver = setup(shipped_kb, db, clock)
    rooms.start("c1", starter="a", questions=10)
    task = driver.launch("c1")
    for _ in range(3):
        await timer.release(task)
    await asyncio.wait_for(task, 5)
    assert [e[0] for e in rec.events] == ["question", "reveal", "question", "reveal", "end"]
    assert rec.events[-1][2] is StopReason.IDLE


async def test_stop_wakes_the_driver_at_once(shipped_kb, db, clock):
    rooms, rec, timer, driver = setup(shipped_kb, db, clock)
    rooms.start("c1", starter="a", questions=3)
    task = driver.launch("c1")
    await timer.until_blocked(task)
    await driver.stop("c1")
    await asyncio.wait_for(task, 5)
    assert rec.events[-1][:3] == ("end", "c1", StopReason.STOPPED)
    assert rooms.room("c1") is None


async def test_channels_run_side_by_side(shipped_kb, db, clock):
    """Real timers, short limits: 20 channels finish together, none waiting for another."""
    rooms = QuizRooms(shipped_kb, db, clock=time.time, rng=random.Random(2),
                      rules=QuizRules(time_limit=0.2))
    rec = Recorder()
    driver = QuizDriver(rooms, rec, pause=0.01, wait=real_wait)
    loop = asyncio.get_running_loop()
    began = loop.time()
    tasks = []
    for i in range(20):
        rooms.start(f"c{i}", starter="a", questions=2)
        tasks.append(driver.launch(f"c{i}"))
    await asyncio.sleep(0.05)
    for i in range(20):
        rooms.answer(f"c{i}", "ann", 0)
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert loop.time() - began < 3.0          # about 2 x 0.2 s, not 20 x 2 x 0.2 s
    ends = [e for e in rec.events if e[0] == "end"]
    assert len(ends) == 20


async def test_a_failing_presenter_does_not_kill_the_game(shipped_kb, db, clock):
    rooms, rec, timer, driver = setup(shipped_kb, db, clock)

    async def broken(room, asked):
        raise RuntimeError("channel deleted")

    rec.show_question = broken
    rooms.start("c1", starter="a", questions=5)
    task = driver.launch("c1")
    for _ in range(3):
        await timer.release(task)
    await asyncio.wait_for(task, 5)
    assert rec.events[-1][2] is StopReason.IDLE       # nobody could answer: it stopped itself
