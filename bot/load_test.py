"""The bot under load: n concurrent /ask interactions through the real app-command tree.

Everything but the network is real: the TutorBot with its extensions and the shipped knowledge, a
SQLite database in a temporary directory, gateway INTERACTION_CREATE payloads parsed into
`discord.Interaction` objects by discord.py's own connection state, and the tree dispatching them.
Only Discord's HTTP side is replaced, by `FakeDiscord`, which answers interaction callbacks and
follow-up webhooks in-process and timestamps each one. Discord drops an interaction that is not
acknowledged within 3 seconds, so the figure that matters is the slowest acknowledgement.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.config import Settings
from bot.discord.bot import TutorBot, UserCooldown, unload_all
from bot.engine import Tutor, load_knowledge
from bot.engine.loader import default_knowledge_dir
from bot.engine.storage import Database

ACK_DEADLINE_S = 3.0  # Discord's window for the first response to an interaction
APPLICATION_ID = 42
DEFERRED = 5  # interaction callback type: "thinking…", the answer follows as a webhook message

_ids = itertools.count(200_000_000_000_000_000)


def message_payload(channel_id: int, sent: dict[str, Any], author_id: int = APPLICATION_ID) -> dict[str, Any]:
    """The message object Discord returns for a webhook send or edit of `sent`."""
    return {
        "id": str(snowflake()),
        "channel_id": str(channel_id),
        "type": 0,
        "content": sent.get("content", ""),
        "author": {"id": str(author_id), "username": "GLF Tutor", "discriminator": "0", "avatar": None, "bot": True},
        "embeds": sent.get("embeds", []),
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": sent.get("flags", 0),
        "components": [],
    }


def snowflake() -> int:
    return next(_ids)


@dataclass
class Sent:
    """One request the bot made: where to, with what, and when it reached the transport."""

    path: str
    token: str
    payload: dict[str, Any]
    at: float


@dataclass
class FakeDiscord(AsyncWebhookAdapter):
    """Discord's interaction endpoints, in process: callbacks and follow-ups are recorded and answered.

    An interaction is acknowledged by its first callback and finished by its first follow-up
    message, or by a callback that is itself the reply (anything but a deferral).
    """

    channel_id: int = field(default_factory=snowflake)
    delay_s: float = 0.0  # simulated round trip, if wanted; 0 measures the bot alone
    sent: list[Sent] = field(default_factory=list)
    acked: dict[str, float] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)
    _waiters: dict[str, asyncio.Future[None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def expect(self, token: str) -> asyncio.Future[None]:
        """A future resolved when the interaction with this token gets its final message."""
        return self._waiters.setdefault(token, asyncio.get_running_loop().create_future())

    async def request(self, route, session=None, *, payload=None, multipart=None, files=None, **kwargs) -> Any:
        now = time.perf_counter()
        if multipart and payload is None:  # messages with components go out as multipart
            payload = json.loads(next(p["value"] for p in multipart if p["name"] == "payload_json"))
        payload = payload or {}
        token = str(route.webhook_token)
        self.sent.append(Sent(route.path, token, payload, now))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if route.path.endswith("/callback"):
            self.acked.setdefault(token, now)
            if payload.get("type") != DEFERRED:
                self._finish(token, now)
            return {"interaction": {"id": str(snowflake()), "type": 2}}
        if route.method == "POST":
            self._finish(token, now)
        return message_payload(self.channel_id, payload)

    def _finish(self, token: str, now: float) -> None:
        if token in self.finished:
            return
        self.finished[token] = now
        waiter = self._waiters.get(token)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def for_token(self, token: str) -> list[Sent]:
        return [s for s in self.sent if s.token == token]


def slash_payload(
    name: str,
    options: dict[str, Any],
    *,
    user_id: int,
    channel_id: int,
    guild_id: int | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """A CHAT_INPUT interaction as the gateway delivers it (INTERACTION_CREATE): in a server's text
    channel when `guild_id` is given, else in a DM."""
    types = {str: 3, int: 4, bool: 5}
    user = {"id": str(user_id), "username": "student", "discriminator": "0", "avatar": None}
    payload: dict[str, Any] = {
        "id": str(snowflake()),
        "application_id": str(APPLICATION_ID),
        "type": 2,
        "token": token or f"token-{snowflake()}",
        "version": 1,
        "channel_id": str(channel_id),
        "channel": {"id": str(channel_id), "type": 1},
        "user": user,
        "locale": "en-GB",
        "app_permissions": "0",
        "entitlements": [],
        "context": 1,
        "attachment_size_limit": 10485760,
        "authorizing_integration_owners": {"1": str(user_id)},
        "data": {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "options": [{"name": k, "type": types[type(v)], "value": v} for k, v in options.items()],
        },
    }
    if guild_id is not None:
        del payload["user"]
        payload |= {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-GB", "features": []},
            "guild_locale": "en-GB",
            "context": 0,
            "authorizing_integration_owners": {"0": str(guild_id)},
            "app_permissions": str(discord.Permissions(send_messages=True, embed_links=True).value),
            "member": {
                "user": user,
                "roles": [],
                "joined_at": "2025-09-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(discord.Permissions(send_messages=True, use_application_commands=True).value),
            },
            "channel": {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(guild_id),
                "name": "history",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            },
        }
    return payload


def questions(tutor: Tutor) -> list[str]:
    """What students ask: every passage's own question, plus a few the tutor must refuse."""
    own = [p.question for p in tutor.kb.passages if p.question]
    return [*own, "What's a good recipe for dumplings?", "How many died in the Irish potato famine?"]


