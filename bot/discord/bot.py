"""The Discord bot: a thin shell around the Tutor. Settings, tutor and database are passed in."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import os
import pkgutil
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.discord.render import clip
from bot.discord.views import DYNAMIC_ITEMS, NO_MENTIONS, send_ephemeral
from bot.engine import Answer, Tutor
from bot.storage import Database
from bot.storage.grouped import GroupedWriter

log = logging.getLogger(__name__)
T = TypeVar("T")
HEARTBEAT_S = 30.0  # how often a connected bot touches GLF_HEARTBEAT_FILE (the Docker HEALTHCHECK reads it)
OFFLINE_READY = "offline test mode: set up, not connecting to Discord; waiting for SIGTERM or SIGINT"


def extensions() -> list[str]:
    """Every module in bot/discord/exts except private ones (_common): a new cog file is picked up as is."""
    from bot.discord import exts

    return sorted(f"{exts.__name__}.{m.name}" for m in pkgutil.iter_modules(exts.__path__) if not m.name.startswith("_"))


# Question commands (slash, context menu, mentions, follow-up buttons) share one per-user budget.
QUESTION_RATE = 4
QUESTION_PER_S = 30.0


def intents(settings: Settings) -> discord.Intents:
    """Only what the bot uses. Mentions, DMs and replies that ping the bot carry their text without
    the privileged message-content intent; it is opt-in (GLF_MESSAGE_CONTENT) for bot-owned threads."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # channels and threads in the cache, needed by app commands
    wanted.guild_messages = True  # mentions and replies in servers
    wanted.dm_messages = True  # direct messages
    wanted.message_content = settings.message_content
    return wanted


class UserCooldown:
    """A token bucket per user (app_commands.Cooldown), forgotten once idle so memory stays bounded."""

    def __init__(self, rate: int = QUESTION_RATE, per: float = QUESTION_PER_S, clock: Callable[[], float] = time.monotonic):
        self.rate, self.per, self.clock = rate, per, clock
        self._buckets: dict[int, app_commands.Cooldown] = {}
        self._notified: dict[int, float] = {}  # user id -> end of the window they were last told about

    def hit(self, user_id: int) -> float | None:
        """Spend one question; None if allowed, else seconds until the next is allowed."""
        now = self.clock()
        if len(self._buckets) > 10_000:
            self._buckets = {k: b for k, b in self._buckets.items() if now - b._window <= self.per}
        bucket = self._buckets.setdefault(user_id, app_commands.Cooldown(self.rate, self.per))
        return bucket.update_rate_limit(now)

    def check(self, user_id: int) -> None:
        """Raise CommandOnCooldown (handled by the tree's error handler) when over the limit."""
        retry = self.hit(user_id)
        if retry is not None:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(self.rate, self.per), retry)

    def notify(self, user_id: int, retry_after: float) -> bool:
        """Whether to tell a refused user when to try again: once per refusal window, not per message."""
        now = self.clock()
        if now < self._notified.get(user_id, -math.inf):
            return False
        if len(self._notified) > 10_000:
            self._notified = {k: until for k, until in self._notified.items() if until > now}
        self._notified[user_id] = now + retry_after
        return True


def retry_message(retry_after: float) -> str:
    return f"You're asking quickly — try again in {max(1, math.ceil(retry_after))} s."


class TutorTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every slash and context-menu command spends from the user's one budget (autocomplete does not)."""
        if interaction.type is not discord.InteractionType.application_command:
            return True
        retry = interaction.client.cooldown.hit(interaction.user.id)  # type: ignore[attr-defined]
        if retry is None:
            return True
        await send_ephemeral(interaction, retry_message(retry))
        return False

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Every failure reaches the user as one short private line; unexpected ones are logged in full."""
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        if isinstance(original, app_commands.CommandOnCooldown):
            text = retry_message(original.retry_after)
        elif isinstance(original, app_commands.MissingPermissions):
            text = "You need the " + ", ".join(p.replace("_", " ").title() for p in original.missing_permissions) + " permission."
        elif isinstance(original, app_commands.NoPrivateMessage):
            text = "That command only works in a server."
        elif isinstance(original, app_commands.CheckFailure):
            text = "You can't use that command here."
        elif isinstance(original, app_commands.TransformerError):
            text = f"I couldn't read {clip(repr(original.value), 200)} for that option."
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("error in command %r (user %s)", command, interaction.user.id, exc_info=original)
            text = "Something went wrong on my side; it has been logged. Please try again later."
        await send_ephemeral(interaction, text)


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """The shard Discord sends a server's events to; direct messages go to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % max(shard_count, 1)


