"""Look-ups answered straight from the knowledge base: /fact, /dispute, /timeline, /sources, /help."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.exts._common import send_pages, too_long
from bot.discord.render import CHOICE_NAME, clip, dispute_embeds, glossary_embed, help_embed, sources_embeds, timeline_embeds
from bot.discord.views import NO_MENTIONS, send_ephemeral
from bot.engine.compose import dispute_view, topic_label
from bot.engine.records import Dispute, GlossaryEntry, KnowledgeBase

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

MAX_TERM = 100
MAX_CHOICES = 25


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _choices(scored: list[tuple[int, str, str]]) -> list[app_commands.Choice[str]]:
    """Best first (lowest rank), unique values, at most 25 — Discord's limit."""
    seen: set[str] = set()
    out = []
    for _, name, value in sorted(scored, key=lambda t: (t[0], t[1].casefold())):
        if value not in seen:
            seen.add(value)
            out.append(app_commands.Choice(name=clip(name, CHOICE_NAME), value=value))
        if len(out) == MAX_CHOICES:
            break
    return out


def _rank(needle: str, haystack: str) -> int | None:
    """0 exact, 1 prefix, 2 a word starts with it, 3 substring, None no match."""
    h = _fold(haystack)
    if not needle:
        return 3
    if h == needle:
        return 0
    if h.startswith(needle):
        return 1
    if any(w.startswith(needle) for w in h.split()):
        return 2
    return 3 if needle in h else None


class Lookup(commands.Cog):
    def __init__(self, bot: TutorBot):
        self.bot = bot
        kb = self.kb
        self.glossary_by_id = {e.id: e for e in kb.glossary}
        self.years = sorted({e.year for e in kb.timeline})

    @property
    def kb(self) -> KnowledgeBase:
        return self.bot.tutor.kb

    # ----- /fact ----------------------------------------------------------------------------
    def glossary_matches(self, current: str) -> list[app_commands.Choice[str]]:
        needle = _fold(current)
        scored = []
        for entry in self.kb.glossary:
            names = [(entry.term, entry.term)] + [(alias, f"{alias} → {entry.term}") for alias in entry.aliases]
            ranks = [(r, label) for name, label in names if (r := _rank(needle, name)) is not None]
            if ranks:
                rank, label = min(ranks)
                scored.append((rank, entry.term if rank == _rank(needle, entry.term) else label, entry.id))
        return _choices(scored)

    def find_entry(self, term: str) -> GlossaryEntry | None:
        """An autocomplete value (an id), else a term or alias typed in full, else the best partial match."""
        if term in self.glossary_by_id:
            return self.glossary_by_id[term]
        matches = self.glossary_matches(term)
        if not matches:
            return None
        best = self.glossary_by_id[matches[0].value]
        folded = _fold(term)
        exact = folded in {_fold(best.term), *map(_fold, best.aliases)}
        return best if exact or len(matches) == 1 else None

    @app_commands.command(name="fact", description="Look up a term, person or campaign of the Great Leap Forward")
    @app_commands.describe(term="Start typing: e.g. commune, Peng Dehuai, backyard furnaces")
    async def fact(self, interaction: discord.Interaction, term: app_commands.Range[str, 1, MAX_TERM]) -> None:
        if problem := too_long(term, MAX_TERM):
            await send_ephemeral(interaction, problem)
            return
        entry = self.find_entry(term.strip())
        if entry is None:
            near = ", ".join(c.name for c in self.glossary_matches(term.strip()[:3])[:5])
            hint = f" Close: {near}." if near else ""
            await send_ephemeral(interaction, f"No glossary entry for “{clip(term, 60)}”.{hint} Try `/ask` for a fuller answer.")
            return
        await send_pages(interaction, glossary_embed(entry, self.kb.sources))  # from memory: well inside 3 s

    @fact.autocomplete("term")
    async def fact_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.glossary_matches(current)

    # ----- /dispute -------------------------------------------------------------------------
    def dispute_matches(self, current: str) -> list[app_commands.Choice[str]]:
        needle = _fold(current)
        scored = []
        for d in self.kb.disputes.values():
            ranks = [r for r in (_rank(needle, d.question), _rank(needle, d.id.replace("-", " "))) if r is not None]
            if ranks:
                scored.append((min(ranks), d.question, d.id))
        return _choices(scored)

    def find_dispute(self, topic: str) -> Dispute | None:
        if topic in self.kb.disputes:
            return self.kb.disputes[topic]
        matches = self.dispute_matches(topic)
        return self.kb.disputes[matches[0].value] if matches else None

    @app_commands.command(name="dispute", description="A disputed figure: every published estimate side by side")
    @app_commands.describe(topic="Start typing: e.g. death toll, grain output, steel")
    async def dispute(self, interaction: discord.Interaction, topic: app_commands.Range[str, 1, MAX_TERM]) -> None:
        if problem := too_long(topic, MAX_TERM):
            await send_ephemeral(interaction, problem)
            return
        found = self.find_dispute(topic.strip())
        if found is None:
            listed = "; ".join(d.question for d in self.kb.disputes.values())
            await send_ephemeral(interaction, clip(f"I have no disputed figure on “{clip(topic, 60)}”. I have: {listed}", 2000))
            return
        await send_pages(interaction, dispute_embeds(dispute_view(found), self.kb.sources))

    @dispute.autocomplete("topic")
    async def dispute_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.dispute_matches(current)

    # ----- /timeline ------------------------------------------------------------------------
    @app_commands.command(name="timeline", description="Dated events of the Great Leap Forward, optionally for one year")
    @app_commands.describe(year="Only this year, e.g. 1959")
    async def timeline(self, interaction: discord.Interaction, year: app_commands.Range[int, 1900, 2100] | None = None) -> None:
        events = sorted(self.kb.timeline, key=lambda e: e.date)
        title = "Timeline of the Great Leap Forward"
        if year is not None:
            events = [e for e in events if e.year == year]
            title = f"Timeline: {year}"
            if not events:
                span = f"{self.years[0]}–{self.years[-1]}" if self.years else "no years"
                await send_ephemeral(interaction, f"No events for {year} in my timeline (it covers {span}).")
                return
        await send_pages(interaction, timeline_embeds(events, title))

    # ----- /sources -------------------------------------------------------------------------
    def topic_matches(self, current: str) -> list[app_commands.Choice[str]]:
        needle = _fold(current)
        scored = []
        for topic in self.kb.topics:
            label = topic_label(topic)
            ranks = [r for r in (_rank(needle, label), _rank(needle, topic.replace("_", " "))) if r is not None]
            if ranks:
                scored.append((min(ranks), label, topic))
        return _choices(scored)

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
        matches = [topic] if topic in kb.topics else [c.value for c in self.topic_matches(topic)]
        if not matches:
            await send_ephemeral(interaction, f"No topic “{clip(topic, 60)}”. Topics: " + ", ".join(kb.topics))
            return
        chosen = matches[0]
        ids: dict[str, None] = {}
        for p in kb.passages:
            if p.topic == chosen:
                ids.update(dict.fromkeys(r.id for r in p.sources))
                if p.quote:
                    ids[p.quote.source.id] = None
        cited = [kb.sources[i] for i in ids if i in kb.sources]
        await send_pages(interaction, sources_embeds(cited, f"Sources on {topic_label(chosen)}"))

    @sources.autocomplete("topic")
    async def sources_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return self.topic_matches(current)

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
