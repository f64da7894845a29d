"""The study cog through its app commands and button callbacks, with spec'd discord mocks.

The acceptance test plays a three-person quiz end to end by pressing the buttons of the posted
question views; deadlines are stepped with a fake clock (GateTimer), so nothing sleeps.
"""

from __future__ import annotations

import asyncio
import random
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
from discord.ext import commands

from bot.discord.exts.study import QuizView, ReviewView, Study
from bot.engine.storage import Database
from bot.study.quiz import QuizRules
from tests.study.conftest import FakeClock, GateTimer

GUILD, CHANNEL = 500, 42


def member(uid: int, name: str) -> MagicMock:
    m = MagicMock(spec=discord.Member)
    m.id, m.display_name, m.name, m.mention = uid, name, name.lower(), f"<@{uid}>"
    return m


def interaction(user: MagicMock, *, channel_id: int = CHANNEL, manage_messages: bool = False) -> MagicMock:
    inter = MagicMock(spec=discord.Interaction)
    inter.user, inter.channel_id, inter.guild_id = user, channel_id, GUILD
    inter.permissions = discord.Permissions(manage_messages=manage_messages)
    inter.response = MagicMock(spec=discord.InteractionResponse)
    inter.response.send_message = AsyncMock()
    inter.response.edit_message = AsyncMock()
    inter.response.defer = AsyncMock()
    inter.response.is_done = MagicMock(return_value=False)
    inter.followup = MagicMock(spec=discord.Webhook)
    inter.followup.send = AsyncMock()
    inter.original_response = AsyncMock(return_value=MagicMock(spec=discord.InteractionMessage))
    return inter


def said(inter: MagicMock) -> str:
    args, kwargs = inter.response.send_message.call_args
    return args[0] if args else kwargs.get("content") or ""


class FakeChannel:
    """Records what the cog posts; each post returns a spec'd Message whose edits are recorded too."""

    def __init__(self):
        self.channel = MagicMock(spec=discord.TextChannel)
        self.channel.id = CHANNEL
        self.posts: list[dict] = []
        self.channel.send = AsyncMock(side_effect=self._send)

    async def _send(self, content=None, **kwargs):
        message = MagicMock(spec=discord.Message)
        message.edit = AsyncMock()
        self.posts.append({"content": content, "message": message, **kwargs})
        return message

    def views(self) -> list[QuizView]:
        return [p["view"] for p in self.posts if isinstance(p.get("view"), QuizView)]

    def titles(self) -> list[str]:
        return [p["embed"].title for p in self.posts if p.get("embed") is not None]


@pytest.fixture
def world(shipped_kb, tmp_path):
    clock = FakeClock()
    db = Database(tmp_path / "bot.sqlite3", clock=clock)
    channel = FakeChannel()
    bot = MagicMock(spec=commands.Bot)
    bot.kb, bot.db, bot.settings = shipped_kb, db, MagicMock()
    bot.get_channel = MagicMock(side_effect=lambda cid: channel.channel if cid == CHANNEL else None)
    bot.wait_until_ready = AsyncMock()
    timer = GateTimer(clock)
    cog = Study(bot, clock=clock, rng=random.Random(5), wait=timer, pause=3, rules=QuizRules(time_limit=20))
    yield {"cog": cog, "bot": bot, "db": db, "clock": clock, "channel": channel, "timer": timer, "tmp": tmp_path}
    db.close()