class TutorBotMixin:
    """What both bot classes share: injected services, extensions, buttons, the question budget."""

    def _init_tutor(self, settings: Settings, tutor: Tutor, database: Database) -> None:
        self.settings = settings
        self.tutor = tutor
        self.database = database
        self.cooldown = UserCooldown()
        self.shown_writer = GroupedWriter(database.save_shown_many)  # what answers' buttons need, committed together
        # Tutor memory is plain in-process state, touched only on the event loop (see answer).
        # Heavy CPU work (chart rendering) runs here, not on asyncio's shared pool, where it would make
        # every database call (a quiz answer's commit) queue behind it.
        self.cpu = ThreadPoolExecutor(max_workers=1, thread_name_prefix="glf-cpu")
        self._heartbeat: asyncio.Task | None = None
        self._stopped: asyncio.Event | None = None

    async def setup_hook(self) -> None:
        # Buttons work whichever process sent them and across restarts (bot/discord/views.py).
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # type: ignore[attr-defined]
        for ext in extensions():
            await self.load_extension(ext)  # type: ignore[attr-defined]
        await asyncio.to_thread(self.tutor.warm)  # before the gateway connects: no question waits for it
        if self.settings.heartbeat_file is not None:
            self._heartbeat = asyncio.create_task(self._beat(self.settings.heartbeat_file), name="glf-heartbeat")

    async def run_cpu(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.cpu, functools.partial(fn, *args))

    def owns_guild(self, guild_id: int | None) -> bool:
        """Whether this process runs the shard of that server (None: direct messages, shard 0)."""
        count = getattr(self, "shard_count", None) or 1
        ids = getattr(self, "shard_ids", None)
        return ids is None or shard_of(guild_id, count) in ids

    async def offline(self) -> None:
        """Test mode for `glf-tutor run --offline`: set up exactly as after a login (extensions,
        buttons, background tasks), never connect; return once the bot is closed."""
        self._stopped = asyncio.Event()
        await self.setup_hook()
        log.info(OFFLINE_READY)
        await self._stopped.wait()

    async def close(self) -> None:
        await super().close()  # type: ignore[misc]  # the gateway, the HTTP session, every cog (cog_unload)
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self.cpu.shutdown(wait=False, cancel_futures=True)
        if self._stopped is not None:
            self._stopped.set()

    async def _beat(self, path: Path) -> None:
        """While connected, write the time to `path` every HEARTBEAT_S (read by `glf-tutor health`)."""
        while True:
            if self.is_ready() and not self.is_closed() and math.isfinite(self.latency):  # type: ignore[attr-defined]
                try:
                    await asyncio.to_thread(write_heartbeat, path)
                except OSError:
                    log.warning("could not write the heartbeat file %s", path, exc_info=True)
            await asyncio.sleep(HEARTBEAT_S)

    async def answer(self, question: str, conversation: str | None) -> Answer:
        """Answered on the event loop: an answer is a millisecond or two of pure Python, which a worker
        thread would run no sooner (the GIL) and would slow by the hand-offs (a burst of 500 /ask:
        0.9 s instead of 1.2-1.8 s). The yield first lets interactions that arrived meanwhile be
        acknowledged before this one is answered. The loop being the only caller, the conversation
        memory needs no lock."""
        await asyncio.sleep(0)
        return self.tutor.ask(question, conversation)

    async def move_conversation(self, old: str, new: str) -> None:
        """Carry a conversation's memory to a new key (an answer that opened a thread)."""
        memory = self.tutor.memory
        for turn in memory.history(old):
            memory.add(new, turn)
        memory.forget(old)

    def answer_in_thread(self, guild_id: int | None) -> bool:
        return guild_id is not None and self.database.guild_setting(guild_id, "answer_in_thread", "off") == "on"


