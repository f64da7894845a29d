"""Conversation in chat through dpytest: mentions, replies to the bot, DMs; other messages are ignored."""

from __future__ import annotations

import asyncio

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories

from bot.discord.bot import TutorBot, intents, unload_all
from bot.discord.render import embed_within_limits
from bot.storage import Database
from tests.helpers import record_sent_messages, settings


@pytest.fixture
async def bot(shipped_tutor_factory):
    # dpytest's fake guild only keeps members (the bot's own, for permission checks) with the
    # members intent; the production intents are tested in tests/test_discord_bot.py.
    test_intents = intents(settings())
    test_intents.members = True
    bot = TutorBot(settings(), shipped_tutor_factory(), Database(":memory:"), intents=test_intents)
    await bot._async_setup_hook()  # the loop and ready state dpytest expects
    await bot.setup_hook()  # our extensions, before dpytest takes over the connection
    dpytest.configure(bot, members=2)
    yield bot
    await dpytest.empty_queue()
    await unload_all(bot)


def config():
    return dpytest.get_config()


def answer_message() -> discord.Message:
    message = dpytest.get_message()
    assert message.author.id == config().client.user.id
    return message


async def test_mention_is_a_question_answered_with_an_embed(bot):
    await dpytest.message(f"<@{bot.user.id}> What were the people's communes?")
    reply = answer_message()
    (embed,) = reply.embeds
    assert embed.title == "What were the people's communes?"  # the mention itself is stripped
    assert embed_within_limits(embed) == []
    assert dpytest.verify().message().nothing()


async def test_messages_not_for_the_bot_are_ignored(bot):
    await dpytest.message("What were the people's communes?")
    assert dpytest.verify().message().nothing()


async def test_bare_mention_gets_a_prompt(bot):
    await dpytest.message(f"<@{bot.user.id}>")
    reply = answer_message()
    assert "Ask me a question" in reply.embeds[0].description


async def test_follow_up_by_mention_keeps_the_conversation(bot):
    member = config().members[0]
    await dpytest.message(f"<@{bot.user.id}> What was the Lushan Conference?", member=member)
    answer_message()
    await dpytest.message(f"<@{bot.user.id}> What happened to Peng Dehuai afterwards?", member=member)
    answer_message()
    key = f"{config().channels[0].id}:{member.id}"
    assert len(bot.tutor.memory.history(key)) == 2
    other = config().members[1]
    assert bot.tutor.memory.history(f"{config().channels[0].id}:{other.id}") == []


async def test_reply_to_the_bot_is_a_follow_up(bot):
    channel, member = config().channels[0], config().members[0]
    await dpytest.message(f"<@{bot.user.id}> What was the backyard steel campaign?", member=member)
    bot_message = answer_message()

    data = factories.make_message_dict(channel, member, content="Why did it fail?", type=19)
    data["message_reference"] = {"message_id": bot_message.id, "channel_id": channel.id, "guild_id": channel.guild.id}
    data["referenced_message"] = factories.dict_from_message(bot_message)
    backend.get_state().parse_message_create(data)
    await dpytest.run_all_events()

    reply = answer_message()
    assert reply.embeds[0].title == "Why did it fail?"
    assert len(bot.tutor.memory.history(f"{channel.id}:{member.id}")) == 2


async def test_a_reply_whose_text_discord_withheld_gets_a_hint_once(bot):
    """Without the Message Content intent, a reply that does not mention the bot arrives empty (also a
    reply to a slash-command answer). Before: silence. Now a one-line hint, at most once a minute."""
    channel, member = config().channels[0], config().members[0]
    await dpytest.message(f"<@{bot.user.id}> What was the backyard steel campaign?", member=member)
    bot_message = answer_message()

    def withheld_reply():
        data = factories.make_message_dict(channel, member, content="", type=19)
        data["message_reference"] = {"message_id": bot_message.id, "channel_id": channel.id, "guild_id": channel.guild.id}
        data["referenced_message"] = factories.dict_from_message(bot_message)
        backend.get_state().parse_message_create(data)

    withheld_reply()
    await dpytest.run_all_events()
    hint = answer_message()
    assert "can't read replies that don't mention me" in hint.content and "/ask" in hint.content
    withheld_reply()
    await dpytest.run_all_events()
    assert dpytest.verify().message().nothing()  # not again within the minute


