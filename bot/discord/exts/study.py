"""Study groups in Discord: /quiz start|stop, /leaderboard, /progress, /review, /chart.

A thin layer: the game is bot.study (QuizRooms state + QuizDriver timers); this cog turns button
presses into QuizRooms.answer calls and the driver's events into messages. Embeds come from
bot.discord.render, buttons from bot.discord.views. Answers are buttons, never typed, so no
message-content intent is needed.

Quizzes survive restarts and several shard processes: each process resumes only the quizzes of
its own shards, reaches their channels as partial messageables (DM channels are not cached at
start), and first disables the buttons of the question that was on screen before the restart.
"""

from __future__ import annotations

import asyncio
import io
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import CHART_DESCRIPTIONS, Chart, render_chart  # matplotlib itself loads on first use, in the bot's CPU worker
from bot.discord.exts._common import send_pages
from bot.discord.render import (
    clip,
    leaderboard_embeds,
    name,
    progress_embed,
    question_embed,
    reveal_embed,
    review_done_embed,
    review_embed,
    scoreboard_embed,
)
from bot.discord.views import NO_MENTIONS, defer, new_id, quiz_view, reply, review_view, send_ephemeral
from bot.engine.compose import topic_label
from bot.storage import StorageUnavailable, StoredQuiz
from bot.study.driver import QuizDriver, Waiter, real_wait
from bot.study.progress import leaderboard, progress
from bot.study.quiz import LETTERS, Asked, QuizError, QuizRules, Receipt, Reveal, Standing, StopReason
from bot.study.review import ReviewCard, ReviewDeck
from bot.study.rooms import QuizRooms, Room

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

log = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGES = 10
ANSWER_GRACE_S = 1.5  # the reveal waits this long past the deadline for presses made in time but still on their way
# What the bot needs in a channel to run a quiz there (it posts embeds with buttons).
NOT_SAVED = "⚠️ Your answer was **not saved**: the database cannot be reached right now. Press again in a moment."
QUIZ_PERMISSIONS = {"view_channel": "View Channel", "send_messages": "Send Messages", "embed_links": "Embed Links"}