def _bot_kwargs(settings: Settings) -> dict:
    return {
        "command_prefix": commands.when_mentioned,  # no text commands; mentions are questions (see exts/ask)
        "help_command": None,
        "intents": intents(settings),
        "allowed_mentions": NO_MENTIONS,  # quoted text may contain @everyone
        "tree_cls": TutorTree,
        "activity": discord.Activity(type=discord.ActivityType.listening, name="/ask · questions on the Great Leap Forward"),
    }


class TutorBot(TutorBotMixin, commands.Bot):
    def __init__(self, settings: Settings, tutor: Tutor, database: Database, **kwargs):
        super().__init__(**(_bot_kwargs(settings) | kwargs))
        self._init_tutor(settings, tutor, database)

    async def process_commands(self, message: discord.Message) -> None:
        """No prefix commands: every message is handled by the ask extension's listener."""


class ShardedTutorBot(TutorBotMixin, commands.AutoShardedBot):
    def __init__(self, settings: Settings, tutor: Tutor, database: Database, **kwargs):
        super().__init__(**(_bot_kwargs(settings) | kwargs))
        self._init_tutor(settings, tutor, database)

    async def process_commands(self, message: discord.Message) -> None:
        """No prefix commands."""


def create_bot(settings: Settings, tutor: Tutor, database: Database) -> TutorBot | ShardedTutorBot:
    """A sharded bot when asked for (GLF_AUTO_SHARD, or this process runs a subset of GLF_SHARD_IDS)."""
    settings.validate_discord()
    if settings.auto_shard or settings.shard_ids is not None:
        kwargs: dict = {}
        if settings.shard_count is not None:
            kwargs["shard_count"] = settings.shard_count
        if settings.shard_ids is not None:
            kwargs["shard_ids"] = list(settings.shard_ids)
        return ShardedTutorBot(settings, tutor, database, **kwargs)
    if settings.shard_count is not None:
        log.warning(
            "GLF_SHARD_COUNT without GLF_SHARD_IDS or GLF_AUTO_SHARD: running all %d shards in this process", settings.shard_count
        )
        return ShardedTutorBot(settings, tutor, database, shard_count=settings.shard_count)
    return TutorBot(settings, tutor, database)


def write_heartbeat(path: Path, now: float | None = None) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{time.time() if now is None else now:.0f}\n", encoding="utf-8")
    os.replace(tmp, path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the last heartbeat; None if there is none (never connected, or unreadable)."""
    try:
        beat = float(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return (time.time() if now is None else now) - beat


async def serve(bot: TutorBot | ShardedTutorBot, token: str | None) -> None:
    """Run the bot until Discord closes it, or until SIGTERM (`docker stop`) or SIGINT (Ctrl-C):
    then close it cleanly — gateway, HTTP session, every cog's tasks — and return. Python as PID 1
    (a container without an init) ignores SIGTERM unless a handler is installed, as here.

    token None: offline test mode (TutorBot.offline), the same start and the same shutdown path."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        async with bot:
            running = asyncio.create_task(bot.start(token) if token else bot.offline(), name="glf-bot")
            stopping = asyncio.create_task(stop.wait(), name="glf-signal")
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                log.info("shutdown signal received: closing the bot")
            stopping.cancel()
            await bot.close()  # ends bot.start / bot.offline; a no-op when Discord closed it already
            with contextlib.suppress(asyncio.CancelledError):
                await running  # re-raises a failed login
        log.info("the bot has stopped cleanly")
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def command_tree(settings: Settings, tutor: Tutor) -> list[dict]:
    """The app-command tree as Discord would receive it on sync, built offline (no token, no network)."""
    bot = TutorBot(settings, tutor, Database(":memory:"))
    async with bot:  # the same start-up as a real run, minus the login
        await bot.setup_hook()
        try:
            return [cmd.to_dict(bot.tree) for cmd in bot.tree.get_commands()]
        finally:
            await unload_all(bot)
            bot.database.close()


async def unload_all(bot: commands.Bot) -> None:
    """Let every cog stop its background tasks (cog_unload)."""
    for ext in list(bot.extensions):
        await bot.unload_extension(ext)