async def test_refused_mentions_get_one_notice_per_window(bot):
    bot.cooldown.rate = 1
    bot.cooldown._buckets.clear()
    await dpytest.message(f"<@{bot.user.id}> What were the people's communes?")
    answer_message()
    for _ in range(3):
        await dpytest.message(f"<@{bot.user.id}> And the steel campaign?")
    assert "try again in" in answer_message().content
    assert dpytest.verify().message().nothing()  # one notice, not one per refused message


async def test_direct_message_is_a_question(bot):
    member = config().members[0]
    dm = await member.create_dm()
    await dpytest.message("Who was Peng Dehuai?", channel=dm, member=member)
    reply = answer_message()
    assert isinstance(reply.channel, discord.DMChannel)
    assert reply.embeds[0].title == "Who was Peng Dehuai?"


async def test_everything_sent_pings_nobody(bot, monkeypatch):
    """Quoted text may contain @everyone: every send carries allowed_mentions that parse nothing."""
    payloads = record_sent_messages(bot, monkeypatch)
    await dpytest.message(f"<@{bot.user.id}> @everyone what were the communes?")
    answer_message()
    (payload,) = payloads
    assert payload["allowed_mentions"]["parse"] == [] and payload["allowed_mentions"]["replied_user"] is False


async def test_cooldown_in_chat(bot):
    bot.cooldown.rate = 1
    bot.cooldown._buckets.clear()
    await dpytest.message(f"<@{bot.user.id}> What were the people's communes?")
    answer_message()
    await dpytest.message(f"<@{bot.user.id}> And the steel campaign?")
    assert "try again in" in answer_message().content


async def test_answer_in_thread_setting_for_mentions(shipped_tutor_factory):
    """The server option: the bot opens a thread on the question and answers (and remembers) there."""
    from tests.helpers import MockGuild, MockMember, MockMessage, MockTextChannel, MockThread, close_bot, make_bot

    bot = await make_bot(shipped_tutor_factory())
    bot._connection.user = discord.ClientUser(
        state=bot._connection, data={"id": 42, "username": "GLF Tutor", "discriminator": "0", "avatar": None}
    )
    guild = MockGuild()
    bot.database.set_guild_setting(guild.id, "answer_in_thread", "on")
    thread = MockThread()
    thread.permissions_for.return_value = discord.Permissions(embed_links=True)
    thread.typing.return_value = asyncio.sleep(0)  # `await channel.typing()`
    channel = MockTextChannel(guild=guild)
    message = MockMessage(
        content="<@42> What were the people's communes?",
        guild=guild,
        channel=channel,
        author=MockMember(),
        mentions=[bot.user],
        webhook_id=None,
        type=discord.MessageType.default,
        reference=None,
    )
    message.create_thread.return_value = thread
    await bot.get_cog("Ask").on_message(message)

    message.create_thread.assert_awaited_once()
    assert message.create_thread.call_args.kwargs["name"] == "What were the people's communes?"
    thread.send.assert_awaited_once()
    kwargs = thread.send.call_args.kwargs
    assert kwargs["embed"].title == "What were the people's communes?"
    assert kwargs["allowed_mentions"].to_dict() == discord.AllowedMentions.none().to_dict()
    message.reply.assert_not_awaited()
    assert bot.tutor.memory.history(f"thread:{thread.id}")
    assert isinstance(kwargs["view"], discord.ui.View)
    await close_bot(bot)
