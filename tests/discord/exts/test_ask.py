"""/ask, "Ask the tutor" and follow-up buttons, called as the tree would call them, with spec'd mocks."""

from __future__ import annotations

from unittest import mock

import discord
import pytest

from bot.discord.exts.ask import MAX_QUESTION, Ask, question_check
from bot.discord.render import embed_within_limits
from bot.discord.views import AnswerView
from tests.helpers import MockInteraction, MockMessage, MockThread

NONE = discord.AllowedMentions.none().to_dict()
QUESTION = "How many people died in the famine?"


@pytest.fixture
def cog(bot) -> Ask:
    return bot.get_cog("Ask")


def sent(interaction: MockInteraction) -> dict:
    interaction.followup.send.assert_awaited_once()
    return interaction.followup.send.call_args.kwargs


async def test_ask_defers_then_sends_an_answer_embed_with_buttons(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, QUESTION, False)

    interaction.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    kwargs = sent(interaction)
    assert kwargs["ephemeral"] is False
    assert kwargs["allowed_mentions"].to_dict() == NONE
    embed = kwargs["embed"]
    assert embed.title == QUESTION and embed_within_limits(embed) == []
    assert "Disputed figure" in " ".join(f.name for f in embed.fields)
    view = kwargs["view"]
    assert isinstance(view, AnswerView) and view.owner_id == interaction.user.id
    labels = [c.label for c in view.children if isinstance(c, discord.ui.Button)]
    assert "Report a problem" in labels and len(labels) >= 2  # follow-ups too
    assert view.message is interaction.followup.send.return_value  # so the view can disable itself


async def test_private_ask_is_ephemeral_throughout(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, QUESTION, True)
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    assert sent(interaction)["ephemeral"] is True


@pytest.mark.parametrize("question", ["x" * (MAX_QUESTION + 1), "   "])
async def test_ask_checks_option_length_itself(cog, bot, question):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, question, False)
    interaction.response.defer.assert_not_awaited()
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True


async def test_follow_up_questions_share_memory_per_channel_and_user(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, "What was the Lushan Conference?", False)
    key = f"{interaction.channel_id}:{interaction.user.id}"
    assert len(bot.tutor.memory.history(key)) == 1
    again = MockInteraction(client=bot, channel=interaction.channel, user=interaction.user, guild=interaction.guild)
    await cog.ask.callback(cog, again, "What happened to him afterwards?", False)
    assert len(bot.tutor.memory.history(key)) == 2


async def test_in_a_thread_the_conversation_is_the_threads(cog, bot):
    thread = MockThread()
    interaction = MockInteraction(client=bot, channel=thread)
    await cog.ask.callback(cog, interaction, "What were the people's communes?", False)
    assert bot.tutor.memory.history(f"thread:{thread.id}")


async def test_answer_in_thread_setting_opens_a_thread_and_moves_the_memory(cog, bot):
    interaction = MockInteraction(client=bot)
    bot.database.set_guild_setting(interaction.guild_id, "answer_in_thread", "on")
    answer_message = MockMessage()
    thread = MockThread()
    answer_message.create_thread.return_value = thread
    interaction.followup.send.return_value = answer_message
    await cog.ask.callback(cog, interaction, "What were the people's communes?", False)
    answer_message.create_thread.assert_awaited_once()
    assert bot.tutor.memory.history(f"thread:{thread.id}")
    assert not bot.tutor.memory.history(f"{interaction.channel_id}:{interaction.user.id}")


async def test_context_menu_asks_about_the_selected_message(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask_about_message(interaction, MockMessage(content="Why did the backyard furnaces fail?"))
    interaction.response.defer.assert_awaited_once()
    assert sent(interaction)["embed"].title == "Why did the backyard furnaces fail?"


async def test_context_menu_on_a_message_without_text(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask_about_message(interaction, MockMessage(content=""))
    interaction.response.defer.assert_not_awaited()
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True


async def test_follow_up_button_asks_the_suggested_question_as_the_presser(cog, bot):
    first = MockInteraction(client=bot)
    await cog.ask.callback(cog, first, QUESTION, False)
    view: AnswerView = sent(first)["view"]
    question = view.followups[0]
    button = next(c for c in view.children if getattr(c, "label", None) and c.label.startswith(question[:70]))

    other = MockInteraction(client=bot, message=MockMessage())
    await button.callback(other)
    other.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    assert sent(other)["embed"].title == question[:256]
    assert bot.tutor.memory.history(f"{other.channel_id}:{other.user.id}")


async def test_follow_up_button_respects_the_cooldown(cog, bot):
    first = MockInteraction(client=bot)
    await cog.ask.callback(cog, first, QUESTION, False)
    view: AnswerView = sent(first)["view"]
    presser = MockInteraction(client=bot, message=MockMessage())
    bot.cooldown.hit = mock.Mock(return_value=12.5)
    await view.ask(presser, view.followups[0])
    text = presser.response.send_message.call_args.args[0]
    assert "try again in 13 s" in text
    presser.response.defer.assert_not_awaited()


async def test_question_check_raises_cooldown_for_the_tree(bot):
    interaction = MockInteraction(client=bot)
    for _ in range(bot.cooldown.rate):
        assert question_check(interaction)
    with pytest.raises(discord.app_commands.CommandOnCooldown):
        question_check(interaction)
