"""The study cog as users meet it: the real bot, the real command tree and button registry, and a
fake Discord (bot.quality.load.FakeDiscord) that keeps every message as users would see it.

Deadlines are stepped with a fake clock (GateTimer), so nothing sleeps. Restarts are a second bot
over the same SQLite file and the same fake Discord, as a restarted process would find them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import threading

import discord
import pytest

from bot.discord.bot import shard_of
from bot.discord.exts.study import Study
from bot.quality.load import FakeDiscord, Shown, command, press, snowflake, start_bot, stop_bot
from bot.storage import Database
from bot.study.quiz import QuizRules
from bot.study.rooms import QuizRooms
from tests.study.conftest import FakeClock, GateTimer

GUILD = 500 << 22  # shard 0 of 2
ANN, BEN, CAT, DAN = 1, 2, 3, 4


async def study_bot(path, transport, tutor, clock, *, rng: int = 5, **settings):
    """A bot whose Study cog runs on the fake clock; returns (bot, cog, timer)."""
    bot = await start_bot(path, tutor=tutor, transport=transport, database=Database(path, clock=clock), **settings)
    await bot.remove_cog("Study")
    timer = GateTimer(clock)
    cog = Study(bot, clock=clock, rng=random.Random(rng), wait=timer, pause=3, rules=QuizRules(time_limit=20), grace=0)
    await bot.add_cog(cog)
    return bot, cog, timer


@pytest.fixture
async def world(shipped_tutor_factory, tmp_path, transport):
    clock = FakeClock()
    bot, cog, timer = await study_bot(tmp_path / "bot.sqlite3", transport, shipped_tutor_factory(), clock)
    yield {"bot": bot, "cog": cog, "timer": timer, "clock": clock, "transport": transport, "tmp": tmp_path,
           "tutor": shipped_tutor_factory}
    await stop_bot(bot)


def questions_shown(transport: FakeDiscord, channel_id: int | None = None) -> list[Shown]:
    return [m for m in transport.public(channel_id) if any(c.startswith("glf-quiz:") for c in m.custom_ids())]


def said(transport: FakeDiscord, token: str) -> Shown:
    """The one message that answers an interaction."""
    (message,) = transport.answering(token)
    return message


def at(clock: FakeClock, seconds: float = 0.0) -> dt.datetime:
    """A moment on the fake clock, as an interaction's created_at."""
    return dt.datetime.fromtimestamp(clock.t + seconds, dt.UTC)


async def start_quiz(world, user=ANN, name="Ann", **options) -> str:
    w = world
    token = await command(w["bot"], w["transport"], "quiz", options, subcommand="start", user_id=user, guild_id=GUILD,
                          user_name=name)
    return token


async def answer(world, message: Shown, choice: int, user: int, name: str, seconds_ago: float = 0.0, **kw) -> Shown:
    token = await press(world["bot"], world["transport"], message, message.custom_ids()[choice], user_id=user,
                        guild_id=kw.get("guild_id", GUILD), user_name=name, created_at=at(world["clock"], -seconds_ago))
    return said(world["transport"], token)


def correct_of(cog: Study, channel_id: int) -> int:
    return cog.rooms.room(f"discord:{channel_id}").session.current.correct_index


