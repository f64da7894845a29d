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
from bot.engine.compose import quoted_block, topic_label
from bot.engine.formatting import citation
from bot.engine.records import GlossaryEntry, Source, TimelineEvent
from bot.study.progress import LeaderboardPage, Progress
from bot.study.quiz import LETTERS, Asked, Reveal, Standing, StopReason
from bot.study.review import LAST_BOX, DeckStatus, ReviewCard

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
QUIZ_COLOUR = discord.Colour(0xB03A2E)
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


NAME = 64  # a display name as shown (Discord allows 32; nicknames and global names vary)


def name(text: str | None) -> str:
    """A user's display name for a public message: clipped, its markdown escaped (a name like
    `**ALL CAPS**` or `~~x~~` must not restyle the embed around it)."""
    return discord.utils.escape_markdown(clip(text or "someone", NAME))


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


def passage_block(passage: QuotedPassage) -> Block:
    """An answer unit (a passage, glossary entry, timeline event or series point) as the engine's text shows it,
    citing full references (with journals: an embed has the room)."""
    cites = "; ".join(s.citation for s in passage.sources)
    return Block(quoted_block(passage.heading or passage.title, passage.text.strip(), passage.quote, cites))


def dispute_blocks(view: DisputeView) -> list[Block]:
    """The competing estimates (all of them) and why they differ, as fields."""
    name = f"⚖️ Disputed figure — {view.question}"
    estimates = "\n".join(
        f"• **{e.label}** — {e.by} ({e.year})" + (f": {e.method}" if e.method and len(view.estimates) <= 4 else "")
        for e in view.estimates
    )
    return [Block(estimates, name), Block(view.why_they_differ, "Why they differ")]


def answer_embeds(answer: Answer) -> list[discord.Embed]:
    """An Answer as one or more embeds: quoted passages, disputed figures, suggested questions."""
    if answer.abstained or not answer.passages:
        return paginate(
            answer.question or "GLF Tutor",
            [Block(answer.text)],
            colour=ABSTAIN_COLOUR,
            footer="No sourced answer — I only say what my sources support",
        )
    # A dispute unit is shown by its estimates below, not quoted twice.
    blocks = [passage_block(p) for p in answer.passages if p.kind != "dispute"]
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
    blocks = [Block(entry.definition)]
    if entry.aliases:
        blocks.append(Block(", ".join(entry.aliases), "Also known as"))
    if entry.sources:
        blocks.append(Block(_cited(entry.sources, sources), "Sources"))
    return paginate(entry.heading, blocks, colour=INFO_COLOUR, footer="Glossary")


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


# ----- study: quizzes, review, scores -------------------------------------------------------


def question_embed(asked: Asked, topic: str | None, difficulty: str | None) -> discord.Embed:
    about = " · ".join(x for x in (topic and topic_label(topic), difficulty) if x)
    embed = discord.Embed(
        title=f"Question {asked.number} of {asked.total}", description=asked.question.question, colour=QUIZ_COLOUR
    )
    for i, choice in enumerate(asked.choices):
        embed.add_field(name=LETTERS[i], value=clip(choice, FIELD_VALUE), inline=False)
    seconds = int(asked.deadline - asked.asked_at)
    embed.set_footer(text=(f"{about} · " if about else "") + f"{seconds} s to answer · one answer each")
    embed.timestamp = discord.utils.utcnow()
    return embed


def reveal_embed(reveal: Reveal) -> discord.Embed:
    right = f"**{LETTERS[reveal.correct_index]}) {reveal.choices[reveal.correct_index]}**"
    embed = discord.Embed(
        title=f"Answer to question {reveal.number}",
        description=clip(f"{right}\n\n{reveal.question.explanation}", DESCRIPTION),
        colour=discord.Colour.green(),
    )
    winners = reveal.winners
    if not reveal.submissions:
        got = "Nobody answered."
    elif winners:
        shown = [f"{name(s.name)} (+{s.points})" for s in winners]
        got = ", ".join(shown) + f" — {len(winners)} of {len(reveal.submissions)} right"
        if len(got) > FIELD_VALUE:  # a big class: name as many as fit
            tail = f" … — {len(winners)} of {len(reveal.submissions)} right"
            while shown and len(", ".join(shown)) + len(tail) > FIELD_VALUE:
                shown.pop()
            got = ", ".join(shown) + tail
    else:
        got = f"Nobody got it right ({len(reveal.submissions)} answered)."
    embed.add_field(name="Who got it", value=got, inline=False)
    cites = "\n".join(f"• {c}" for c in reveal.citations) or "—"
    embed.add_field(name=clip(f"From: {reveal.passage_title}", FIELD_NAME), value=clip(cites, FIELD_VALUE), inline=False)
    return embed