def user_key(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


def channel_key(channel_id: int | None) -> str:
    return f"discord:{channel_id}"


def quiz_refusal(interaction: discord.Interaction) -> str | None:
    """Why the bot could not post a quiz where the command was used, if it could not: checked before
    starting (interaction.app_permissions), since the questions are posted to the channel, not as replies."""
    if interaction.guild_id is None:
        if interaction.context.private_channel:  # a group DM, or someone else's DM (user-installed app)
            return "I can only run quizzes in a server channel or in a direct message with me."
        return None  # the bot's own DM with the user: it can always post there
    needed = dict(QUIZ_PERMISSIONS)
    if isinstance(interaction.channel, discord.Thread):
        needed["send_messages_in_threads"] = needed.pop("send_messages").replace("Messages", "Messages in Threads")
    perms = interaction.app_permissions
    missing = [label for flag, label in needed.items() if not getattr(perms, flag)]
    if not missing:
        return None
    return ("I can't run a quiz in this channel: I need the " + ", ".join(f"**{m}**" for m in missing)
            + (" permissions" if len(missing) > 1 else " permission") + " here. Ask a moderator, or try another channel.")


class Study(commands.Cog):
    quiz = app_commands.Group(name="quiz", description="A quiz in this channel: everyone here can play")

    def __init__(self, bot: TutorBot, *, clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 wait: Waiter = real_wait, pause: float = 4.0, rules: QuizRules | None = None, grace: float = ANSWER_GRACE_S):
        self.bot = bot
        self.kb = bot.tutor.kb
        self.db = bot.database
        self.clock = clock
        self.rng = rng or random.Random()
        self.rooms = QuizRooms(self.kb, self.db, clock, self.rng, rules)
        self.deck = ReviewDeck(self.kb, self.db, clock, self.rng)
        self.driver = QuizDriver(self.rooms, self, pause=pause, wait=wait, grace=grace)
        self.charts: dict[str, asyncio.Future[Chart]] = {}  # rendered once per knowledge base, then served as bytes
        self._resumer: asyncio.Task | None = None

    async def cog_load(self) -> None:
        self._resumer = asyncio.create_task(self.resume_quizzes())

    async def cog_unload(self) -> None:
        if self._resumer is not None:
            self._resumer.cancel()
        await self.driver.close()

    # ----- restart ----------------------------------------------------------------------------
    def mine(self, stored: StoredQuiz) -> bool:
        """A quiz this process should run: one in a server of its shards (DMs: shard 0)."""
        return self.bot.owns_guild(stored.guild_id)

    async def resume_quizzes(self) -> list[Room]:
        """After a restart, once connected: carry on this process's saved quizzes."""
        await self.bot.wait_until_ready()
        return await self.resume_mine()

    async def resume_mine(self) -> list[Room]:
        """Carry on every saved live quiz of this process's shards, asking the question in flight again;
        the message that showed it before the restart has its buttons disabled first."""
        before = {q.id: q for q in await asyncio.to_thread(self.db.live_quizzes) if q.channel.startswith("discord:")}
        rooms = await asyncio.to_thread(self.rooms.resume_all, "discord:", self.mine)
        for room in rooms:
            stale = before.get(room.session.id)
            if stale is not None and stale.message_id is not None:
                await self._close_message(room, stale.message_id, stale.position)
            self.driver.launch(room.channel)
        return rooms

    # ----- presenter (called by the driver) -----------------------------------------------------
    def _channel(self, room: Room) -> discord.PartialMessageable:
        """The quiz's channel by id: works for DMs (never cached at start) and needs no cache at all."""
        return self.bot.get_partial_messageable(int(room.channel.split(":", 1)[1]), guild_id=room.guild_id)

    async def _close_message(self, room: Room, message_id: int, position: int, correct: int | None = None) -> None:
        """Disable a question's buttons (showing the right one at its reveal). Through the channel, so
        it works however old the message is; no interaction token involved."""
        plan = room.session.plan
        if not 0 <= position < len(plan):
            return
        view = quiz_view(room.session.id, position, plan[position].choices, correct=correct, closed=True)
        try:
            await self._channel(room).get_partial_message(message_id).edit(view=view)
        except discord.HTTPException:
            log.info("could not disable the buttons of quiz message %s", message_id, exc_info=True)
        await asyncio.to_thread(self.db.set_quiz_message, room.session.id, None)

    async def _on_screen(self, room: Room) -> int | None:
        stored = await asyncio.to_thread(self.db.quiz, room.session.id)
        return stored.message_id if stored is not None else None

    async def show_question(self, room: Room, asked: Asked) -> None:
        note = "Resuming the quiz after a restart — scores are intact." if room.resumed else None
        room.resumed = False
        message = await self._channel(room).send(
            content=note,
            embed=question_embed(asked, room.topic, room.difficulty),
            view=quiz_view(room.session.id, asked.position, asked.choices),
            allowed_mentions=NO_MENTIONS,
        )
        await asyncio.to_thread(self.db.set_quiz_message, room.session.id, message.id)

    async def show_reveal(self, room: Room, reveal: Reveal) -> None:
        if (message_id := await self._on_screen(room)) is not None:
            await self._close_message(room, message_id, reveal.position, reveal.correct_index)
        await self._channel(room).send(embed=reveal_embed(reveal), allowed_mentions=NO_MENTIONS)

    async def show_end(self, room: Room, standings: list[Standing], reason: StopReason) -> None:
        if (message_id := await self._on_screen(room)) is not None:  # stopped while a question was open
            await self._close_message(room, message_id, room.session.position)
        await self._channel(room).send(embed=scoreboard_embed(standings, reason), allowed_mentions=NO_MENTIONS)

    # ----- /quiz start | stop -----------------------------------------------------------------
    @quiz.command(name="start", description="Start a quiz in this channel")
    @app_commands.describe(topic="only questions on this topic", questions="how many questions (1-20, default 5)",
                           difficulty="easy, medium or hard")
    async def quiz_start(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 60] | None = None,
                         questions: app_commands.Range[int, 1, 20] = 5,
                         difficulty: Literal["easy", "medium", "hard"] | None = None) -> None:
        if (refusal := quiz_refusal(interaction)) is not None:
            await send_ephemeral(interaction, refusal)
            return
        channel = channel_key(interaction.channel_id)
        try:
            room = await asyncio.to_thread(
                self.rooms.start, channel, starter=user_key(interaction.user), starter_name=interaction.user.display_name,
                guild_id=interaction.guild_id, topic=topic, difficulty=difficulty, questions=questions,
            )
        except QuizError as exc:
            await send_ephemeral(interaction, str(exc))
            return
        about = " ".join(x for x in (difficulty, room.topic and f"on {topic_label(room.topic)}") if x)
        await interaction.response.send_message(
            f"{name(interaction.user.display_name)} started a quiz: {len(room.session.plan)} {about + ' ' if about else ''}"
            f"questions, {int(room.session.rules.time_limit)} s each. Everyone here can answer — once per question.",
            allowed_mentions=NO_MENTIONS,
        )
        self.driver.launch(channel)

    @quiz_start.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold().strip()
        return [app_commands.Choice(name=clip(f"{t} — {topic_label(t)}", 100), value=t)
                for t in self.rooms.topics if needle in t or needle in topic_label(t).casefold()][:25]

    @quiz.command(name="stop", description="Stop this channel's quiz (its starter or a moderator)")
    async def quiz_stop(self, interaction: discord.Interaction) -> None:
        channel = channel_key(interaction.channel_id)
        room = self.rooms.room(channel)
        if room is None:
            await send_ephemeral(interaction, "There is no quiz running here.")
            return
        if room.session.starter != user_key(interaction.user) and not interaction.permissions.manage_messages:
            await send_ephemeral(interaction, "Only the person who started the quiz, or a moderator, can stop it.")
            return
        try:
            await self.driver.stop(channel)
        except QuizError as exc:   # it ended meanwhile
            await send_ephemeral(interaction, str(exc))
            return
        await interaction.response.send_message(f"{name(interaction.user.display_name)} stopped the quiz.",
                                                allowed_mentions=NO_MENTIONS)

    async def on_answer(self, interaction: discord.Interaction, session_id: str, position: int, choice: int) -> None:
        """A button press: committed before it is acknowledged; right or wrong stays hidden until the reveal.
        It is timed by when it was pressed (the interaction's created_at), not by when it got its turn."""
        try:
            result = await asyncio.to_thread(
                self.rooms.answer, channel_key(interaction.channel_id), user_key(interaction.user), choice,
                name=interaction.user.display_name, session_id=session_id, position=position,
                at=interaction.created_at.timestamp(),
            )
        except StorageUnavailable:   # reconnected and retried once already: say so, the press may be repeated
            log.warning("quiz answer not saved: the database is unreachable")
            await send_ephemeral(interaction, NOT_SAVED)
            return
        if result.receipt is Receipt.ACCEPTED:
            text = f"Locked in: **{LETTERS[choice]}**. The answer comes when time is up."
        elif result.receipt is Receipt.DUPLICATE:
            mine = result.submission
            given = f" (**{LETTERS[mine.choice]}**)" if mine and mine.choice >= 0 else ""
            text = f"You have already answered this one{given}."
        elif result.receipt is Receipt.LATE:
            text = "Time is up for this question."
        else:
            text = "This question is closed."
        await send_ephemeral(interaction, text)

    # ----- /leaderboard, /progress ---------------------------------------------------------------
    @app_commands.command(name="leaderboard", description="Quiz scores in this server")
    @app_commands.describe(period="day, week, month or all time (default)")
    async def leaderboard_command(self, interaction: discord.Interaction,
                                  period: Literal["day", "week", "month", "all"] = "all") -> None:
        # In a DM the scores are everyone's DM quizzes: show the asker only, never other people's.
        only = None if interaction.guild_id is not None else user_key(interaction.user)
        pages = await asyncio.to_thread(self.leaderboard_pages, interaction.guild_id, period, only)
        await send_pages(interaction, pages)

    def leaderboard_pages(self, guild_id: int | None, period: str, user: str | None = None) -> list[discord.Embed]:
        now = self.clock()
        first = leaderboard(self.db, guild_id, period, now, 0, PAGE_SIZE, user)
        boards = [first] + [leaderboard(self.db, guild_id, period, now, page, PAGE_SIZE, user)
                            for page in range(1, min(first.pages, MAX_PAGES))]
        when = "all time" if period == "all" else f"last {period}" if period != "day" else "last 24 hours"
        if user is not None:
            return leaderboard_embeds(boards, f"Your quiz scores in direct messages — {when}",
                                      "No quiz points in direct messages yet. Start one here with /quiz start.")
        return leaderboard_embeds(boards, f"Leaderboard — {when}", "No quiz points yet. Start one with /quiz start.")

    @app_commands.command(name="progress", description="Your quiz accuracy by topic, weakest topics and streaks (private)")
    async def progress_command(self, interaction: discord.Interaction) -> None:
        embed = await asyncio.to_thread(self.progress_embed, interaction.user)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    def progress_embed(self, user: discord.abc.User) -> discord.Embed:
        key = user_key(user)
        return progress_embed(user.display_name, progress(self.db, key, self.clock()), self.deck.status(key))

    # ----- /review -----------------------------------------------------------------------------
    def deal(self, user: str, sitting: str, seen: set[str] | frozenset[str] = frozenset()) -> tuple[str, ReviewCard] | None:
        """The next due card of this sitting, stored so its buttons work from any process, once each."""
        card = self.deck.next_card(user, seen)
        if card is None:
            return None
        card_id = new_id()
        self.db.deal_review_card(card_id=card_id, sitting=sitting, user_key=user, question_id=card.question.id,
                                 choices=card.choices, box=card.box)
        return card_id, card

    @app_commands.command(name="review", description="Practise the quiz questions you got wrong (only you see it)")
    async def review_command(self, interaction: discord.Interaction) -> None:
        user = user_key(interaction.user)
        dealt = await asyncio.to_thread(self.deal, user, new_id())
        if dealt is None:
            status = await asyncio.to_thread(self.deck.status, user)
            await send_ephemeral(interaction,
                                 f"Nothing to review right now ({status.waiting} waiting for later, {status.mastered} mastered).")
            return
        card_id, card = dealt
        await interaction.response.send_message(embed=review_embed(card), view=review_view(card_id, card.choices),
                                                ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def on_review_answer(self, interaction: discord.Interaction, card_id: str, choice: int) -> None:
        """A press on a review card: the first press counts, a second is told so."""
        user = user_key(interaction.user)
        stored = await asyncio.to_thread(self.db.review_card, card_id)
        if stored is None:
            await send_ephemeral(interaction, "This review card is too old; use /review for a fresh one.")
            return
        if stored.user_key != user:
            await send_ephemeral(interaction, "This review card is someone else's; use /review for yours.")
            return
        question = self.deck.question(stored.question_id)
        if question is None or not 0 <= choice < len(stored.choices):
            await send_ephemeral(interaction, "This question is no longer in the bank; use /review for the next one.")
            return
        card = ReviewCard(question, stored.choices, stored.box)
        try:
            outcome = await asyncio.to_thread(self.deck.answer, user, card, choice, interaction.user.display_name,
                                              card_id=card_id)
        except StorageUnavailable:
            log.warning("review answer not saved: the database is unreachable")
            await send_ephemeral(interaction, NOT_SAVED)
            return
        if outcome is None:
            given = f" (**{LETTERS[stored.choice]}**)" if stored.choice is not None else ""
            await send_ephemeral(interaction, f"You have already answered this card{given}.")
            return
        if outcome.correct:
            feedback = "✅ Right. " + ("Mastered — it leaves your deck." if outcome.schedule.mastered
                                      else f"Moved to box {outcome.schedule.box}; it comes back later.")
        else:
            feedback = f"❌ Not quite: **{question.answer}**. {question.explanation}"
        seen = await asyncio.to_thread(self.db.sitting_questions, stored.sitting)
        dealt = await asyncio.to_thread(self.deal, user, stored.sitting, seen)
        if dealt is None:
            await interaction.response.edit_message(content=None, embed=review_done_embed(feedback), view=None)
            return
        next_id, next_card = dealt
        await interaction.response.edit_message(
            embed=review_embed(next_card, feedback), view=review_view(next_id, next_card.choices)
        )

    # ----- /chart --------------------------------------------------------------------------------
    async def chart(self, name: str) -> Chart:
        """The chart, rendered once (in the bot's CPU worker, never on asyncio's shared pool) and then
        served from memory; concurrent requests for a chart being drawn wait for that one drawing."""
        future = self.charts.get(name)
        if future is None:
            future = asyncio.ensure_future(self.bot.run_cpu(render_chart, name, self.kb))
            self.charts[name] = future

            def forget_failure(done: asyncio.Future[Chart], name: str = name) -> None:
                if done.cancelled() or done.exception() is not None:
                    self.charts.pop(name, None)  # a failed drawing is tried again next time

            future.add_done_callback(forget_failure)
        return await asyncio.shield(future)

    @app_commands.command(name="chart", description="A chart with its sources: death estimates, grain, steel, timeline")
    @app_commands.describe(name="which chart")
    @app_commands.choices(name=[app_commands.Choice(name=f"{n}: {d}"[:100], value=n) for n, d in CHART_DESCRIPTIONS.items()])
    async def chart_command(self, interaction: discord.Interaction, name: str) -> None:
        await defer(interaction, ephemeral=False)
        chart = await self.chart(name)
        await reply(interaction, content=chart.caption, file=discord.File(io.BytesIO(chart.png), filename=f"{name}.png"))


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Study(bot))

