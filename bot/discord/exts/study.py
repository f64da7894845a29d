"""Study groups in Discord: /quiz start|stop, /leaderboard, /progress, /review, /chart.

A thin layer: the game is bot.study (QuizRooms state + QuizDriver timers); this cog turns button
presses into QuizRooms.answer calls and the driver's events into embeds. Answers are buttons, never
typed, so no message-content intent is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import random
import time
from collections.abc import Callable
from typing import Literal

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.charts import render_chart  # matplotlib itself loads on first use, in a worker thread
from bot.discord.exts._common import send_pages
from bot.engine.compose import topic_label
from bot.engine.records import KnowledgeBase
from bot.engine.storage import Database
from bot.study.driver import QuizDriver, Waiter, real_wait
from bot.study.progress import leaderboard, progress
from bot.study.quiz import LETTERS, Asked, QuizError, QuizRules, Receipt, Reveal, Standing, StopReason
from bot.study.review import LAST_BOX, ReviewCard, ReviewDeck
from bot.study.rooms import QuizRooms, Room

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
COLOUR = discord.Colour(0xB03A2E)
FIELD_MAX = 1024
PAGE_SIZE = 10
MAX_PAGES = 10


def user_key(user: discord.abc.User) -> str:
    return f"discord:{user.id}"


def channel_key(channel_id: int | None) -> str:
    return f"discord:{channel_id}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----- embeds -------------------------------------------------------------------------------------
def question_embed(asked: Asked, room: Room) -> discord.Embed:
    about = " · ".join(x for x in (room.topic and topic_label(room.topic), room.difficulty) if x)
    embed = discord.Embed(title=f"Question {asked.number} of {asked.total}", description=asked.question.question, colour=COLOUR)
    for i, choice in enumerate(asked.choices):
        embed.add_field(name=LETTERS[i], value=_clip(choice, FIELD_MAX), inline=False)
    seconds = int(asked.deadline - asked.asked_at)
    embed.set_footer(text=(f"{about} · " if about else "") + f"{seconds} s to answer · one answer each")
    embed.timestamp = discord.utils.utcnow()
    return embed


def reveal_embed(reveal: Reveal) -> discord.Embed:
    right = f"**{LETTERS[reveal.correct_index]}) {reveal.choices[reveal.correct_index]}**"
    embed = discord.Embed(title=f"Answer to question {reveal.number}", description=f"{right}\n\n{reveal.question.explanation}",
                          colour=discord.Colour.green())
    winners = reveal.winners
    if not reveal.submissions:
        got = "Nobody answered."
    elif winners:
        got = ", ".join(f"{s.name} (+{s.points})" for s in winners) + f" — {len(winners)} of {len(reveal.submissions)} right"
    else:
        got = f"Nobody got it right ({len(reveal.submissions)} answered)."
    embed.add_field(name="Who got it", value=_clip(got, FIELD_MAX), inline=False)
    cites = "\n".join(f"• {c}" for c in reveal.citations) or "—"
    embed.add_field(name=_clip(f"From: {reveal.passage_title}", 256), value=_clip(cites, FIELD_MAX), inline=False)
    return embed


ENDINGS = {
    StopReason.COMPLETED: "Quiz over!",
    StopReason.IDLE: "Quiz stopped: two questions in a row went unanswered.",
    StopReason.STOPPED: "Quiz stopped.",
}


def scoreboard_embed(standings: list[Standing], reason: StopReason) -> discord.Embed:
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [f"{medals.get(s.rank, f'{s.rank}.')} {s.name} — {s.points} points ({s.correct}/{s.answered} right)"
             for s in standings]
    embed = discord.Embed(title=ENDINGS[reason], description=_clip("\n".join(lines) or "No points scored.", 4000), colour=COLOUR)
    embed.set_footer(text="Missed questions are waiting in /review · /leaderboard for the server")
    return embed


# ----- views --------------------------------------------------------------------------------------
class QuizView(ui.View):
    """Four answer buttons for one question of one quiz. The driver disables them at the reveal."""

    def __init__(self, cog: Study, session_id: str, asked: Asked):
        super().__init__(timeout=None)
        self.buttons: list[ui.Button] = []
        for i, choice in enumerate(asked.choices):
            button = ui.Button(label=_clip(f"{LETTERS[i]}: {choice}", 80), style=discord.ButtonStyle.primary,
                               custom_id=f"glf-quiz:{session_id}:{asked.position}:{i}", row=i)
            button.callback = self._callback(cog, session_id, asked.position, i)
            self.add_item(button)
            self.buttons.append(button)

    @staticmethod
    def _callback(cog: Study, session_id: str, position: int, choice: int) -> Callable:
        async def press(interaction: discord.Interaction) -> None:
            await cog.on_answer(interaction, session_id, position, choice)
        return press

    def settle(self, correct: int) -> None:
        for i, button in enumerate(self.buttons):
            button.disabled = True
            button.style = discord.ButtonStyle.success if i == correct else discord.ButtonStyle.secondary


class ReviewView(ui.View):
    """A private review card: four buttons, then feedback and the next due card in the same message."""

    def __init__(self, cog: Study, owner: discord.abc.User, card: ReviewCard, seen: set[str]):
        super().__init__(timeout=15 * 60)
        self.cog, self.owner, self.card, self.seen = cog, owner, card, seen
        for i, choice in enumerate(card.choices):
            button = ui.Button(label=_clip(f"{LETTERS[i]}: {choice}", 80), style=discord.ButtonStyle.primary, row=i)
            button.callback = self._callback(i)
            self.add_item(button)

    def _callback(self, choice: int) -> Callable:
        async def press(interaction: discord.Interaction) -> None:
            await self.cog.on_review_answer(interaction, self, choice)
        return press


def review_embed(card: ReviewCard, feedback: str | None = None) -> discord.Embed:
    embed = discord.Embed(title="Review", description=card.question.question, colour=COLOUR)
    if feedback:
        embed.description = f"{feedback}\n\n**Next:** {card.question.question}"
    for i, choice in enumerate(card.choices):
        embed.add_field(name=LETTERS[i], value=_clip(choice, FIELD_MAX), inline=False)
    embed.set_footer(text=f"Box {card.box} of {LAST_BOX} · right in the last box masters it")
    return embed


# ----- the cog ------------------------------------------------------------------------------------
class Study(commands.Cog):
    quiz = app_commands.Group(name="quiz", description="A quiz in this channel: everyone here can play")

    def __init__(self, bot: commands.Bot, *, clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 wait: Waiter = real_wait, pause: float = 4.0, rules: QuizRules | None = None):
        self.bot = bot
        self.kb: KnowledgeBase = getattr(bot, "kb", None) or bot.tutor.kb  # type: ignore[attr-defined]
        self.db: Database = getattr(bot, "db", None) or bot.database  # type: ignore[attr-defined]
        self.clock = clock
        self.rooms = QuizRooms(self.kb, self.db, clock, rng, rules)
        self.deck = ReviewDeck(self.kb, self.db, clock, rng)
        self.driver = QuizDriver(self.rooms, self, pause=pause, wait=wait)
        self.views: dict[str, tuple[discord.Message, QuizView]] = {}   # the question on screen, per channel
        self.channels: dict[str, discord.abc.Messageable] = {}         # where each quiz was started (DMs are not cached)
        self._resumer: asyncio.Task | None = None

    async def cog_load(self) -> None:
        self._resumer = asyncio.create_task(self.resume_quizzes())

    async def cog_unload(self) -> None:
        if self._resumer is not None:
            self._resumer.cancel()
        await self.driver.close()

    async def resume_quizzes(self) -> list[Room]:
        """After a restart: carry on every saved quiz, asking the question in flight again."""
        await self.bot.wait_until_ready()
        rooms = await asyncio.to_thread(self.rooms.resume_all, "discord:")
        for room in rooms:
            self.driver.launch(room.channel)
        return rooms

    # ----- presenter (called by the driver) ---------------------------------------------------
    def _channel(self, room: Room) -> discord.abc.Messageable | None:
        found = self.bot.get_channel(int(room.channel.split(":", 1)[1]))
        return found or self.channels.get(room.channel)  # type: ignore[return-value]

    async def show_question(self, room: Room, asked: Asked) -> None:
        channel = self._channel(room)
        if channel is None:
            return
        view = QuizView(self, room.session.id, asked)
        note = "Resuming the quiz after a restart — scores are intact." if room.resumed else None
        room.resumed = False
        message = await channel.send(content=note, embed=question_embed(asked, room), view=view, allowed_mentions=NO_MENTIONS)
        self.views[room.channel] = (message, view)

    async def show_reveal(self, room: Room, reveal: Reveal) -> None:
        shown = self.views.pop(room.channel, None)
        if shown is not None:
            message, view = shown
            view.settle(reveal.correct_index)
            view.stop()
            try:
                await message.edit(view=view)
            except discord.HTTPException:
                log.info("could not disable the buttons of a quiz question", exc_info=True)
        channel = self._channel(room)
        if channel is not None:
            await channel.send(embed=reveal_embed(reveal), allowed_mentions=NO_MENTIONS)

    async def show_end(self, room: Room, standings: list[Standing], reason: StopReason) -> None:
        shown = self.views.pop(room.channel, None)
        if shown is not None:
            message, view = shown
            for button in view.buttons:
                button.disabled = True
            view.stop()
            with contextlib.suppress(discord.HTTPException):
                await message.edit(view=view)
        channel = self._channel(room)
        self.channels.pop(room.channel, None)
        if channel is not None:
            await channel.send(embed=scoreboard_embed(standings, reason), allowed_mentions=NO_MENTIONS)

    # ----- /quiz start | stop -----------------------------------------------------------------
    @quiz.command(name="start", description="Start a quiz in this channel")
    @app_commands.describe(topic="only questions on this topic", questions="how many questions (1-20, default 5)",
                           difficulty="easy, medium or hard")
    async def quiz_start(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, 60] | None = None,
                         questions: app_commands.Range[int, 1, 20] = 5,
                         difficulty: Literal["easy", "medium", "hard"] | None = None) -> None:
        channel = channel_key(interaction.channel_id)
        try:
            room = await asyncio.to_thread(
                self.rooms.start, channel, starter=user_key(interaction.user), starter_name=interaction.user.display_name,
                guild_id=interaction.guild_id, topic=topic, difficulty=difficulty, questions=questions,
            )
        except QuizError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        about = " ".join(x for x in (difficulty, room.topic and f"on {topic_label(room.topic)}") if x)
        await interaction.response.send_message(
            f"{interaction.user.display_name} started a quiz: {len(room.session.plan)} {about + ' ' if about else ''}questions,"
            f" {int(room.session.rules.time_limit)} s each. Everyone here can answer — once per question.",
            allowed_mentions=NO_MENTIONS,
        )
        if interaction.channel is not None:
            self.channels[channel] = interaction.channel
        self.driver.launch(channel)

    @quiz_start.autocomplete("topic")
    async def topic_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        needle = current.casefold().strip()
        return [app_commands.Choice(name=_clip(f"{t} — {topic_label(t)}", 100), value=t)
                for t in self.rooms.topics if needle in t or needle in topic_label(t).casefold()][:25]

    @quiz.command(name="stop", description="Stop this channel's quiz (its starter or a moderator)")
    async def quiz_stop(self, interaction: discord.Interaction) -> None:
        channel = channel_key(interaction.channel_id)
        room = self.rooms.room(channel)
        if room is None:
            await interaction.response.send_message("There is no quiz running here.", ephemeral=True)
            return
        if room.session.starter != user_key(interaction.user) and not interaction.permissions.manage_messages:
            await interaction.response.send_message("Only the person who started the quiz, or a moderator, can stop it.",
                                                    ephemeral=True)
            return
        try:
            await self.driver.stop(channel)
        except QuizError as exc:   # it ended meanwhile
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        await interaction.response.send_message(f"{interaction.user.display_name} stopped the quiz.",
                                                allowed_mentions=NO_MENTIONS)

    async def on_answer(self, interaction: discord.Interaction, session_id: str, position: int, choice: int) -> None:
        """A button press: committed before it is acknowledged; right or wrong stays hidden until the reveal."""
        result = await asyncio.to_thread(
            self.rooms.answer, channel_key(interaction.channel_id), user_key(interaction.user), choice,
            name=interaction.user.display_name, session_id=session_id, position=position,
        )
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
        await interaction.response.send_message(text, ephemeral=True)

    # ----- /leaderboard, /progress ---------------------------------------------------------------
    @app_commands.command(name="leaderboard", description="Quiz scores in this server")
    @app_commands.describe(period="day, week, month or all time (default)")
    async def leaderboard_command(self, interaction: discord.Interaction,
                                  period: Literal["day", "week", "month", "all"] = "all") -> None:
        pages = await asyncio.to_thread(self.leaderboard_pages, interaction.guild_id, period)
        await send_pages(interaction, pages)   # the same ◀ n/N ▶ paging as the other cogs

    def leaderboard_pages(self, guild_id: int | None, period: str) -> list[discord.Embed]:
        now = self.clock()
        first = leaderboard(self.db, guild_id, period, now, 0, PAGE_SIZE)
        title = "Leaderboard — " + ("all time" if period == "all" else f"last {period}" if period != "day" else "last 24 hours")
        embeds = []
        for page in range(min(first.pages, MAX_PAGES)):
            board = first if page == 0 else leaderboard(self.db, guild_id, period, now, page, PAGE_SIZE)
            lines = [f"**{rank}.** {row.user_name or row.user_key} — {row.points} points ({row.correct}/{row.answered} right)"
                     for rank, row in board.rows]
            embed = discord.Embed(title=title, description="\n".join(lines) or "No quiz points yet. Start one with /quiz start.",
                                  colour=COLOUR)
            embed.set_footer(text=f"Page {page + 1} of {min(first.pages, MAX_PAGES)}")
            embeds.append(embed)
        return embeds

    @app_commands.command(name="progress", description="Your quiz accuracy by topic, weakest topics and streaks (private)")
    async def progress_command(self, interaction: discord.Interaction) -> None:
        embed = await asyncio.to_thread(self.progress_embed, interaction.user)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def progress_embed(self, user: discord.abc.User) -> discord.Embed:
        p = progress(self.db, user_key(user), self.clock())
        status = self.deck.status(user_key(user))
        embed = discord.Embed(title=f"Progress — {user.display_name}", colour=COLOUR)
        if not p.answered:
            embed.description = "No quiz answers yet. Join a /quiz start in a channel!"
            return embed
        embed.description = (f"{p.correct}/{p.answered} right ({p.accuracy:.0%}) · {p.points} points\n"
                             f"Streak: {p.day_streak} day(s) · {p.correct_streak} right in a row (best {p.best_correct_streak})")
        by_topic = "\n".join(f"{topic_label(t.topic)}: {t.correct}/{t.answered} ({t.accuracy:.0%})" for t in p.topics)
        embed.add_field(name="By topic", value=_clip(by_topic, FIELD_MAX), inline=False)
        if p.weakest:
            embed.add_field(name="Weakest topics", value=_clip(", ".join(topic_label(t.topic) for t in p.weakest), FIELD_MAX),
                            inline=False)
        embed.add_field(name="Review", value=f"{status.due} due now · {status.waiting} waiting · {status.mastered} mastered",
                        inline=False)
        return embed

    # ----- /review -----------------------------------------------------------------------------
    @app_commands.command(name="review", description="Practise the quiz questions you got wrong (only you see it)")
    async def review_command(self, interaction: discord.Interaction) -> None:
        user = user_key(interaction.user)
        card = await asyncio.to_thread(self.deck.next_card, user)
        if card is None:
            status = await asyncio.to_thread(self.deck.status, user)
            await interaction.response.send_message(
                f"Nothing to review right now ({status.waiting} waiting for later, {status.mastered} mastered).", ephemeral=True)
            return
        seen = {card.question.id}
        await interaction.response.send_message(embed=review_embed(card), view=ReviewView(self, interaction.user, card, seen),
                                                ephemeral=True)

    async def on_review_answer(self, interaction: discord.Interaction, view: ReviewView, choice: int) -> None:
        user = user_key(interaction.user)
        if interaction.user.id != view.owner.id:
            await interaction.response.send_message("This review card is someone else's; use /review for yours.", ephemeral=True)
            return
        outcome = await asyncio.to_thread(self.deck.answer, user, view.card, choice, interaction.user.display_name)
        q = view.card.question
        if outcome.correct:
            feedback = "✅ Right. " + ("Mastered — it leaves your deck." if outcome.schedule.mastered
                                      else f"Moved to box {outcome.schedule.box}; it comes back later.")
        else:
            feedback = f"❌ Not quite: **{q.answer}**. {q.explanation}"
        view.stop()
        card = await asyncio.to_thread(self.deck.next_card, user, view.seen)
        if card is None:
            await interaction.response.edit_message(content=None, embed=discord.Embed(
                title="Review", description=f"{feedback}\n\nThat's all for now.", colour=COLOUR), view=None)
            return
        view.seen.add(card.question.id)
        await interaction.response.edit_message(embed=review_embed(card, feedback),
                                                view=ReviewView(self, interaction.user, card, view.seen))

    # ----- /chart --------------------------------------------------------------------------------
    @app_commands.command(name="chart", description="A chart: famine death estimates, grain or steel output")
    @app_commands.describe(name="deaths (the estimates side by side), grain or steel (official vs claimed)")
    async def chart_command(self, interaction: discord.Interaction, name: Literal["deaths", "grain", "steel"]) -> None:
        await interaction.response.defer(thinking=True)
        chart = await asyncio.to_thread(render_chart, name, self.kb)
        await interaction.followup.send(content=chart.caption, file=discord.File(io.BytesIO(chart.png), filename=f"{name}.png"),
                                        allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Study(bot))