async def test_three_people_play_a_quiz_through_the_buttons(world):
    cog, channel, timer, db, clock = world["cog"], world["channel"], world["timer"], world["db"], world["clock"]
    ann, ben, cat = member(1, "Ann"), member(2, "Ben"), member(3, "Cat")

    start = interaction(ann)
    await Study.quiz_start.callback(cog, start, None, 2, None)
    assert "started a quiz: 2 questions" in said(start)
    task = cog.driver.tasks[f"discord:{CHANNEL}"]
    await timer.until_blocked(task)

    for number in (1, 2):
        view = channel.views()[-1]
        assert len(view.buttons) == 4
        assert channel.posts[-1]["embed"].title == f"Question {number} of 2"
        correct = cog.rooms.room(f"discord:{CHANNEL}").session.current.correct_index
        presses = {ann: correct, ben: correct, cat: (correct + 1) % 4}
        for user, choice in presses.items():
            clock.advance(2 if user is ann else 4)  # Ann is fastest: a bigger speed bonus
            press = interaction(user)
            await view.buttons[choice].callback(press)
            assert "Locked in" in said(press)
            assert press.response.send_message.call_args.kwargs["ephemeral"] is True
        again = interaction(cat)
        await view.buttons[correct].callback(again)  # a second press does not count
        assert "already answered" in said(again)
        await timer.release(task)  # time up: reveal
        reveal = next(p["embed"] for p in reversed(channel.posts) if p.get("embed") and p["embed"].title.startswith("Answer"))
        assert reveal.title == f"Answer to question {number}"
        assert "Ann (+" in reveal.fields[0].value and "Ben (+" in reveal.fields[0].value and "Cat" not in reveal.fields[0].value
        assert reveal.fields[1].name.startswith("From: ")  # the cited passage
        assert all(b.disabled for b in view.buttons)
        assert view.buttons[correct].style is discord.ButtonStyle.success
        late = interaction(member(4, "Dan"))
        await view.buttons[0].callback(late)
        assert "closed" in said(late)
        if number == 1:
            await timer.release(task)  # the pause, then question 2
    await asyncio.wait_for(task, 5)

    board = channel.posts[-1]["embed"]
    assert board.title == "Quiz over!"
    lines = board.description.splitlines()
    assert lines[0].startswith("🥇 Ann") and lines[1].startswith("🥈 Ben") and lines[2].startswith("🥉 Cat")
    assert "(2/2 right)" in lines[0] and "(0/2 right)" in lines[2]

    # saved: the server leaderboard, everyone's progress, and Cat's misses waiting for review
    rows = db.leaderboard(GUILD)
    assert [(r.user_name, r.correct) for r in rows] == [("Ann", 2), ("Ben", 2), ("Cat", 0)]
    lb = interaction(ben)
    await Study.leaderboard_command.callback(cog, lb, "all")
    text = lb.response.send_message.call_args.kwargs["embed"].description
    assert text.index("Ann") < text.index("Ben") < text.index("Cat")

    prog = interaction(cat)
    await Study.progress_command.callback(cog, prog)
    kwargs = prog.response.send_message.call_args.kwargs
    assert kwargs["ephemeral"] is True and "0/2 right" in kwargs["embed"].description
    assert "2 due now" in kwargs["embed"].fields[-1].value

    rev = interaction(cat)
    await Study.review_command.callback(cog, rev)
    kwargs = rev.response.send_message.call_args.kwargs
    assert kwargs["ephemeral"] is True and isinstance(kwargs["view"], ReviewView)
    card_view: ReviewView = kwargs["view"]
    press = interaction(cat)
    await card_view.children[card_view.card.correct_index].callback(press)
    edited = press.response.edit_message.call_args.kwargs
    assert "Right" in edited["embed"].description and isinstance(edited["view"], ReviewView)
    nosy = interaction(ann)
    await edited["view"].children[0].callback(nosy)
    assert "someone else's" in said(nosy)


async def test_one_quiz_per_channel_and_who_may_stop_it(world):
    cog, timer = world["cog"], world["timer"]
    ann, ben, mod = member(1, "Ann"), member(2, "Ben"), member(3, "Mod")
    await Study.quiz_start.callback(cog, interaction(ann), "famine", 3, "medium")
    task = cog.driver.tasks[f"discord:{CHANNEL}"]
    await timer.until_blocked(task)
    busy = interaction(ben)
    await Study.quiz_start.callback(cog, busy, None, 5, None)
    assert "already running" in said(busy)

    refused = interaction(ben)
    await Study.quiz_stop.callback(cog, refused)
    assert "Only the person who started" in said(refused)
    stop = interaction(mod, manage_messages=True)
    await Study.quiz_stop.callback(cog, stop)
    assert "stopped the quiz" in said(stop)
    await asyncio.wait_for(task, 5)
    assert world["channel"].posts[-1]["embed"].title == "Quiz stopped."
    nothing = interaction(ann)
    await Study.quiz_stop.callback(cog, nothing)
    assert "no quiz running" in said(nothing)