async def test_three_people_play_a_quiz_through_the_buttons(world):
    cog, timer, clock, transport = world["cog"], world["timer"], world["clock"], world["transport"]
    channel = transport.channel_id
    start = await start_quiz(world, questions=2)
    assert "Ann started a quiz: 2 questions" in said(transport, start).content
    task = cog.driver.tasks[f"discord:{channel}"]
    await timer.until_blocked(task)

    for number in (1, 2):
        question = questions_shown(transport)[-1]
        assert len(question.custom_ids()) == 4 and question.embeds[0]["title"] == f"Question {number} of 2"
        correct = correct_of(cog, channel)
        for user, name, choice in ((ANN, "Ann", correct), (BEN, "Ben", correct), (CAT, "Cat", (correct + 1) % 4)):
            clock.advance(2 if user == ANN else 4)  # Ann is fastest: a bigger speed bonus
            receipt = await answer(world, question, choice, user, name)
            assert "Locked in" in receipt.content and receipt.ephemeral  # only the player sees it
        again = await answer(world, question, correct, CAT, "Cat")
        assert "already answered" in again.content and again.ephemeral  # a second press does not count
        await timer.release(task)  # time up: reveal
        reveal = next(m.embeds[0] for m in reversed(transport.public()) if m.embeds[0]["title"].startswith("Answer"))
        assert reveal["title"] == f"Answer to question {number}"
        got = reveal["fields"][0]["value"]
        assert "Ann (+" in got and "Ben (+" in got and "Cat" not in got
        assert reveal["fields"][1]["name"].startswith("From: ")  # the cited passage
        buttons = [question.button(c) for c in question.custom_ids()]  # edited through the channel
        assert all(b["disabled"] for b in buttons) and buttons[correct]["style"] == discord.ButtonStyle.success.value
        late = await answer(world, question, 0, DAN, "Dan")
        assert "closed" in late.content
        if number == 1:
            await timer.release(task)  # the pause, then question 2
    await asyncio.wait_for(task, 5)

    board = transport.last_public().embeds[0]
    assert board["title"] == "Quiz over!"
    lines = board["description"].splitlines()
    assert lines[0].startswith("🥇 Ann") and lines[1].startswith("🥈 Ben") and lines[2].startswith("🥉 Cat")
    assert "(2/2 right)" in lines[0] and "(0/2 right)" in lines[2]

    # saved: the server leaderboard, everyone's progress, and Cat's misses waiting for review
    rows = cog.db.leaderboard(GUILD)
    assert [(r.user_name, r.correct) for r in rows] == [("Ann", 2), ("Ben", 2), ("Cat", 0)]
    lb = said(transport, await command(world["bot"], transport, "leaderboard", user_id=BEN, guild_id=GUILD))
    text = lb.embeds[0]["description"]
    assert text.index("Ann") < text.index("Ben") < text.index("Cat") and not lb.ephemeral

    prog = said(transport, await command(world["bot"], transport, "progress", user_id=CAT, guild_id=GUILD, user_name="Cat"))
    assert prog.ephemeral and "0/2 right" in prog.embeds[0]["description"]
    assert "2 due now" in prog.embeds[0]["fields"][-1]["value"]

    card = said(transport, await command(world["bot"], transport, "review", user_id=CAT, guild_id=GUILD))
    assert card.ephemeral and card.embeds[0]["title"] == "Review"
    stored = cog.db.review_card(card.custom_ids()[0].split(":")[1])
    right = stored.choices.index(cog.deck.question(stored.question_id).answer)
    await press(world["bot"], transport, card, card.custom_ids()[right], user_id=CAT, guild_id=GUILD)
    assert "Right" in card.embeds[0]["description"]  # the same private message, edited by the press
    nosy = said(transport, await press(world["bot"], transport, card, card.custom_ids()[0], user_id=ANN, guild_id=GUILD))
    assert "someone else's" in nosy.content and nosy.ephemeral


