"""The Discord bot: a thin shell around the Tutor. Settings, tutor and database are passed in."""

from __future__ import annotations

import asyncio
import logging
import math
import pkgutil
import time
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.discord.render import clip
from bot.discord.views import NO_MENTIONS, send_ephemeral
from bot.engine import Answer, Tutor
from bot.engine.storage import Database

log = logging.getLogger(__name__)


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


def retry_message(retry_after: float) -> str:
    return f"You're asking quickly — try again in {max(1, math.ceil(retry_after))} s."


class TutorTree(app_commands.CommandTree):
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


class TutorBotMixin:
    """What both bot classes share: injected services, extensions, the question budget."""

    def _init_tutor(self, settings: Settings, tutor: Tutor, database: Database) -> None:
        self.settings = settings
        self.tutor = tutor
        self.database = database
        self.cooldown = UserCooldown()
        # Tutor memory is plain in-process state: one question at a time, off the event loop.
        self._ask_lock = asyncio.Lock()

    async def setup_hook(self) -> None:
        for ext in extensions():
            await self.load_extension(ext)  # type: ignore[attr-defined]

    async def answer(self, question: str, conversation: str | None) -> Answer:
        async with self._ask_lock:
            return await asyncio.to_thread(self.tutor.ask, question, conversation)

    async def move_conversation(self, old: str, new: str) -> None:
        """Carry a conversation's memory to a new key (an answer that opened a thread)."""
        async with self._ask_lock:
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
