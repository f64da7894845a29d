"""The bot under load, and the fake Discord it runs against.

Everything but the network is real: the TutorBot with its extensions and the shipped knowledge, a
SQLite database in a temporary directory, gateway INTERACTION_CREATE payloads parsed into
`discord.Interaction` objects by discord.py's own connection state, and the tree and the button
registry dispatching them. Only Discord's HTTP side is replaced, by `FakeDiscord`: it answers
interaction callbacks and webhooks (discord.py's webhook adapter) and the bot's own REST calls
(channel messages), timestamps each request, and keeps every message as users would see it
(who sees it, what it shows), following Discord's rules, e.g. that the first follow-up after a
deferral replaces the "thinking…" message and keeps its visibility.

Two runs for `glf-tutor bench`:
- run_load: n concurrent /ask. Discord drops an interaction not acknowledged within 3 seconds, so
  the figure that matters is the slowest acknowledgement.
- run_chart_burst: concurrent /chart (rendering is CPU work) with quiz-button presses in between;
  every press must be acknowledged within 1 s, and be judged by when it was pressed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import math
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.config import Settings
from bot.discord.bot import ShardedTutorBot, TutorBot, UserCooldown, create_bot, unload_all
from bot.engine import Tutor, load_knowledge
from bot.engine.loader import default_knowledge_dir
from bot.storage import Database

ACK_DEADLINE_S = 3.0  # Discord's window for the first response to an interaction
PRESS_ACK_TARGET_S = 1.0  # a quiz press must feel instant, whatever else the bot is doing
APPLICATION_ID = 42
EPHEMERAL = 64
DEFERRED = 5  # interaction callback type: "thinking…", the answer follows
DEFERRED_UPDATE = 6
UPDATE_MESSAGE = 7

_ids = itertools.count(200_000_000_000_000_000)


def snowflake() -> int:
    return next(_ids)


def snowflake_at(when: dt.datetime) -> int:
    """An id whose creation time (discord.utils.snowflake_time) is `when`: how Discord times an interaction."""
    return discord.utils.time_snowflake(when) + next(_ids) % 4096


def message_payload(channel_id: int, sent: dict[str, Any], author_id: int = APPLICATION_ID, message_id: int | None = None,
                    ) -> dict[str, Any]:
    """The message object Discord returns for a send or edit of `sent`."""
    return {
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "type": 0,
        "content": sent.get("content") or "",
        "author": {"id": str(author_id), "username": "GLF Tutor", "discriminator": "0", "avatar": None, "bot": True},
        "embeds": sent.get("embeds") or [],
        "attachments": sent.get("attachments") or [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "mention_everyone": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        "flags": sent.get("flags") or 0,
        "components": sent.get("components") or [],
    }


@dataclass
class Sent:
    """One request the bot made: how, where to, with what, and when it reached the transport."""

    method: str
    path: str
    url: str
    token: str | None
    payload: dict[str, Any]
    at: float


@dataclass
class Shown:
    """A message as Discord shows it."""

    id: int
    channel_id: int
    ephemeral: bool  # seen only by the user whose interaction it answers
    payload: dict[str, Any]  # content, embeds, components, as last sent or edited
    token: str | None = None  # the interaction it answers, if any
    thinking: bool = False  # a deferred "thinking…" message not replaced yet
    deleted: bool = False
    edits: int = 0

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.payload.get("embeds") or []

    def custom_ids(self) -> list[str]:
        rows = self.payload.get("components") or []
        return [c["custom_id"] for row in rows for c in row.get("components", []) if "custom_id" in c]

    def button(self, custom_id: str) -> dict[str, Any]:
        rows = self.payload.get("components") or []
        return next(c for row in rows for c in row["components"] if c.get("custom_id") == custom_id)

    def as_message(self) -> dict[str, Any]:
        return message_payload(self.channel_id, self.payload | {"flags": EPHEMERAL if self.ephemeral else 0}, message_id=self.id)


_MESSAGE = re.compile(r"/messages/(\d+|@original)")
_CHANNEL = re.compile(r"/channels/(\d+)/")


def _payload_of(payload: dict | None, multipart: list | None) -> dict[str, Any]:
    if multipart and payload is None:  # messages with files or components may go out as multipart
        payload = json.loads(next(p["value"] for p in multipart if p["name"] == "payload_json"))
        sizes = {p["name"]: p["value"].getbuffer().nbytes if hasattr(p["value"], "getbuffer") else len(p["value"])
                 for p in multipart if p["name"].startswith("files[")}
        for i, attachment in enumerate(payload.get("attachments") or []):  # as Discord stores an upload
            name = attachment.get("filename", f"file{i}")
            attachment |= {"id": str(snowflake()), "size": sizes.get(f"files[{i}]", 0),
                           "url": f"https://cdn.example/{name}", "proxy_url": f"https://media.example/{name}"}
    return payload or {}


@dataclass
class FakeDiscord(AsyncWebhookAdapter):
    """Discord's HTTP side, in process: every request is recorded and answered as Discord would.

    An interaction is acknowledged by its first callback and finished by the message that answers
    it: a callback that is itself the reply (anything but a "thinking…" deferral), or the first
    follow-up or edit of the original response after one.
    """

    channel_id: int = field(default_factory=snowflake)
    delay_s: float = 0.0  # simulated round trip, if wanted; 0 measures the bot alone
    sent: list[Sent] = field(default_factory=list)
    acked: dict[str, float] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)
    messages: dict[int, Shown] = field(default_factory=dict)
    originals: dict[str, int] = field(default_factory=dict)  # interaction token -> its original response
    pressed: dict[str, int] = field(default_factory=dict)  # component interaction token -> the message pressed
    _waiters: dict[str, asyncio.Future[None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def install(self, bot: discord.Client) -> None:
        """Answer the bot's own REST calls (channel messages) too."""
        bot.http.request = self.http_request  # type: ignore[method-assign]

    def expect(self, token: str) -> asyncio.Future[None]:
        """A future resolved when the interaction with this token gets its final message."""
        return self._waiters.setdefault(token, asyncio.get_running_loop().create_future())

    # ----- interactions and webhooks (discord.py's webhook adapter) ----------------------------------
    async def request(self, route, session=None, *, payload=None, multipart=None, files=None, **kwargs) -> Any:
        now = time.perf_counter()
        payload = _payload_of(payload, multipart)
        token = str(route.webhook_token)
        self.sent.append(Sent(route.method, route.path, route.url, token, payload, now))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if route.path.endswith("/callback"):
            return self._callback(token, payload, now)
        found = _MESSAGE.search(route.url)
        target = found.group(1) if found else None
        if route.method == "POST":  # a follow-up
            original = self.messages.get(self.originals.get(token, -1))
            if original is not None and original.thinking and not original.deleted:  # it replaces "thinking…", flags ignored
                self._edit(original, payload)
                message = original
            else:
                message = self._new(payload, token=token, ephemeral=bool(payload.get("flags", 0) & EPHEMERAL))
            self._finish(token, now)
            return message.as_message()
        message = self.messages.get(self.originals.get(token, -1) if target == "@original" else int(target or -1))
        if message is None:
            raise _not_found()
        if route.method == "PATCH":
            self._edit(message, payload)
            self._finish(token, now)
        elif route.method == "DELETE":
            message.deleted = True
            return None
        return message.as_message()

    def _callback(self, token: str, payload: dict[str, Any], now: float) -> dict[str, Any]:
        kind, data = payload.get("type"), payload.get("data") or {}
        first = token not in self.acked
        self.acked.setdefault(token, now)
        if first and kind in (4, DEFERRED):  # a new message: the reply, or "thinking…"
            message = self._new(data, token=token, ephemeral=bool(data.get("flags", 0) & EPHEMERAL), thinking=kind == DEFERRED)
            self.originals[token] = message.id
        elif first and kind == UPDATE_MESSAGE and token in self.pressed:
            self._edit(self.messages[self.pressed[token]], data)
        if kind != DEFERRED:
            self._finish(token, now)
        return {"interaction": {"id": str(snowflake()), "type": 2}}

    # ----- the bot's REST calls (bot.http.request) ---------------------------------------------------
    async def http_request(self, route, *, files=None, form=None, **kwargs) -> Any:
        now = time.perf_counter()
        payload = kwargs.get("json") or (_payload_of(None, form) if form else {})
        self.sent.append(Sent(route.method, route.path, route.url, None, payload, now))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        channel_id = int(_CHANNEL.search(route.url).group(1)) if _CHANNEL.search(route.url) else 0
        if route.path == "/channels/{channel_id}/typing":
            return None
        if route.path == "/channels/{channel_id}/messages" and route.method == "POST":
            return self._new(payload, channel_id=channel_id).as_message()
        if route.path == "/channels/{channel_id}/messages/{message_id}/threads":
            return {"id": str(snowflake()), "type": 11, "guild_id": str(snowflake()), "name": payload.get("name", ""),
                    "parent_id": str(channel_id), "owner_id": str(APPLICATION_ID), "thread_metadata": {
                        "archived": False, "auto_archive_duration": 1440, "archive_timestamp": "2026-01-01T00:00:00+00:00",
                        "locked": False}}
        if route.path == "/channels/{channel_id}/messages/{message_id}":
            message = self.messages.get(int(_MESSAGE.search(route.url).group(1)))
            if message is None:
                raise _not_found()
            if route.method == "PATCH":
                self._edit(message, payload)
            elif route.method == "DELETE":
                message.deleted = True
                return None
            return message.as_message()
        raise NotImplementedError(f"FakeDiscord does not answer {route.method} {route.path}")

    # ----- messages --------------------------------------------------------------------------------
    def _new(self, payload: dict[str, Any], *, token: str | None = None, ephemeral: bool = False, thinking: bool = False,
             channel_id: int | None = None) -> Shown:
        message = Shown(snowflake(), channel_id or self.channel_id, ephemeral, dict(payload), token, thinking)
        self.messages[message.id] = message
        return message

    @staticmethod
    def _edit(message: Shown, payload: dict[str, Any]) -> None:
        message.payload.update({k: v for k, v in payload.items() if k != "flags"})
        message.thinking = False
        message.edits += 1

    def _finish(self, token: str | None, now: float) -> None:
        if token is None or token in self.finished:
            return
        self.finished[token] = now
        waiter = self._waiters.get(token)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # ----- what users see --------------------------------------------------------------------------
    def for_token(self, token: str) -> list[Sent]:
        return [s for s in self.sent if s.token == token]

    def answering(self, token: str) -> list[Shown]:
        """The messages that answer one interaction, as they stand (deleted ones left out)."""
        return [m for m in self.messages.values() if m.token == token and not m.deleted]

    def public(self, channel_id: int | None = None) -> list[Shown]:
        """Every message everyone in the channel can see, oldest first."""
        return [m for m in self.messages.values() if not m.ephemeral and not m.deleted
                and (channel_id is None or m.channel_id == channel_id)]

    def last_public(self, channel_id: int | None = None) -> Shown:
        return self.public(channel_id)[-1]