async def test_one_quiz_per_channel_and_who_may_stop_it(world):
    cog, timer, transport, bot = world["cog"], world["timer"], world["transport"], world["bot"]
    await start_quiz(world, topic="famine", questions=3, difficulty="medium")
    task = cog.driver.tasks[f"discord:{transport.channel_id}"]
    await timer.until_blocked(task)
    busy = said(transport, await start_quiz(world, BEN, "Ben"))
    assert "already running" in busy.content and busy.ephemeral

    refused = said(transport, await command(bot, transport, "quiz", subcommand="stop", user_id=BEN, guild_id=GUILD))
    assert "Only the person who started" in refused.content and refused.ephemeral
    mod = discord.Permissions(send_messages=True, manage_messages=True)
    stop = said(transport, await command(bot, transport, "quiz", subcommand="stop", user_id=CAT, guild_id=GUILD,
                                         user_name="Mod", member_permissions=mod))
    assert "Mod stopped the quiz" in stop.content
    await asyncio.wait_for(task, 5)
    assert transport.last_public().embeds[0]["title"] == "Quiz stopped."
    question = questions_shown(transport)[-1]
    assert all(question.button(c)["disabled"] for c in question.custom_ids())  # its buttons are off too
    nothing = said(transport, await command(bot, transport, "quiz", subcommand="stop", user_id=ANN, guild_id=GUILD))
    assert "no quiz running" in nothing.content


async def test_bad_options_are_explained_privately(world):
    bad = said(world["transport"], await start_quiz(world, topic="bananas"))
    assert "No quiz topic" in bad.content and bad.ephemeral


async def test_a_quiz_where_the_bot_cannot_post_is_refused_saying_what_is_missing(world):
    """Before: the quiz started and every question failed to post, silently."""
    transport = world["transport"]
    token = await command(world["bot"], transport, "quiz", subcommand="start", user_id=ANN, guild_id=GUILD,
                          app_permissions=discord.Permissions(view_channel=True, send_messages=True))
    refusal = said(transport, token)
    assert refusal.ephemeral and "**Embed Links**" in refusal.content and "Send Messages" not in refusal.content
    assert world["cog"].db.live_quiz(f"discord:{transport.channel_id}") is None
    assert not questions_shown(transport)


async def test_display_names_are_escaped_in_public_messages(world):
    cog, timer, transport = world["cog"], world["timer"], world["transport"]
    sneaky = "**Big**_x_~~y~~"
    start = said(transport, await start_quiz(world, ANN, sneaky, questions=1))
    escaped = discord.utils.escape_markdown(sneaky)
    assert start.content.startswith(f"{escaped} started a quiz")
    task = cog.driver.tasks[f"discord:{transport.channel_id}"]
    await timer.until_blocked(task)
    question = questions_shown(transport)[-1]
    await answer(world, question, correct_of(cog, transport.channel_id), ANN, sneaky)
    await timer.release(task)
    await asyncio.wait_for(task, 5)
    reveal, board = (m.embeds[0] for m in transport.public()[-2:])
    assert f"{escaped} (+" in reveal["fields"][0]["value"]
    assert f"🥇 {escaped} —" in board["description"]
    lb = said(transport, await command(world["bot"], transport, "leaderboard", user_id=BEN, guild_id=GUILD))
    assert f"**1.** {escaped} —" in lb.embeds[0]["description"]


async def test_a_press_is_timed_by_when_it_was_made(world):
    """An answer pressed in time but processed late (a busy bot) counts; before, it was timed when
    its worker ran and told "Time is up"."""
    cog, timer, clock, transport = world["cog"], world["timer"], world["clock"], world["transport"]
    await start_quiz(world, questions=1)
    task = cog.driver.tasks[f"discord:{transport.channel_id}"]
    await timer.until_blocked(task)
    question = questions_shown(transport)[-1]
    clock.advance(25)  # the bot gets to these presses 25 s after the question was asked
    in_time = await answer(world, question, 0, ANN, "Ann", seconds_ago=6)  # pressed at 19 s
    too_late = await answer(world, question, 0, BEN, "Ben", seconds_ago=4)  # pressed at 21 s
    assert "Locked in" in in_time.content
    assert "Time is up" in too_late.content
    [(user, elapsed)] = [(a.user_key, a.elapsed) for a in cog.db.quiz_answers(cog.rooms.room(
        f"discord:{transport.channel_id}").session.id)]
    assert user == f"discord:{ANN}" and elapsed == pytest.approx(19)


