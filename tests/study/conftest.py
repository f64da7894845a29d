"""Fixtures for the study tools: a fake clock and a real database, once a SQLite file and once PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage import Database

T0 = 1_700_000_000.0    # a fixed moment (Nov 2023), so day streaks are reproducible


class FakeClock:
    def __init__(self, t: float = T0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db(db_target, clock):
    database = Database(db_target, clock=clock)
    yield database
    database.close()


class GateTimer:
    """A QuizDriver `wait` that blocks until the test releases it, then moves the fake clock on.

    `await timer.release()` ends the driver's current wait and returns once the driver is blocked
    in its next wait (or has finished), so a test steps a live quiz one deadline at a time.
    """

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.gate = asyncio.Event()
        self.blocked = asyncio.Event()
        self.waits: list[float] = []

    async def __call__(self, seconds: float, wake: asyncio.Event) -> None:
        self.waits.append(seconds)
        self.blocked.set()
        gate, woken = asyncio.create_task(self.gate.wait()), asyncio.create_task(wake.wait())
        await asyncio.wait({gate, woken}, return_when=asyncio.FIRST_COMPLETED)
        gate.cancel()
        woken.cancel()
        self.gate.clear()
        self.blocked.clear()
        if not wake.is_set():
            self.clock.advance(max(0.0, seconds))

    async def until_blocked(self, task: asyncio.Task | None = None, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not (self.blocked.is_set() and not self.gate.is_set()):
            if task is not None and task.done():
                return
            if loop.time() > end:
                raise AssertionError("the quiz driver never reached its next wait")
            await asyncio.sleep(0.005)

    async def release(self, task: asyncio.Task | None = None) -> None:
        await self.until_blocked(task)
        self.gate.set()
        await asyncio.sleep(0)
        while self.gate.is_set() and not (task is not None and task.done()):
            await asyncio.sleep(0.005)
        await self.until_blocked(task)
