"""Engine results -> Discord embeds. Pure functions: no network, no bot, no state.

Every embed produced here respects Discord's limits; content that does not fit one embed is cut at
paragraph, line or sentence boundaries into pages, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.engine.answer import Answer, DisputeView, QuotedPassage
from bot.engine.formatting import citation
from bot.engine.records import GlossaryEntry, KnowledgeBase, Source, TimelineEvent

# Discord's documented limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE = 256
DESCRIPTION = 4096
FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
TOTAL = 6000
CONTENT = 2000
BUTTON_LABEL = 80
SELECT_OPTIONS = 25
CHOICE_NAME = 100

# Our own footers stay short so title + footer + one full description always fit in TOTAL.
FOOTER_BUDGET = 300
PAGE_MARK = " · page 9999/9999"

ANSWER_COLOUR = discord.Colour(0xC0392B)
ABSTAIN_COLOUR = discord.Colour(0x7F8C8D)
DISPUTE_COLOUR = discord.Colour(0xE67E22)
INFO_COLOUR = discord.Colour(0x2C3E50)

ANSWER_FOOTER = "Quoted from GLF Tutor's sourced notes · use “Report a problem” if something is wrong"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in an ellipsis when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut between paragraphs, then lines, then sentences, then words."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    for sep, splitter in (
        ("\n\n", lambda t: t.split("\n\n")),
        ("\n", lambda t: t.split("\n")),
        (" ", _SENTENCE.split),
        (" ", lambda t: t.split(" ")),
    ):
        parts = [p for p in splitter(text) if p.strip()]
        if len(parts) > 1:
            return _pack(parts, sep, limit)
    return [text[i : i + limit] for i in range(0, len(text), limit)]  # one unbroken word


def _pack(parts: Iterable[str], sep: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for part in parts:
        for piece in split_text(part, limit) if len(part) > limit else [part.strip()]:
            if current and len(current) + len(sep) + len(piece) <= limit:
                current += sep + piece
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True)
class Block:
    """One unit placed on a page: a description paragraph, or a field when `name` is set."""

    text: str
    name: str | None = None
    inline: bool = False


def _normalise(blocks: Iterable[Block]) -> list[Block]:
    """Split any block that alone exceeds its limit; a long field continues under the same name."""
    out: list[Block] = []
    for block in blocks:
        if block.name is None:
            out += [Block(chunk) for chunk in split_text(block.text, DESCRIPTION)]
            continue
        name = clip(block.name, FIELD_NAME - len(" (cont.)")) or "—"
        chunks = split_text(block.text, FIELD_VALUE) or ["—"]
        for i, chunk in enumerate(chunks):
            out.append(Block(chunk, name if i == 0 else f"{name} (cont.)", block.inline))
    return out


def paginate(
    title: str,
    blocks: Iterable[Block],
    *,
    colour: discord.Colour = INFO_COLOUR,
    footer: str = "",
    per_page: int | None = None,
    empty: str = "Nothing to show.",
) -> list[discord.Embed]:
    """Pack blocks into as few embeds as the limits allow (or `per_page` blocks a page, if fewer)."""
    title = clip(title, TITLE)
    footer = clip(footer, FOOTER_BUDGET)
    budget = TOTAL - len(title) - len(footer) - len(PAGE_MARK)
    pages: list[tuple[list[str], list[Block]]] = []
    desc: list[str] = []
    fields: list[Block] = []
    used = 0

    def flush() -> None:
        nonlocal desc, fields, used
        if desc or fields:
            pages.append((desc, fields))
        desc, fields, used = [], [], 0

    for block in _normalise(blocks):
        if per_page is not None and len(desc) + len(fields) >= per_page:
            flush()
        if block.name is None:
            desc_len = sum(len(d) for d in desc) + 2 * len(desc)
            if desc_len + len(block.text) > DESCRIPTION or used + len(block.text) + 2 > budget or fields:
                # Description text never follows fields on a page, so reading order is kept.
                flush()
            desc.append(block.text)
            used += len(block.text) + 2
        else:
            size = len(block.name) + len(block.text)
            if len(fields) >= FIELDS or used + size > budget:
                flush()
            fields.append(block)
            used += size
    flush()
    if not pages:
        pages = [([empty], [])]

    embeds = []
    for i, (desc, fields) in enumerate(pages, start=1):
        embed = discord.Embed(title=title or None, description="\n\n".join(desc) or None, colour=colour)
        for f in fields:
            embed.add_field(name=f.name, value=f.text, inline=f.inline)
        mark = f"page {i}/{len(pages)}" if len(pages) > 1 else ""
        text = " · ".join(part for part in (footer, mark) if part)
        if text:
            embed.set_footer(text=text)
        embeds.append(embed)
    return embeds


# ----- answers -------------------------------------------------------------------------------


def quote_block(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def passage_block(passage: QuotedPassage, kb: KnowledgeBase | None = None) -> Block:
    """The passage in the project's words, its primary-source quotation if any, and its citations."""
    lines = [f"**{passage.title}**", quote_block(passage.text)]
    record = kb.passages_by_id.get(passage.id) if kb is not None else None
    if record is not None and record.quote is not None:
        src = kb.sources.get(record.quote.source.id) if kb is not None else None
        where = f" — {citation(src, record.quote.source, journal=False)}" if src else ""
        lines.append(f"> “{record.quote.text}”{where}")
    if passage.sources:
        lines.append("— " + "; ".join(s.citation for s in passage.sources))
    return Block("\n".join(lines))