async def test_restart_with_stale_buttons(world):
    """The bot dies with a question on screen. The restarted bot disables that message's buttons
    (through the channel) before asking again, and a press on the old message still counts: the
    buttons are rebuilt from their custom ids, the quiz from the database. A review card dealt before
    the restart works too."""
    cog, timer, clock, transport = world["cog"], world["timer"], world["clock"], world["transport"]
    channel = transport.channel_id
    await start_quiz(world, questions=3)
    task = cog.driver.tasks[f"discord:{channel}"]
    await timer.until_blocked(task)
    await answer(world, questions_shown(transport)[-1], correct_of(cog, channel), ANN, "Ann")
    await timer.release(task)  # revealed: Ann has her points
    await timer.release(task)  # question 2 on screen
    old = questions_shown(transport)[-1]
    assert old.embeds[0]["title"] == "Question 2 of 3"
    cog.db.record_review_answer(user_key=f"discord:{BEN}", user_name="Ben", question_id=cog.kb.quiz[0].id, topic=None,
                                choice="x", correct=False, box=1, due_at=clock.t, mastered=False)
    card = said(transport, await command(world["bot"], transport, "review", user_id=BEN, guild_id=GUILD))
    task.cancel()  # the process dies here: nothing is cleaned up
    await stop_bot(world["bot"])

    bot2, cog2, timer2 = await study_bot(world["tmp"] / "bot.sqlite3", transport, world["tutor"](), clock, rng=0)
    world["bot"] = bot2  # the fixture stops this one
    sent_before = len(transport.sent)
    [room] = await cog2.resume_mine()
    task2 = cog2.driver.tasks[room.channel]
    await timer2.until_blocked(task2)
    assert all(old.button(c)["disabled"] for c in old.custom_ids())  # the stale message: buttons off
    edit, post = transport.sent[sent_before], next(s for s in transport.sent[sent_before:] if s.method == "POST")
    assert edit.method == "PATCH" and edit.url.endswith(f"/messages/{old.id}")
    assert transport.sent.index(edit) < transport.sent.index(post)  # disabled before asking anew
    new = questions_shown(transport)[-1]
    assert "Resuming" in new.content and new.embeds[0]["title"] == "Question 2 of 3" and new.id != old.id
    assert [(s.name, s.correct) for s in room.session.standings()] == [("Ann", 1)]

    world["bot"], world["transport"] = bot2, transport
    late_press = await answer(world, old, correct_of(cog2, channel), BEN, "Ben")  # on the stale message
    assert "Locked in" in late_press.content
    await press(bot2, transport, card, card.custom_ids()[0], user_id=BEN, guild_id=GUILD)
    feedback = card.embeds[0]["description"]  # the private card itself, edited by the press
    assert feedback.startswith(("✅ Right", "❌ Not quite")) and card.edits == 1

    stop = said(transport, await command(bot2, transport, "quiz", subcommand="stop", user_id=ANN, guild_id=GUILD))
    assert "stopped the quiz" in stop.content
    await asyncio.wait_for(task2, 5)
    assert "Ann" in transport.last_public().embeds[0]["description"]


