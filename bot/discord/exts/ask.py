"""Questions: /ask, the "Ask the tutor" message command, and conversation by mention, reply, DM and thread."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.bot import retry_message
from bot.discord.exts._common import conversation_key, remember, too_long
from bot.discord.render import answer_embeds, answer_plain, clip
from bot.discord.views import NO_MENTIONS, TutorView, defer, reply, send_ephemeral
from bot.engine import Answer

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

log = logging.getLogger(__name__)

MAX_QUESTION = 500  # /ask option limit; messages are read up to the engine's own limit
THREAD_NAME = 100
COOLDOWN_NOTICE_S = 10  # the "try again" reply to a message deletes itself
HINT_EVERY_S = 60.0  # at most one "mention me" hint per user per minute
# Without the privileged Message Content intent Discord sends a reply that does not mention the bot
# with empty content (its rule, whoever wrote the message replied to): say how to be heard.
REPLY_HINT = "I can't read replies that don't mention me — put @{name} in your reply, or use `/ask`."


def strip_bot_mention(content: str, bot_id: int) -> str:
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


class Ask(commands.Cog):
    def __init__(self, bot: TutorBot):
        self.bot = bot
        # Context menus cannot live in a cog's class body; registered on load, removed on unload.
        self.ask_menu = app_commands.ContextMenu(name="Ask the tutor", callback=self.ask_about_message)
        self._hinted: dict[int, float] = {}

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.ask_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.ask_menu.name, type=self.ask_menu.type)

    # ----- answering an interaction -----------------------------------------------------------
    async def view_for(self, answer: Answer, pages: list[discord.Embed], owner_id: int) -> TutorView:
        view = await remember(self.bot, owner_id, pages, answer)
        assert view is not None  # an answer always has its report button
        return view

    async def answer_interaction(self, interaction: discord.Interaction, question: str, *, ephemeral: bool) -> None:
        """Defer first (the tutor may take a moment), then the answer replaces the "thinking…" message.
        An error on the way reaches only the asker (views.send_ephemeral), even after a public deferral."""
        await defer(interaction, ephemeral=ephemeral)
        key = conversation_key(interaction.channel, interaction.channel_id, interaction.user.id)
        answer = await self.bot.answer(question, key)
        pages = answer_embeds(answer)
        view = await self.view_for(answer, pages, interaction.user.id)
        message = await reply(interaction, embed=pages[0], view=view)
        if (
            message is not None
            and not ephemeral
            and isinstance(interaction.channel, discord.TextChannel)
            and self.bot.answer_in_thread(interaction.guild_id)
        ):
            await self.open_thread(message, question, key)

    async def open_thread(self, message: discord.Message, question: str, key: str) -> discord.Thread | None:
        """Continue the conversation in a thread on the answer; its memory moves with it."""
        try:
            thread = await message.create_thread(name=clip(question, THREAD_NAME) or "Question", auto_archive_duration=1440)
        except discord.HTTPException:
            log.warning("could not open a thread in channel %s (missing permission?)", message.channel.id, exc_info=True)
            return None
        await self.bot.move_conversation(key, f"thread:{thread.id}")
        return thread

    async def ask_followup(self, interaction: discord.Interaction, question: str) -> None:
        """A suggested-question button: asked by whoever pressed it, privately if the answer was private."""
        retry = self.bot.cooldown.hit(interaction.user.id)
        if retry is not None:
            await send_ephemeral(interaction, retry_message(retry))
            return
        ephemeral = bool(interaction.message and interaction.message.flags.ephemeral)
        await self.answer_interaction(interaction, question, ephemeral=ephemeral)

    # ----- commands ---------------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask a question about the Great Leap Forward (China, 1958-1962)")
    @app_commands.describe(question="Your question, in your own words", private="Only you see the answer (default: no)")
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION], private: bool = False
    ) -> None:
        question = question.strip()
        problem = too_long(question, MAX_QUESTION) or (None if question else "Please write a question.")
        if problem:
            await send_ephemeral(interaction, problem)
            return
        await self.answer_interaction(interaction, question, ephemeral=private)

    async def ask_about_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Message command "Ask the tutor": the selected message's text is the question."""
        text = message.content.strip() or " ".join(e.description or "" for e in message.embeds).strip()
        if not text:
            await send_ephemeral(interaction, "That message has no text I can ask about.")
            return
        await self.answer_interaction(interaction, clip(text, MAX_QUESTION), ephemeral=False)

    # ----- conversation in chat ---------------------------------------------------------------
    def _is_reply_to_me(self, message: discord.Message) -> bool:
        ref = message.reference
        if ref is None:
            return False
        replied = ref.resolved or ref.cached_message  # Discord sends the replied-to message with the reply
        return isinstance(replied, discord.Message) and self.bot.user is not None and replied.author.id == self.bot.user.id

    def _addressed(self, message: discord.Message) -> tuple[bool, bool]:
        """(is this for me?, was I explicitly called?) — explicit calls get an answer even when empty."""
        me = self.bot.user
        if me is None:
            return False, False
        if message.guild is None:
            return True, True
        mentioned = any(u.id == me.id for u in message.mentions)
        if mentioned or self._is_reply_to_me(message):
            return True, mentioned
        channel = message.channel
        return isinstance(channel, discord.Thread) and channel.owner_id == me.id, False

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or self.bot.user is None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        addressed, explicit = self._addressed(message)
        if not addressed:
            return
        if not message.content and self._is_reply_to_me(message):
            await self.hint_to_mention(message)  # its text was withheld by Discord (no Message Content intent)
            return
        question = strip_bot_mention(message.content, self.bot.user.id)
        if not question and not explicit:
            return  # without the message-content intent, other messages in the bot's threads arrive empty
        retry = self.bot.cooldown.hit(message.author.id)
        if retry is not None:
            if self.bot.cooldown.notify(message.author.id, retry):  # once per window, not once per message
                await message.reply(
                    retry_message(retry), mention_author=False, allowed_mentions=NO_MENTIONS, delete_after=COOLDOWN_NOTICE_S
                )
            return

        destination: discord.abc.Messageable = message.channel
        key = conversation_key(message.channel, message.channel.id, message.author.id)
        in_new_thread = False
        if (
            question
            and isinstance(message.channel, discord.TextChannel)
            and self.bot.answer_in_thread(message.guild.id if message.guild else None)
        ):
            try:
                thread = await message.create_thread(name=clip(question, THREAD_NAME), auto_archive_duration=1440)
            except discord.HTTPException:
                log.warning("could not open a thread in channel %s; replying in the channel", message.channel.id, exc_info=True)
            else:
                destination, key, in_new_thread = thread, f"thread:{thread.id}", True

        with contextlib.suppress(discord.HTTPException):
            await destination.typing()  # one "is typing…" (ends when we send): answers take milliseconds
        answer = await self.bot.answer(question, key)
        await self.send_answer(message, destination, answer, in_new_thread)

    async def hint_to_mention(self, message: discord.Message) -> None:
        now = self.bot.cooldown.clock()
        if now < self._hinted.get(message.author.id, -HINT_EVERY_S):
            return
        if len(self._hinted) > 10_000:
            self._hinted = {k: t for k, t in self._hinted.items() if t > now}
        self._hinted[message.author.id] = now + HINT_EVERY_S
        me = message.guild.me.display_name if message.guild is not None and message.guild.me else "GLF Tutor"
        with contextlib.suppress(discord.HTTPException):
            await message.reply(
                REPLY_HINT.format(name=discord.utils.escape_markdown(me)), mention_author=False, allowed_mentions=NO_MENTIONS
            )

    async def send_answer(
        self, message: discord.Message, destination: discord.abc.Messageable, answer: Answer, in_new_thread: bool
    ) -> discord.Message:
        can_embed = True
        if message.guild is not None and isinstance(destination, discord.abc.GuildChannel | discord.Thread):
            can_embed = destination.permissions_for(message.guild.me).embed_links
        if can_embed:
            pages = answer_embeds(answer)
            view = await self.view_for(answer, pages, message.author.id)
            kwargs: dict = {"embed": pages[0]}
        else:  # no Embed Links permission here: the engine's plain text, which fits one message
            view = await self.view_for(answer, [], message.author.id)
            kwargs = {"content": answer_plain(answer)}
        if in_new_thread:
            return await destination.send(view=view, allowed_mentions=NO_MENTIONS, **kwargs)
        return await message.reply(view=view, allowed_mentions=NO_MENTIONS, mention_author=False, **kwargs)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Ask(bot))
