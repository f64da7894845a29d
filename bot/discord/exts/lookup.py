"""Look-ups answered straight from the knowledge base: /fact, /dispute, /timeline, /sources, /help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.exts._common import send_pages, too_long
from bot.discord.render import CHOICE_NAME, clip, dispute_embeds, glossary_embed, help_embed, sources_embeds, timeline_embeds
from bot.discord.views import NO_MENTIONS, send_ephemeral
from bot.engine import lookup
from bot.engine.compose import dispute_view, topic_label
from bot.engine.records import KnowledgeBase

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

MAX_TERM = 100


def _choices(matches: list[tuple[str, str]]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=clip(label, CHOICE_NAME), value=value) for label, value in matches]


class Lookup(commands.Cog):
    def __init__(self, bot: TutorBot):
        self.bot = bot
        self.lookup = lookup.Lookup(self.kb, ask=lambda question: self.bot.tutor.ask(question))

    @property
    def kb(self) -> KnowledgeBase:
        return self.bot.tutor.kb

    @app_commands.command(name="fact", description="Look up a term, person or campaign of the Great Leap Forward")
    @app_commands.describe(term="Start typing: e.g. commune, Peng Dehuai, backyard furnaces")
    async def fact(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, MAX_TERM]) -> None:
        if problem := too_long(term, MAX_TERM):
            await send_ephemeral(interaction, problem)
            return
        entry = self.lookup.find_entry(term)
        if entry is None:
            near = ", ".join(clip(label, CHOICE_NAME) for label in self.lookup.near_entries(term))
            hint = f" Close: {near}." if near else ""
            await send_ephemeral(interaction, f"No glossary entry for “{clip(term, 60)}”.{hint} Try `/ask` for a fuller answer.")
            return
        await send_pages(interaction, glossary_embed(entry, self.kb.sources))  # from memory: well inside 3 s

    @fact.autocomplete("term")
    async def fact_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(self.lookup.glossary_matches(current))

    # ----- /dispute -------------------------------------------------------------------------
    @app_commands.command(name="dispute", description="A disputed figure: every published estimate side by side")
    @app_commands.describe(topic="Start typing: e.g. death toll, grain output, steel")
    async def dispute(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, MAX_TERM]) -> None:
        if problem := too_long(topic, MAX_TERM):
            await send_ephemeral(interaction, problem)
            return
        found = self.lookup.find_dispute(topic)
        if found is None:
            listed = "; ".join(d.question for d in self.kb.disputes.values())
            await send_ephemeral(interaction, clip(f"I have no disputed figure on “{clip(topic, 60)}”. I have: {listed}", 2000))
            return
        await send_pages(interaction, dispute_embeds(dispute_view(found), self.kb.sources))

    @dispute.autocomplete("topic")
    async def dispute_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(self.lookup.dispute_matches(current))

    # ----- /timeline ------------------------------------------------------------------------
    @app_commands.command(name="timeline", description="Dated events of the Great Leap Forward, optionally for one year")
    @app_commands.describe(year="Only this year, e.g. 1959")
    async def timeline(self, interaction: discord.Interaction, year: app_commands.Range[int, 1900, 2100] | None = None) -> None:
        events = self.lookup.timeline(year)
        title = "Timeline of the Great Leap Forward" if year is None else f"Timeline: {year}"
        if not events:
            span = self.lookup.timeline_span()
            await send_ephemeral(interaction, f"No events for {year} in my timeline (it covers {span}).")
            return
        await send_pages(interaction, timeline_embeds(events, title))

    # ----- /sources -------------------------------------------------------------------------
    @app_commands.command(name="sources", description="The bibliography behind the answers, optionally for one topic")
    @app_commands.describe(topic="Only the sources cited on this topic")
    async def sources(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, MAX_TERM] | None = None) -> None:
        kb = self.kb
        if topic is None:
            await send_pages(interaction, sources_embeds(kb.sources.values(), f"Bibliography ({len(kb.sources)} sources)"))
            return
        if problem := too_long(topic, MAX_TERM):
            await send_ephemeral(interaction, problem)
            return
        chosen = self.lookup.find_topic(topic)
        if chosen is None:
            await send_ephemeral(interaction, f"No topic “{clip(topic, 60)}”. Topics: " + ", ".join(kb.topics))
            return
        await send_pages(interaction, sources_embeds(self.lookup.topic_sources(chosen), f"Sources on {topic_label(chosen)}"))

    @sources.autocomplete("topic")
    async def sources_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _choices(self.lookup.topic_matches(current))

    # ----- /help ----------------------------------------------------------------------------
    @app_commands.command(name="help", description="How to use GLF Tutor")
    async def help(self, interaction: discord.Interaction) -> None:
        embed = help_embed(command_list(self.bot.tree))
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


def command_list(tree: app_commands.CommandTree) -> list[tuple[str, str]]:
    """Every command in the tree, subcommands spelt out ("quiz start"); context menus with no description."""
    out: list[tuple[str, str]] = []
    for command in tree.get_commands():
        if isinstance(command, app_commands.ContextMenu):
            out.append((command.name, ""))
        elif isinstance(command, app_commands.Group):
            out += [
                (sub.qualified_name, sub.description) for sub in command.walk_commands() if isinstance(sub, app_commands.Command)
            ]
        else:
            out.append((command.qualified_name, command.description))
    return sorted(out, key=lambda c: (c[1] == "", c[0]))


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Lookup(bot))