async def test_two_processes_resume_only_the_quizzes_of_their_own_shards(shipped_tutor_factory, shipped_kb, tmp_path,
                                                                         transport):
    """Two shard processes share one database. Before, each resumed every quiz: the one that could not
    see a channel played a hidden copy and marked the quiz finished while its owner played on. Now
    each resumes its own shards' quizzes (DMs: shard 0), reaching DM channels, which are never cached
    at start, by id."""
    clock = FakeClock()
    path = tmp_path / "shared.sqlite3"
    guild_a = next(g << 22 for g in range(1, 100) if shard_of(g << 22, 2) == 0)
    guild_b = next(g << 22 for g in range(1, 100) if shard_of(g << 22, 2) == 1)
    channel_a, channel_b, dm = snowflake(), snowflake(), snowflake()
    earlier = Database(path, clock=clock)  # the quizzes as a previous run left them
    rooms = QuizRooms(shipped_kb, earlier, clock, random.Random(1))
    for channel, guild in ((channel_a, guild_a), (channel_b, guild_b), (dm, None)):
        rooms.start(f"discord:{channel}", starter="discord:1", guild_id=guild, questions=3)
    earlier.close()

    p0, cog0, timer0 = await study_bot(path, transport, shipped_tutor_factory(), clock, shard_count=2, shard_ids=(0,))
    p1, cog1, timer1 = await study_bot(path, transport, shipped_tutor_factory(), clock, shard_count=2, shard_ids=(1,))
    try:
        assert p0.get_channel(dm) is None  # not cached: the quiz must still be played there
        mine0 = {r.channel for r in await cog0.resume_mine()}
        mine1 = {r.channel for r in await cog1.resume_mine()}
        assert mine0 == {f"discord:{channel_a}", f"discord:{dm}"} and mine1 == {f"discord:{channel_b}"}
        for cog, timer in ((cog0, timer0), (cog1, timer1)):
            for task in list(cog.driver.tasks.values()):
                await timer.until_blocked(task)
        assert [len(questions_shown(transport, c)) for c in (channel_a, channel_b, dm)] == [1, 1, 1]  # one copy each
        for _ in range(2):  # process 0 plays its quizzes on; process 1's quiz is untouched by it
            for task in list(cog0.driver.tasks.values()):
                await timer0.release(task)
        assert p1.database.live_quiz(f"discord:{channel_b}").phase == "asking"
        assert cog0.rooms.room(f"discord:{channel_b}") is None
    finally:
        await stop_bot(p0)
        await stop_bot(p1)


async def test_a_double_press_on_a_review_card_counts_once(world):
    cog, clock, transport, bot = world["cog"], world["clock"], world["transport"], world["bot"]
    for q in cog.kb.quiz[:2]:
        cog.db.record_review_answer(user_key=f"discord:{ANN}", user_name="Ann", question_id=q.id, topic=None, choice="x",
                                    correct=False, box=1, due_at=clock.t, mastered=False)
    before = len(cog.db.user_answers(f"discord:{ANN}", kind="review"))
    card = said(transport, await command(bot, transport, "review", user_id=ANN, guild_id=GUILD))
    first, second = await asyncio.gather(*(
        press(bot, transport, card, card.custom_ids()[i], user_id=ANN, guild_id=GUILD) for i in (0, 1)
    ))
    replies = [transport.answering(t) for t in (first, second)]
    told = [m for r in replies for m in r if m is not card]
    assert len(told) == 1 and "already answered" in told[0].content and told[0].ephemeral
    assert len(cog.db.user_answers(f"discord:{ANN}", kind="review")) == before + 1


async def test_a_dm_leaderboard_shows_only_the_asker(world):
    """DM quizzes all have no server; before, a DM /leaderboard added them up and showed everyone's."""
    cog, transport, bot = world["cog"], world["transport"], world["bot"]
    dm_rooms = QuizRooms(cog.kb, cog.db, world["clock"], random.Random(2), QuizRules(time_limit=20))
    for user, name in ((ANN, "Ann"), (BEN, "Ben")):
        channel = f"discord:{snowflake()}"
        room = dm_rooms.start(channel, starter=f"discord:{user}", guild_id=None, questions=1)
        dm_rooms.answer(channel, f"discord:{user}", room.session.current.correct_index, name=name)
        dm_rooms.reveal(channel)
        dm_rooms.finish(channel)
    token = await command(bot, transport, "leaderboard", user_id=ANN, user_name="Ann")  # in a DM
    text = said(transport, token).embeds[0]["description"]
    assert "Ann" in text and "Ben" not in text
    assert "direct messages" in said(transport, token).embeds[0]["title"]