async def start_bot(database_path: Path, knowledge_dir: Path | None = None) -> TutorBot:
    """The real bot and its extensions, set up as login would, but never connected."""
    knowledge = knowledge_dir or default_knowledge_dir()
    settings = Settings(knowledge_dir=knowledge, database=database_path)
    bot = TutorBot(settings, Tutor(load_knowledge(knowledge)), Database(database_path))
    await bot._async_setup_hook()  # the loop and ready state, as login would set them
    await bot.setup_hook()
    # Who the bot is, as the READY event would say (server interactions look up the bot's member).
    bot._connection.user = discord.ClientUser(
        state=bot._connection, data={"id": str(APPLICATION_ID), "username": "GLF Tutor", "discriminator": "0", "avatar": None}
    )
    return bot


async def stop_bot(bot: TutorBot) -> None:
    await unload_all(bot)
    await bot.close()
    bot.database.close()


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def run_load(
    n: int = 500, *, timeout_s: float = 60.0, delay_s: float = 0.0, transport: FakeDiscord | None = None
) -> dict[str, Any]:
    """Dispatch n /ask interactions at once (each from a distinct user) and time their responses.

    `delay_s` simulates Discord's round trip on every request; `transport` may be passed in to
    inspect what was sent."""
    with tempfile.TemporaryDirectory(prefix="glf-load-") as tmp:
        bot = await start_bot(Path(tmp) / "glf.sqlite3")
        # Relaxed so nothing is refused (each user is distinct anyway); the check still runs each time.
        bot.cooldown = UserCooldown(rate=max(n, 1))
        transport = transport or FakeDiscord(delay_s=delay_s)
        context = async_context.set(transport)  # the tree's tasks copy this context when created
        try:
            return await _measure(bot, transport, n, timeout_s)
        finally:
            async_context.reset(context)
            await stop_bot(bot)


async def _measure(bot: TutorBot, transport: FakeDiscord, n: int, timeout_s: float) -> dict[str, Any]:
    asked = questions(bot.tutor)
    guild_id = snowflake()
    # Half in a server channel (where the bot also reads the server's settings), half in DMs.
    payloads = [
        slash_payload(
            "ask",
            {"question": asked[i % len(asked)]},
            user_id=snowflake(),
            channel_id=transport.channel_id,
            guild_id=guild_id if i % 2 else None,
        )
        for i in range(n)
    ]
    done = [transport.expect(p["token"]) for p in payloads]
    started: dict[str, float] = {}
    wall = time.perf_counter()
    for payload in payloads:  # as the gateway reader would: parse each event; the tree spawns a task
        started[payload["token"]] = time.perf_counter()
        bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    if done:
        await asyncio.wait(done, timeout=timeout_s)
    wall = time.perf_counter() - wall
    return _summary(transport, started, wall)


def _summary(transport: FakeDiscord, started: dict[str, float], wall_s: float) -> dict[str, Any]:
    acks = [(transport.acked[t] - s) * 1000 for t, s in started.items() if t in transport.acked]
    answers = [(transport.finished[t] - s) * 1000 for t, s in started.items() if t in transport.finished]
    with_embed = {s.token for s in transport.sent if s.payload.get("embeds") and not s.path.endswith("/callback")}
    n = len(started)
    return {
        "interactions": n,
        "acknowledged": len(acks),
        "answered": len(with_embed & started.keys()),
        "slowest_ack_ms": round(max(acks, default=0.0), 2),
        "p50_ack_ms": round(_percentile(acks, 50), 2),
        "p99_ack_ms": round(_percentile(acks, 99), 2),
        "slowest_answer_ms": round(max(answers, default=0.0), 2),
        "p99_answer_ms": round(_percentile(answers, 99), 2),
        "wall_s": round(wall_s, 3),
        "all_acked_within_3s": len(acks) == n and max(acks, default=0.0) <= ACK_DEADLINE_S * 1000,
    }


def run_load_sync(n: int = 500, **kwargs: Any) -> dict[str, Any]:
    """Synchronous wrapper for the CLI (`glf-tutor bench`)."""
    return asyncio.run(run_load(n, **kwargs))


if __name__ == "__main__":
    print(json.dumps(run_load_sync(), indent=2))
