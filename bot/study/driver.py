"""Runs live quizzes on an asyncio loop: one task per channel that waits for each deadline, reveals,
pauses, asks the next question, and ends with the scoreboard. It talks to the front end through a
small Presenter protocol, so it runs (and is tested) without Discord; the Discord cog is one presenter.

Answers do not go through the driver: a front end hands them straight to QuizRooms.answer. Blocking
database work runs in a worker thread so one channel's commit never stalls another channel's timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.study.quiz import Asked, Phase, QuizError, Reveal, Standing, StopReason
from bot.study.rooms import QuizRooms, Room

log = logging.getLogger(__name__)


class Presenter(Protocol):
    async def show_question(self, room: Room, asked: Asked) -> None: ...
    async def show_reveal(self, room: Room, reveal: Reveal) -> None: ...
    async def show_end(self, room: Room, standings: list[Standing], reason: StopReason) -> None: ...


# wait(seconds, wake): return after `seconds`, or earlier when `wake` is set (a stop).
Waiter = Callable[[float, asyncio.Event], Awaitable[None]]


async def real_wait(seconds: float, wake: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), timeout=max(0.0, seconds))


class QuizDriver:
    def __init__(self, rooms: QuizRooms, presenter: Presenter, *, pause: float = 4.0, wait: Waiter = real_wait,
                 grace: float = 0.0):
        # grace: the reveal waits this long after the deadline, so an answer given in time but still on
        # its way (a Discord press is timed by when it was made) is counted.
        self.rooms, self.presenter, self.pause, self.wait, self.grace = rooms, presenter, pause, wait, grace
        self.tasks: dict[str, asyncio.Task] = {}
        self._wake: dict[str, asyncio.Event] = {}

    def launch(self, channel: str) -> asyncio.Task:
        """Run the channel's live quiz (just started, or resumed after a restart) to its end."""
        if (task := self.tasks.get(channel)) is not None and not task.done():
            return task
        self._wake[channel] = asyncio.Event()
        task = asyncio.create_task(self._run(channel), name=f"quiz:{channel}")
        self.tasks[channel] = task
        task.add_done_callback(lambda t, c=channel: self._done(c, t))
        return task

    async def stop(self, channel: str) -> list[Standing]:
        """Cancel the quiz now; its task posts the final scoreboard."""
        standings = await asyncio.to_thread(self.rooms.cancel, channel)
        if (wake := self._wake.get(channel)) is not None:
            wake.set()
        return standings

    async def _run(self, channel: str) -> None:
        room = self.rooms.room(channel)
        if room is None:
            return
        session = room.session
        wake = self._wake[channel]
        if session.phase is Phase.ASKING:
            await self._show(self.presenter.show_question(room, session.asked))
        while session.live:
            if session.phase is Phase.ASKING:
                await self.wait(session.deadline + self.grace - self.rooms.clock(), wake)
                if not session.live:
                    break
                if self.rooms.clock() < session.deadline + self.grace:     # woken early without a stop: keep waiting
                    continue
                reveal = await asyncio.to_thread(self.rooms.reveal, channel)
                await self._show(self.presenter.show_reveal(room, reveal))
            if session.stop_reason is not None:
                standings = await asyncio.to_thread(self.rooms.finish, channel)
                await self._show(self.presenter.show_end(room, standings, session.stop_reason))
                return
            await self.wait(self.pause, wake)
            if not session.live:
                break
            asked = await asyncio.to_thread(self.rooms.next, channel)
            if asked is not None:
                await self._show(self.presenter.show_question(room, asked))
        if session.phase is Phase.CANCELLED:
            await self._show(self.presenter.show_end(room, session.standings(), StopReason.STOPPED))

    @staticmethod
    async def _show(call: Awaitable[None]) -> None:
        # A failed post (channel gone, missing permission) must not kill the game: it carries on
        # and, if nobody can answer, stops itself after two unanswered questions.
        try:
            await call
        except Exception:
            log.exception("could not show a quiz update")

    def _done(self, channel: str, task: asyncio.Task) -> None:
        if self.tasks.get(channel) is task:
            self.tasks.pop(channel, None)
            self._wake.pop(channel, None)
        if not task.cancelled() and (exc := task.exception()) is not None and not isinstance(exc, QuizError):
            log.error("quiz in %s failed", channel, exc_info=exc)

    async def close(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
