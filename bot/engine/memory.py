"""Conversation memory: in-process, bounded in turns and conversations, expiring when idle."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from bot.engine.understand import DialogueState


@dataclass(frozen=True)
class Turn:
    question: str
    state: DialogueState  # what the turn named and answered, for a follow-up to refer to
    abstained: bool


class ConversationMemory:
    def __init__(
        self,
        max_turns: int = 6,
        ttl_s: float = 30 * 60,
        max_conversations: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_turns, self.ttl_s, self.max_conversations, self.clock = max_turns, ttl_s, max_conversations, clock
        self._conversations: OrderedDict[str, tuple[float, deque[Turn]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._conversations)

    def history(self, key: str) -> list[Turn]:
        entry = self._conversations.get(key)
        if entry is None:
            return []
        last_seen, turns = entry
        if self.clock() - last_seen > self.ttl_s:
            del self._conversations[key]
            return []
        return list(turns)

    def last(self, key: str) -> Turn | None:
        """The latest turn that answered something (abstentions have no subject to follow)."""
        return next((t for t in reversed(self.history(key)) if not t.abstained), None)

    def add(self, key: str, turn: Turn) -> None:
        now = self.clock()
        entry = self._conversations.pop(key, None)
        turns = entry[1] if entry and now - entry[0] <= self.ttl_s else deque(maxlen=self.max_turns)
        turns.append(turn)
        self._conversations[key] = (now, turns)
        while len(self._conversations) > self.max_conversations:
            self._conversations.popitem(last=False)

    def forget(self, key: str) -> None:
        self._conversations.pop(key, None)
