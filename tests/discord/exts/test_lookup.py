"""/fact, /dispute, /timeline, /sources, /help: answered at once, from memory, within limits."""

from __future__ import annotations

import discord
import pytest

from bot.discord.exts.lookup import Lookup
from bot.discord.render import embed_within_limits
from bot.discord.views import TutorView
from tests.helpers import MockInteraction, button, click

NONE = discord.AllowedMentions.none().to_dict()


def shown_pages(bot, kwargs: dict) -> list[dict]:
    """Every page of a reply: the first as sent, the rest as stored for the ◀ ▶ buttons."""
    if "view" not in kwargs:
        return [kwargs["embed"].to_dict()]
    shown_id = button(kwargs["view"], prefix="glf-count:").custom_id.split(":")[1]
    return list(bot.database.shown(shown_id).pages)


@pytest.fixture
def cog(bot) -> Lookup:
    return bot.get_cog("Lookup")


def replied(interaction: MockInteraction) -> dict:
    """What was sent as the immediate response (no defer: these are answered from memory)."""
    interaction.response.defer.assert_not_awaited()
    interaction.response.send_message.assert_awaited_once()
    kwargs = interaction.response.send_message.call_args.kwargs
    assert kwargs["allowed_mentions"].to_dict() == NONE
    if "embed" in kwargs:
        assert embed_within_limits(kwargs["embed"]) == []
    return kwargs


async def test_fact_autocomplete_covers_terms_and_aliases(cog, bot):
    interaction = MockInteraction(client=bot)
    choices = await cog.fact_autocomplete(interaction, "mao tse")
    assert choices and "Mao Zedong" in choices[0].name
    assert len(await cog.fact_autocomplete(interaction, "")) == 25
    for c in await cog.fact_autocomplete(interaction, "a"):
        assert 1 <= len(c.name) <= 100 and len(c.value) <= 100


async def test_fact_by_autocomplete_value_by_alias_and_unknown(cog, bot):
    entry = bot.tutor.kb.glossary[0]
    interaction = MockInteraction(client=bot)
    await cog.fact.callback(cog, interaction, entry.id)
    embed = replied(interaction)["embed"]
    assert embed.title.startswith(entry.term) and embed.description == entry.definition.strip()

    interaction = MockInteraction(client=bot)
    await cog.fact.callback(cog, interaction, "GLF")  # an alias typed in full
    assert replied(interaction)["embed"].title.startswith("Great Leap Forward")

    interaction = MockInteraction(client=bot)
    await cog.fact.callback(cog, interaction, "quantum chromodynamics")
    kwargs = replied(interaction)
    assert kwargs["ephemeral"] is True and "No glossary entry" in interaction.response.send_message.call_args.args[0]


async def test_fact_checks_length_in_the_handler(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.fact.callback(cog, interaction, "x" * 101)
    assert replied(interaction)["ephemeral"] is True


async def test_dispute_shows_every_estimate_side_by_side(cog, bot):
    dispute = bot.tutor.kb.disputes["glf-end-date"]
    choices = await cog.dispute_autocomplete(MockInteraction(client=bot), "end")
    assert "glf-end-date" in [c.value for c in choices]
    interaction = MockInteraction(client=bot)
    await cog.dispute.callback(cog, interaction, "glf-end-date")
    kwargs = replied(interaction)
    pages = [discord.Embed.from_dict(p) for p in shown_pages(bot, kwargs)]
    fields = [f for page in pages for f in page.fields]
    estimate_fields = [f for f in fields if f.inline]
    assert len(estimate_fields) == len(dispute.estimates)
    assert all(
        e.by in f.value and str(e.year) in f.value
        for e, f in zip(sorted(dispute.estimates, key=lambda e: (e.key, e.year)), estimate_fields, strict=True)
    )
    assert any(f.name == "Why they differ" for f in fields)


async def test_dispute_in_other_words_is_the_one_the_tutor_would_flag(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.dispute.callback(cog, interaction, "death toll")   # no dispute's question holds these words
    pages = shown_pages(bot, replied(interaction))
    assert pages[0]["title"] == bot.tutor.kb.disputes["famine-deaths"].question


async def test_dispute_unknown_topic(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.dispute.callback(cog, interaction, "zzzz-nothing")
    assert replied(interaction)["ephemeral"] is True


async def test_timeline_is_paged_and_only_the_caller_turns_pages(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.timeline.callback(cog, interaction, None)
    kwargs = replied(interaction)
    view = kwargs["view"]
    assert isinstance(view, TutorView) and view.timeout is None
    pages = -(-len(bot.tutor.kb.timeline) // 10)
    assert button(view, prefix="glf-count:").item.label == f"1/{pages}"
    assert button(view, prefix="glf-page:").item.disabled  # ◀ on the first page

    stranger = MockInteraction(client=bot)
    await click(view.children[2], stranger)  # ▶
    assert "Only the person who asked" in stranger.response.send_message.call_args.args[0]
    assert stranger.response.send_message.call_args.kwargs["ephemeral"] is True
    owner = MockInteraction(client=bot, user=interaction.user)
    await click(view.children[2], owner)
    edited = owner.response.edit_message.call_args.kwargs
    assert edited["embed"].description.startswith("**") and edited["embed"].footer.text.endswith(f"page 2/{pages}")
    assert button(edited["view"], prefix="glf-count:").item.label == f"2/{pages}"
    assert not edited["view"].children[0].item.disabled  # ◀ works from page 2


async def test_timeline_for_one_year(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.timeline.callback(cog, interaction, 1959)
    kwargs = replied(interaction)
    pages = [discord.Embed.from_dict(p) for p in shown_pages(bot, kwargs)]
    text = "\n".join(p.description for p in pages)
    assert "1959" in text and "1961-" not in text
    interaction = MockInteraction(client=bot)
    await cog.timeline.callback(cog, interaction, 1900)
    assert replied(interaction)["ephemeral"] is True


async def test_sources_all_and_by_topic(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.sources.callback(cog, interaction, None)
    assert str(len(bot.tutor.kb.sources)) in replied(interaction)["embed"].title
    choices = await cog.sources_autocomplete(MockInteraction(client=bot), "steel")
    assert choices and choices[0].value == "steel"
    interaction = MockInteraction(client=bot)
    await cog.sources.callback(cog, interaction, "steel")
    assert "steel" in replied(interaction)["embed"].title


async def test_help_is_private(cog, bot):
    interaction = MockInteraction(client=bot)
    await cog.help.callback(cog, interaction)
    assert replied(interaction)["ephemeral"] is True