async def test_a_chart_is_drawn_once_on_the_cpu_worker_and_attached_with_its_sources(world, monkeypatch):
    import bot.discord.exts.study as study

    drawn: list[str] = []
    real = study.render_chart

    def counting(name, kb):
        drawn.append(threading.current_thread().name)
        return real(name, kb)

    monkeypatch.setattr(study, "render_chart", counting)
    transport, bot = world["transport"], world["bot"]
    tokens = await asyncio.gather(*(command(bot, transport, "chart", {"name": "deaths"}, user_id=snowflake(), guild_id=GUILD)
                                    for _ in range(5)))
    assert len(drawn) == 1 and drawn[0].startswith("glf-cpu")  # once, not on asyncio's shared pool
    for token in tokens:
        (callback, *_rest) = transport.for_token(token)
        assert callback.payload["type"] == 5  # deferred first: drawing is slow
        message = said(transport, token)
        assert not message.ephemeral and message.payload["attachments"][0]["filename"] == "deaths.png"
        assert "Sources:" in message.content and len(message.content) <= 2000


async def test_topic_autocomplete(world):
    from tests.helpers import MockInteraction

    cog = world["cog"]
    choices = await cog.topic_autocomplete(MockInteraction(client=world["bot"]), "stee")
    assert [c.value for c in choices] == ["steel"]
    assert len(await cog.topic_autocomplete(MockInteraction(client=world["bot"]), "")) <= 25


async def test_loads_as_an_extension_and_its_commands_serialise(bot):
    """The real TutorBot (no login): the extension registers valid slash commands."""
    names = {c.name for c in bot.tree.get_commands()}
    assert {"quiz", "leaderboard", "progress", "review", "chart"} <= names
    quiz = bot.tree.get_command("quiz")
    assert {c.name for c in quiz.commands} == {"start", "stop"}
    payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    chart = next(p for p in payload if p["name"] == "chart")
    # Every chart the chart module can draw is offered, the timeline included (what Discord receives).
    assert [c["value"] for c in chart["options"][0]["choices"]] == ["deaths", "grain", "steel", "timeline"]


async def test_chart_timeline_is_drawn_and_sent(world):
    transport, bot = world["transport"], world["bot"]
    token = await command(bot, transport, "chart", {"name": "timeline"}, user_id=snowflake(), guild_id=GUILD)
    message = said(transport, token)
    assert message.payload["attachments"][0]["filename"] == "timeline.png"
    assert "Sources:" in message.content


async def test_an_answer_the_database_could_not_take_is_said_to_be_unsaved(shipped_tutor_factory, transport, pg_cluster, pg_url):
    """On PostgreSQL: while the server is down a press is told it was not saved (after one reconnect
    and retry), and pressing again once the server is back is saved."""
    clock = FakeClock()
    bot, cog, timer = await study_bot(pg_url, transport, shipped_tutor_factory(), clock)
    world = {"bot": bot, "cog": cog, "timer": timer, "clock": clock, "transport": transport}
    try:
        await start_quiz(world, questions=2)
        await timer.until_blocked(cog.driver.tasks[f"discord:{transport.channel_id}"])
        question = questions_shown(transport)[-1]
        assert "Locked in" in (await answer(world, question, 0, ANN, "Ann")).content
        bot.database.RECONNECT_WAIT_S = 0.3
        pg_cluster.stop()
        try:
            refused = await answer(world, question, 1, BEN, "Ben")
        finally:
            pg_cluster.start()
        assert "not saved" in refused.content and refused.ephemeral
        assert "Locked in" in (await answer(world, question, 1, BEN, "Ben")).content   # pressed again: saved
        session_id = cog.rooms.room(f"discord:{transport.channel_id}").session.id
        assert {a.user_key for a in bot.database.quiz_answers(session_id)} == {f"discord:{ANN}", f"discord:{BEN}"}
    finally:
        await stop_bot(bot)