def _not_found() -> discord.NotFound:
    response = type("Response", (), {"status": 404, "reason": "Not Found"})()
    return discord.NotFound(response, {"code": 10008, "message": "Unknown Message"})


# ----- interactions as the gateway delivers them (INTERACTION_CREATE) -------------------------------
GUILD_APP_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)


def _interaction(
    kind: int, data: dict[str, Any], *, user_id: int, channel_id: int, guild_id: int | None, token: str | None,
    app_permissions: discord.Permissions | None, created_at: dt.datetime | None, user_name: str = "student",
    member_permissions: discord.Permissions | None = None,
) -> dict[str, Any]:
    user = {"id": str(user_id), "username": user_name, "discriminator": "0", "avatar": None, "global_name": None}
    payload: dict[str, Any] = {
        "id": str(snowflake_at(created_at) if created_at else snowflake()),
        "application_id": str(APPLICATION_ID),
        "type": kind,
        "token": token or f"token-{snowflake()}",
        "version": 1,
        "channel_id": str(channel_id),
        "channel": {"id": str(channel_id), "type": 1},
        "user": user,
        "locale": "en-GB",
        "app_permissions": str((app_permissions or discord.Permissions.none()).value),
        "entitlements": [],
        "context": 1,
        "attachment_size_limit": 10485760,
        "authorizing_integration_owners": {"1": str(user_id)},
        "data": data,
    }
    if guild_id is not None:
        del payload["user"]
        member_permissions = member_permissions or discord.Permissions(send_messages=True, use_application_commands=True)
        payload |= {
            "guild_id": str(guild_id),
            "guild": {"id": str(guild_id), "locale": "en-GB", "features": []},
            "guild_locale": "en-GB",
            "context": 0,
            "authorizing_integration_owners": {"0": str(guild_id)},
            "app_permissions": str((app_permissions or GUILD_APP_PERMISSIONS).value),
            "member": {
                "user": user,
                "roles": [],
                "joined_at": "2025-09-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(member_permissions.value),
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


def slash_payload(
    name: str,
    options: dict[str, Any],
    *,
    user_id: int,
    channel_id: int,
    guild_id: int | None = None,
    token: str | None = None,
    subcommand: str | None = None,
    app_permissions: discord.Permissions | None = None,
    created_at: dt.datetime | None = None,
    user_name: str = "student",
    member_permissions: discord.Permissions | None = None,
) -> dict[str, Any]:
    """A CHAT_INPUT interaction: in a server's text channel when `guild_id` is given, else in a DM."""
    types = {str: 3, int: 4, bool: 5}
    given = [{"name": k, "type": types[type(v)], "value": v} for k, v in options.items()]
    if subcommand is not None:
        given = [{"name": subcommand, "type": 1, "options": given}]
    data = {"id": str(snowflake()), "name": name, "type": 1, "options": given}
    return _interaction(2, data, user_id=user_id, channel_id=channel_id, guild_id=guild_id, token=token,
                        app_permissions=app_permissions, created_at=created_at, user_name=user_name,
                        member_permissions=member_permissions)


def component_payload(
    message: Shown, custom_id: str, *, user_id: int, guild_id: int | None = None, token: str | None = None,
    created_at: dt.datetime | None = None, user_name: str = "student",
) -> dict[str, Any]:
    """A press of the button `custom_id` on `message`, as the gateway delivers it."""
    data = {"custom_id": custom_id, "component_type": 2}
    payload = _interaction(3, data, user_id=user_id, channel_id=message.channel_id, guild_id=guild_id, token=token,
                           app_permissions=None, created_at=created_at, user_name=user_name)
    payload["message"] = message.as_message()
    return payload


async def press(
    bot: discord.Client, transport: FakeDiscord, message: Shown, custom_id: str, *, user_id: int,
    guild_id: int | None = None, created_at: dt.datetime | None = None, timeout: float = 10.0, user_name: str = "student",
) -> str:
    """Press a button as a user would; returns the interaction token once it is answered."""
    payload = component_payload(message, custom_id, user_id=user_id, guild_id=guild_id, created_at=created_at,
                                user_name=user_name)
    token = payload["token"]
    transport.pressed[token] = message.id
    done = transport.expect(token)
    bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    await asyncio.wait_for(done, timeout)
    return token


async def command(bot: discord.Client, transport: FakeDiscord, name: str, options: dict[str, Any] | None = None, *,
                  timeout: float = 10.0, **kwargs: Any) -> str:
    """Run a slash command as a user would; returns the interaction token once it is answered."""
    payload = slash_payload(name, options or {}, channel_id=kwargs.pop("channel_id", transport.channel_id), **kwargs)
    done = transport.expect(payload["token"])
    bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    await asyncio.wait_for(done, timeout)
    return payload["token"]


def questions(tutor: Tutor) -> list[str]:
    """What students ask: every passage's own question, plus a few the tutor must refuse."""
    own = [p.question for p in tutor.kb.passages if p.question]
    return [*own, "What's a good recipe for dumplings?", "How many died in the Irish potato famine?"]


async def start_bot(database_path: Path | str, knowledge_dir: Path | None = None, *, tutor: Tutor | None = None,
                    transport: FakeDiscord | None = None, database: Database | None = None,
                    **settings: Any) -> TutorBot | ShardedTutorBot:
    """The real bot and its extensions, set up as login would, but never connected. With a
    `transport`, the bot's REST calls go to it (install it in async_context for interactions).
    `settings` are Settings fields, e.g. shard_count=2, shard_ids=(1,) for one of two shard processes."""
    knowledge = knowledge_dir or default_knowledge_dir()
    target = str(database_path) if "://" in str(database_path) else Path(database_path)
    bot = create_bot(Settings(knowledge_dir=knowledge, database=target, **settings),
                     tutor or Tutor(load_knowledge(knowledge)), database or Database(database_path))
    if transport is not None:
        transport.install(bot)
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
    transport = transport or FakeDiscord(delay_s=delay_s)
    with tempfile.TemporaryDirectory(prefix="glf-load-") as tmp:
        bot = await start_bot(Path(tmp) / "glf.sqlite3", transport=transport)
        # Relaxed so nothing is refused (each user is distinct anyway); the check still runs each time.
        bot.cooldown = UserCooldown(rate=max(n, 1))
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
    with_embed = {m.token for m in transport.messages.values() if m.embeds and not m.deleted}
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


# ----- charts and quiz presses at once ------------------------------------------------------------
CHART_NAMES = ("deaths", "grain", "steel")


async def run_chart_burst(charts: int = 24, presses: int = 24, *, spacing_s: float = 0.05, timeout_s: float = 60.0,
                          transport: FakeDiscord | None = None) -> dict[str, Any]:
    """`charts` concurrent /chart (the three charts in turn, none drawn yet) while a quiz runs in the
    same process; `presses` answer presses from different players land `spacing_s` apart during the
    burst. Every press should be acknowledged within PRESS_ACK_TARGET_S and accepted (in time)."""
    transport = transport or FakeDiscord()
    with tempfile.TemporaryDirectory(prefix="glf-burst-") as tmp:
        bot = await start_bot(Path(tmp) / "glf.sqlite3", transport=transport)
        bot.cooldown = UserCooldown(rate=10**9)
        context = async_context.set(transport)
        try:
            return await _burst(bot, transport, charts, presses, spacing_s, timeout_s)
        finally:
            async_context.reset(context)
            await stop_bot(bot)


async def _burst(bot: TutorBot, transport: FakeDiscord, charts: int, presses: int, spacing_s: float,
                 timeout_s: float) -> dict[str, Any]:
    guild_id, channel_id = snowflake(), transport.channel_id
    await command(bot, transport, "quiz", {"questions": 1}, subcommand="start", user_id=snowflake(), guild_id=guild_id)
    question = await _wait_for(lambda: next((m for m in transport.public(channel_id) if any(
        c.startswith("glf-quiz:") for c in m.custom_ids())), None), timeout_s)
    buttons = question.custom_ids()

    chart_tokens: dict[str, float] = {}
    press_tokens: dict[str, float] = {}
    waits = []
    wall = time.perf_counter()
    for i in range(charts):  # the burst: all at once, as the gateway would deliver them
        payload = slash_payload("chart", {"name": CHART_NAMES[i % len(CHART_NAMES)]}, user_id=snowflake(),
                                channel_id=channel_id, guild_id=guild_id)
        waits.append(transport.expect(payload["token"]))
        chart_tokens[payload["token"]] = time.perf_counter()
        bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    for i in range(presses):  # players answering while the charts are drawn
        await asyncio.sleep(spacing_s)
        payload = component_payload(question, buttons[i % len(buttons)], user_id=snowflake(), guild_id=guild_id,
                                    created_at=discord.utils.utcnow())
        transport.pressed[payload["token"]] = question.id
        waits.append(transport.expect(payload["token"]))
        press_tokens[payload["token"]] = time.perf_counter()
        bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
    await asyncio.wait(waits, timeout=timeout_s)
    wall = time.perf_counter() - wall

    press_acks = [(transport.acked[t] - s) * 1000 for t, s in press_tokens.items() if t in transport.acked]
    locked_in = [t for t in press_tokens if any("Locked in" in m.content for m in transport.answering(t))]
    chart_done = [(transport.finished[t] - s) * 1000 for t, s in chart_tokens.items() if t in transport.finished]
    with_png = [t for t in chart_tokens if any(m.payload.get("attachments") for m in transport.answering(t))]
    study = bot.get_cog("Study")
    return {
        "charts": charts,
        "charts_answered": len(with_png),
        "charts_drawn": sum(1 for f in study.charts.values() if f.done()) if study else 0,
        "slowest_chart_ms": round(max(chart_done, default=0.0), 1),
        "presses": presses,
        "presses_acknowledged": len(press_acks),
        "presses_accepted": len(locked_in),
        "slowest_press_ack_ms": round(max(press_acks, default=0.0), 1),
        "p50_press_ack_ms": round(_percentile(press_acks, 50), 1),
        "wall_s": round(wall, 3),
        "all_presses_within_1s": len(press_acks) == presses and max(press_acks, default=0.0) <= PRESS_ACK_TARGET_S * 1000,
    }


async def _wait_for(find, timeout_s: float):
    end = time.perf_counter() + timeout_s
    while (found := find()) is None:
        if time.perf_counter() > end:
            raise TimeoutError("the quiz question was never posted")
        await asyncio.sleep(0.005)
    return found


def run_chart_burst_sync(charts: int = 24, presses: int = 24, **kwargs: Any) -> dict[str, Any]:
    return asyncio.run(run_chart_burst(charts, presses, **kwargs))


if __name__ == "__main__":
    print(json.dumps({"load": run_load_sync(), "chart_burst": run_chart_burst_sync()}, indent=2))