async def test_starter_may_stop_and_bad_options_are_explained(world):
    cog, timer = world["cog"], world["timer"]
    ann = member(1, "Ann")
    bad = interaction(ann)
    await Study.quiz_start.callback(cog, bad, "bananas", 5, None)
    assert "No quiz topic" in said(bad) and bad.response.send_message.call_args.kwargs["ephemeral"]
    await Study.quiz_start.callback(cog, interaction(ann), None, 2, None)
    task = cog.driver.tasks[f"discord:{CHANNEL}"]
    await timer.until_blocked(task)
    stop = interaction(ann)
    await Study.quiz_stop.callback(cog, stop)
    await asyncio.wait_for(task, 5)
    assert "stopped the quiz" in said(stop)


async def test_a_restarted_bot_resumes_the_quiz_with_scores(world, shipped_kb):
    cog, timer, channel, bot = world["cog"], world["timer"], world["channel"], world["bot"]
    ann = member(1, "Ann")
    await Study.quiz_start.callback(cog, interaction(ann), None, 3, None)
    task = cog.driver.tasks[f"discord:{CHANNEL}"]
    await timer.until_blocked(task)
    correct = cog.rooms.room(f"discord:{CHANNEL}").session.current.correct_index
    await channel.views()[-1].buttons[correct].callback(interaction(ann))
    await timer.release(task)  # revealed: Ann has her points
    await timer.release(task)  # question 2 on screen
    task.cancel()  # the bot dies here

    bot.db = Database(world["tmp"] / "bot.sqlite3", clock=world["clock"])
    timer2 = GateTimer(world["clock"])
    cog2 = Study(bot, clock=world["clock"], rng=random.Random(0), wait=timer2, pause=3)
    [room] = await cog2.resume_quizzes()
    task2 = cog2.driver.tasks[room.channel]
    await timer2.until_blocked(task2)
    post = channel.posts[-1]
    assert "Resuming" in post["content"] and post["embed"].title == "Question 2 of 3"
    assert [(s.name, s.correct) for s in room.session.standings()] == [("Ann", 1)]
    await Study.quiz_stop.callback(cog2, interaction(ann))
    await asyncio.wait_for(task2, 5)
    assert "Ann" in channel.posts[-1]["embed"].description


async def test_chart_is_attached_with_its_sources(world):
    cog = world["cog"]
    inter = interaction(member(1, "Ann"))
    await Study.chart_command.callback(cog, inter, "deaths")
    inter.response.defer.assert_awaited()
    kwargs = inter.followup.send.call_args.kwargs
    assert kwargs["file"].filename == "deaths.png"
    assert kwargs["file"].fp.read(8) == b"\x89PNG\r\n\x1a\n"
    assert "Sources:" in kwargs["content"] and len(kwargs["content"]) <= 2000


async def test_topic_autocomplete(world):
    cog = world["cog"]
    choices = await Study.topic_autocomplete(cog, interaction(member(1, "Ann")), "stee")
    assert [c.value for c in choices] == ["steel"]
    assert len(await Study.topic_autocomplete(cog, interaction(member(1, "Ann")), "")) <= 25


async def test_loads_as_an_extension_and_its_commands_serialise(shipped_kb, tmp_path):
    """A real commands.Bot (no login): setup(bot) registers valid slash commands."""
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.none())
    bot.tutor = MagicMock()
    bot.tutor.kb = shipped_kb
    bot.database = Database(tmp_path / "x.sqlite3")  # the bot class names it `database`
    bot.settings = MagicMock()
    await bot.load_extension("bot.discord.exts.study")
    names = {c.name for c in bot.tree.get_commands()}
    assert {"quiz", "leaderboard", "progress", "review", "chart"} <= names
    quiz = bot.tree.get_command("quiz")
    assert {c.name for c in quiz.commands} == {"start", "stop"}
    payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    chart = next(p for p in payload if p["name"] == "chart")
    assert [c["value"] for c in chart["options"][0]["choices"]] == ["deaths", "grain", "steel"]
    await bot.unload_extension("bot.discord.exts.study")
    bot.database.close()