def dispute_blocks(view: DisputeView) -> list[Block]:
    """The competing estimates (all of them) and why they differ, as fields."""
    name = f"⚖️ Disputed figure — {view.question}"
    estimates = "\n".join(
        f"• **{e.label}** — {e.by} ({e.year})" + (f": {e.method}" if e.method and len(view.estimates) <= 4 else "")
        for e in view.estimates
    )
    return [Block(estimates, name), Block(view.why_they_differ, "Why they differ")]


def answer_embeds(answer: Answer, kb: KnowledgeBase | None = None) -> list[discord.Embed]:
    """An Answer as one or more embeds: quoted passages, disputed figures, suggested questions."""
    if answer.abstained or not answer.passages:
        return paginate(
            answer.question or "GLF Tutor",
            [Block(answer.text)],
            colour=ABSTAIN_COLOUR,
            footer="No sourced answer — I only say what my sources support",
        )
    blocks = [passage_block(p, kb) for p in answer.passages]
    for view in answer.disputes:
        blocks += dispute_blocks(view)
    if answer.followups:
        blocks.append(Block("\n".join(f"• {q}" for q in answer.followups), "You could ask next"))
    return paginate(answer.question, blocks, colour=ANSWER_COLOUR, footer=ANSWER_FOOTER)


def answer_plain(answer: Answer) -> str:
    """For channels where the bot may not embed: the engine's own text, which fits one message."""
    return clip(answer.text, CONTENT)


def button_label(text: str) -> str:
    return clip(text, BUTTON_LABEL)


# ----- look-ups ------------------------------------------------------------------------------


def source_line(source: Source) -> str:
    line = f"• {citation(source)}"
    if source.note:
        line += f" — {source.note}"
    if source.url:
        line += f" <{source.url}>"
    return line


def _cited(refs, sources: Mapping[str, Source]) -> str:
    return "; ".join(citation(sources[r.id], r) for r in refs if r.id in sources)


def glossary_embed(entry: GlossaryEntry, sources: Mapping[str, Source]) -> list[discord.Embed]:
    title = f"{entry.term} ({entry.chinese})" if entry.chinese else entry.term
    blocks = [Block(entry.definition)]
    if entry.aliases:
        blocks.append(Block(", ".join(entry.aliases), "Also known as"))
    if entry.sources:
        blocks.append(Block(_cited(entry.sources, sources), "Sources"))
    return paginate(title, blocks, colour=INFO_COLOUR, footer="Glossary")


def dispute_embeds(view: DisputeView, sources: Mapping[str, Source]) -> list[discord.Embed]:
    """All estimates side by side (inline fields): figure, who, year, method and source."""
    blocks = [Block(f"Unit: {view.unit}. {len(view.estimates)} published estimates, lowest to highest.")]
    for e in view.estimates:
        src = sources.get(e.source)
        lines = [f"{e.by} ({e.year})"]
        if e.method:
            lines.append(f"*Method:* {e.method}")
        if src is not None:
            lines.append(f"*Source:* {citation(src)}")
        blocks.append(Block("\n".join(lines), e.label or "—", inline=True))
    blocks.append(Block(view.why_they_differ, "Why they differ"))
    return paginate(view.question, blocks, colour=DISPUTE_COLOUR, footer="Disputed figure", per_page=10)


def timeline_embeds(events: Sequence[TimelineEvent], title: str) -> list[discord.Embed]:
    blocks = [Block(f"**{e.date}** — {e.event}") for e in events]
    return paginate(title, blocks, colour=INFO_COLOUR, footer="Timeline", per_page=10, empty="No events.")


def sources_embeds(sources: Iterable[Source], title: str) -> list[discord.Embed]:
    blocks = [Block(source_line(s)) for s in sorted(sources, key=lambda s: (s.author, s.year, s.title))]
    return paginate(title, blocks, colour=INFO_COLOUR, footer="Bibliography", per_page=12, empty="No sources.")


HELP_TEXT = (
    "I answer questions about the Great Leap Forward (China, 1958–1962) by quoting my sourced notes, "
    "show disputed figures side by side, and say so when I have no sourced answer.",
    (
        "Talk to me",
        "Mention me in a channel, reply to one of my answers, or write to me in a direct message. "
        "Follow-up questions keep the conversation going.",
    ),
    (
        "Commands",
        "`/ask` a question · `/fact` a term or person · `/dispute` a contested figure · "
        "`/timeline` events by year · `/sources` the bibliography · right-click a message → "
        "Apps → **Ask the tutor**",
    ),
    ("Something wrong?", "Press **Report a problem** under any answer; the curators read every report."),
)


def help_embed() -> discord.Embed:
    intro, *sections = HELP_TEXT
    return paginate("GLF Tutor — help", [Block(intro), *(Block(v, n) for n, v in sections)], colour=INFO_COLOUR)[0]


def embed_within_limits(embed: discord.Embed) -> list[str]:
    """Every limit this embed breaks (empty when it is valid); used by tests and as a last check."""
    problems = []
    if len(embed.title or "") > TITLE:
        problems.append("title")
    if len(embed.description or "") > DESCRIPTION:
        problems.append("description")
    if len(embed.fields) > FIELDS:
        problems.append("field count")
    for f in embed.fields:
        if not f.name or len(f.name) > FIELD_NAME:
            problems.append("field name")
        if not f.value or len(f.value) > FIELD_VALUE:
            problems.append("field value")
    if len(embed.footer.text or "") > FOOTER:
        problems.append("footer")
    if len(embed) > TOTAL:
        problems.append("total")
    return problems