ENDINGS = {
    StopReason.COMPLETED: "Quiz over!",
    StopReason.IDLE: "Quiz stopped: two questions in a row went unanswered.",
    StopReason.STOPPED: "Quiz stopped.",
}


def scoreboard_embed(standings: list[Standing], reason: StopReason) -> discord.Embed:
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [
        f"{medals.get(s.rank, f'{s.rank}.')} {name(s.name)} — {s.points} points ({s.correct}/{s.answered} right)"
        for s in standings
    ]
    text = "\n".join(lines) or "No points scored."
    embed = discord.Embed(title=ENDINGS[reason], description=split_text(text, DESCRIPTION - 200)[0], colour=QUIZ_COLOUR)
    embed.set_footer(text="Missed questions are waiting in /review · /leaderboard for the server")
    return embed


def review_embed(card: ReviewCard, feedback: str | None = None) -> discord.Embed:
    embed = discord.Embed(title="Review", description=card.question.question, colour=QUIZ_COLOUR)
    if feedback:
        embed.description = clip(f"{feedback}\n\n**Next:** {card.question.question}", DESCRIPTION)
    for i, choice in enumerate(card.choices):
        embed.add_field(name=LETTERS[i], value=clip(choice, FIELD_VALUE), inline=False)
    embed.set_footer(text=f"Box {card.box} of {LAST_BOX} · right in the last box masters it")
    return embed


def review_done_embed(feedback: str) -> discord.Embed:
    return discord.Embed(title="Review", description=clip(f"{feedback}\n\nThat's all for now.", DESCRIPTION), colour=QUIZ_COLOUR)


def leaderboard_embeds(boards: Sequence[LeaderboardPage], title: str, empty: str) -> list[discord.Embed]:
    embeds = []
    for board in boards:
        lines = [
            f"**{rank}.** {name(row.user_name or row.user_key)} — {row.points} points ({row.correct}/{row.answered} right)"
            for rank, row in board.rows
        ]
        embed = discord.Embed(title=title, description="\n".join(lines) or empty, colour=QUIZ_COLOUR)
        embed.set_footer(text=f"Page {board.page + 1} of {len(boards)}")
        embeds.append(embed)
    return embeds


def progress_embed(display_name: str, p: Progress, status: DeckStatus) -> discord.Embed:
    embed = discord.Embed(title=f"Progress — {name(display_name)}", colour=QUIZ_COLOUR)
    if not p.answered:
        embed.description = "No quiz answers yet. Join a /quiz start in a channel!"
        return embed
    embed.description = (
        f"{p.correct}/{p.answered} right ({p.accuracy:.0%}) · {p.points} points\n"
        f"Streak: {p.day_streak} day(s) · {p.correct_streak} right in a row (best {p.best_correct_streak})"
    )
    by_topic = "\n".join(f"{topic_label(t.topic)}: {t.correct}/{t.answered} ({t.accuracy:.0%})" for t in p.topics)
    embed.add_field(name="By topic", value=clip(by_topic, FIELD_VALUE), inline=False)
    if p.weakest:
        embed.add_field(name="Weakest topics", value=clip(", ".join(topic_label(t.topic) for t in p.weakest), FIELD_VALUE),
                        inline=False)
    embed.add_field(name="Review", value=f"{status.due} due now · {status.waiting} waiting · {status.mastered} mastered",
                    inline=False)
    return embed


# ----- help ----------------------------------------------------------------------------------

HELP_TEXT = (
    "I answer questions about the Great Leap Forward (China, 1958–1962) by quoting my sourced notes, "
    "show disputed figures side by side, and say so when I have no sourced answer.",
    (
        "Talk to me",
        "Mention me in a channel (a reply to one of my answers too: keep the @mention in it), or write to me "
        "in a direct message. Follow-up questions keep the conversation going.",
    ),
    ("Something wrong?", "Press **Report a problem** under any answer; the curators read every report."),
)


def command_lines(commands: Iterable[tuple[str, str]]) -> str:
    """One line per command: ("ask", "Ask a question…"), ("quiz start", …), ("Ask the tutor", "") for menus."""
    lines = []
    for qualified, description in commands:
        if description:
            lines.append(f"`/{qualified}` — {description}")
        else:
            lines.append(f"right-click a message → Apps → **{qualified}**")
    return "\n".join(lines)


def help_embed(commands: Iterable[tuple[str, str]] = ()) -> discord.Embed:
    """The help text and every command the bot has (from its command tree, so none is left out)."""
    intro, *sections = HELP_TEXT
    blocks = [Block(intro), Block(sections[0][1], sections[0][0])]
    listed = command_lines(commands)
    if listed:
        blocks.append(Block(listed, "Commands"))
    blocks += [Block(v, n) for n, v in sections[1:]]
    return paginate("GLF Tutor — help", blocks, colour=INFO_COLOUR)[0]


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
