"""/ask, "Ask the tutor" and follow-up buttons, called as the tree would call them, with spec'd mocks."""

from __future__ import annotations

from unittest import mock

import discord
import pytest

from bot.discord.exts.ask import MAX_QUESTION, Ask
from bot.discord.render import embed_within_limits
from bot.discord.views import FollowupButton, ReportButton, TutorView
from tests.helpers import MockInteraction, MockMessage, MockThread, button, click

NONE = discord.AllowedMentions.none().to_dict()
QUESTION = "How many people died in the famine?"


@pytest.fixture
def cog(bot) -> Ask:
    return bot.get_cog("Ask")


def sent(interaction: MockInteraction) -> dict:
    """The answer: it replaces the deferred "thinking…" message (a follow-up would keep its visibility)."""
    interaction.edit_original_response.assert_awaited_once()
    interaction.followup.send.assert_not_awaited()
    return interaction.edit_original_response.call_args.kwargs


async def test_ask_defers_then_sends_an_answer_embed_with_buttons(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, QUESTION, False)

    interaction.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    kwargs = sent(interaction)
    assert kwargs["allowed_mentions"].to_dict() == NONE
    embed = kwargs["embed"]
    assert embed.title == QUESTION and embed_within_limits(embed) == []
    assert "Disputed figure" in " ".join(f.name for f in embed.fields)
    view = kwargs["view"]
    assert isinstance(view, TutorView) and view.timeout is None  # buttons never die on a timer
    kinds = [type(c) for c in view.children]
    assert ReportButton in kinds and FollowupButton in kinds  # follow-ups too
    shown = bot.database.shown(button(view, prefix="glf-report:").custom_id.split(":")[1])
    assert shown.owner_id == interaction.user.id and shown.question == QUESTION  # what the buttons need, stored


async def test_private_ask_is_ephemeral_throughout(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.ask.callback(cog, interaction, QUESTION, True)
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    assert sent(interaction)["embed"].title == QUESTION  # replaces the private "thinking…" message


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
    interaction.edit_original_response.return_value = answer_message
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
    view = sent(first)["view"]
    followup = button(view, prefix="glf-ask:")
    question = followup.item.label

    other = MockInteraction(client=bot, message=MockMessage())
    await click(followup, other)  # rebuilt from its custom id: the question comes from the database
    other.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    assert sent(other)["embed"].title.startswith(question.rstrip("…"))
    assert bot.tutor.memory.history(f"{other.channel_id}:{other.user.id}")


async def test_follow_up_button_respects_the_cooldown(cog, bot):
    first = MockInteraction(client=bot)
    await cog.ask.callback(cog, first, QUESTION, False)
    view = sent(first)["view"]
    presser = MockInteraction(client=bot, message=MockMessage())
    bot.cooldown.hit = mock.Mock(return_value=12.5)
    await click(button(view, prefix="glf-ask:"), presser)
    text = presser.response.send_message.call_args.args[0]
    assert "try again in 13 s" in text
    presser.response.defer.assert_not_awaited()


async def test_every_command_spends_from_one_budget_in_the_tree(bot):
    """The tree's interaction_check charges every slash and context-menu command (not autocomplete)."""
    interaction = MockInteraction(client=bot)
    for _ in range(bot.cooldown.rate):
        assert await bot.tree.interaction_check(interaction)
    assert not await bot.tree.interaction_check(interaction)
    assert "try again in" in interaction.response.send_message.call_args.args[0]
    autocomplete = MockInteraction(client=bot, user=interaction.user)
    autocomplete.type = discord.InteractionType.autocomplete
    assert await bot.tree.interaction_check(autocomplete)
