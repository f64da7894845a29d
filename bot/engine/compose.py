"""Compose: the chosen answer units become an Answer whose text fits in one message (2000 characters).

The text is built from blocks (a quoted unit with its citations, a disputed-figure block, the
follow-ups), and a citation is never cut. A further unit too long for the room left is shown as an
excerpt: the sentences that fit, those holding most of the question's words first, each left-out run
marked […]; its citations stay whole. A block that fits not even so is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.engine.answer import MAX_TEXT, Answer, CitedSource, DisputeView, EstimateView, QuotedPassage
from bot.engine.formatting import citation, figure
from bot.engine.records import Dispute, KnowledgeBase
from bot.engine.text import content_words, stem
from bot.engine.units import Unit

TOPIC_LABELS = {
    "launch": "the launch of the Great Leap Forward (1958)",
    "origins": "its origins and the break with the Soviet model",
    "communes": "the people's communes",
    "steel": "the backyard steel campaign",
    "agriculture": "farming policy and inflated harvests",
    "procurement": "grain procurement and exports",
    "pests": "the Four Pests campaign",
    "famine": "the famine of 1959-1961",
    "death_toll": "the death toll and why estimates differ",
    "politics": "the Lushan conference and Peng Dehuai",
    "aftermath": "the retreat and the aftermath (1960-1962)",
    "sino_soviet": "Sino-Soviet relations",
    "dams": "dams and water works, and the Banqiao disaster",
    "historiography": "how historians have studied it",
    "misconceptions": "common misconceptions",
    "overview": "the Great Leap Forward in brief",
}
MAX_ESTIMATES_IN_TEXT = 8
WHY_CHARS = (420, 200)  # characters of "why they differ": as much as fits, else a shorter one
WHY_IN_FULL = 1000  # ...and first, when that is what the question asks
DISPUTE_BLOCK = 1100  # the most a disputed-figure block may take of the message...
DISPUTE_BLOCK_EXPLAINED = 1600  # ...and when the question asks why the estimates differ
DISPUTE_BLOCK_MIN = 800  # room for a block of a few estimates and why they differ, kept when comparisons come first
NO_QUESTION = "Ask me a question about the Great Leap Forward (China, 1958–1962) or the famine it caused."

NO_QUOTE = (
    "I have no sourced quotation for that, so I won't put words in anyone's mouth. My sources quote only what "
    "they record being said or written."
)
NO_PAGE = (
    "The sources I have for that give no page I have checked, so I won't cite one: a page number I cannot "
    "vouch for is worse than none."
)
NOT_ENGLISH = (
    "I read questions in English, so I have no sourced answer to that one (I know the Chinese names of the terms"
    " I cover, such as 大跃进). Try asking in English."
)
CITATION_LINE = "— "  # a unit's citations: the line that starts so
OMITTED = "[…]"  # where an excerpt leaves sentences out
# A sentence ends at . ! ? before a space and a capital, a digit or an opening quote or bracket
# ("4.2 million" and "c. 1959" do not end one).
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(\[])")


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic.replace("_", " "))


def quote_block(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def unit_view(
    kb: KnowledgeBase, unit: Unit, score: float, shown: frozenset[str] | None = None, text: str | None = None
) -> QuotedPassage:
    """`shown`: for a disputed figure, the sources of the estimates its block shows (it cites those only);
    `text`: the excerpt shown, when not the whole text."""
    refs = unit.sources if shown is None else [ref for ref in unit.sources if ref.id in shown]
    cited = tuple(CitedSource(ref.id, citation(kb.sources[ref.id], ref)) for ref in refs)
    return QuotedPassage(
        unit.id,
        unit.title,
        round(score, 4),
        unit.text if text is None else text,
        cited,
        unit.kind,
        unit_heading(kb, unit),
        primary_quote(kb, unit) if text is None else "",
    )


def excerpt(text: str, asked: frozenset[str], room: int) -> str | None:
    """`text` cut to at most `room` characters of whole sentences, in their own order, each left-out run
    marked […]: the sentences holding most of the `asked` stems are kept first, then the earliest.
    None when it would hold neither the opening sentence nor one with an asked word (a stray middle
    sentence says little on its own)."""
    sentences, stems = _sentences(text), _sentence_stems(text)
    held = [len(asked & sentence) for sentence in stems]
    keep: list[int] = []
    for i in sorted(range(len(sentences)), key=lambda i: (-held[i], i)):
        if len(_joined(sentences, [*keep, i])) <= room:
            keep.append(i)
    return _joined(sentences, keep) if any(i == 0 or held[i] for i in keep) else None


@lru_cache(maxsize=2048)
def _sentence_stems(text: str) -> tuple[frozenset[str], ...]:
    """Each sentence's stems (read once per unit: its text is the same at every answer)."""
    return tuple(frozenset(map(stem, content_words(x))) for x in _sentences(text))


def _joined(sentences: Sequence[str], keep: list[int]) -> str:
    parts: list[str] = []
    last = -1
    for i in sorted(keep):
        if i != last + 1:
            parts.append(OMITTED)
        parts.append(sentences[i])
        last = i
    if last != len(sentences) - 1:
        parts.append(OMITTED)
    return " ".join(parts)


def unit_heading(kb: KnowledgeBase, unit: Unit) -> str:
    """A unit's title as shown: a glossary term with its Chinese, a timeline event marked as one."""
    if unit.kind == "glossary":
        return kb.glossary_by_id[unit.id].heading
    if unit.kind == "timeline":
        return f"Timeline: {unit.title}"
    return unit.title


def primary_quote(kb: KnowledgeBase, unit: Unit) -> str:
    """A passage's primary-source quotation with its citation ("" for other units and passages without one)."""
    passage = kb.passages_by_id[unit.id] if unit.kind == "passage" else None
    if passage is None or passage.quote is None:
        return ""
    src = kb.sources[passage.quote.source.id]
    return f"“{passage.quote.text}” — quoted from {citation(src, passage.quote.source, journal=False)}"


def quoted_block(heading: str, text: str, quote: str, citations: str) -> str:
    """A unit as every front end shows it: its heading, its text as a quotation, a primary quote, the citations."""
    lines = [f"**{heading}**", quote_block(text)]
    if quote:
        lines.append(f"> {quote}")
    lines.append(f"{CITATION_LINE}{citations}")
    return "\n".join(lines)


def unit_block(kb: KnowledgeBase, unit: Unit, text: str | None = None) -> str:
    """A quoted unit in the answer's text (`text`: an excerpt of its text instead, shown without the primary quote)."""
    cites = "; ".join(citation(kb.sources[r.id], r, journal=False) for r in unit.sources)
    quote = primary_quote(kb, unit) if text is None else ""
    return quoted_block(unit_heading(kb, unit), unit.text if text is None else text, quote, cites)


def dispute_view(dispute: Dispute) -> DisputeView:
    ests = sorted(dispute.estimates, key=lambda e: (e.key, e.year))
    return DisputeView(
        dispute.id,
        dispute.question,
        dispute.unit,
        tuple(EstimateView(e.by, e.year, e.source, e.value, e.low, e.high, e.method, figure(e, dispute.unit)) for e in ests),
        dispute.why_they_differ,
    )


def spread(items: Sequence, n: int) -> list:
    """n items spread evenly from first to last (always both ends)."""
    if len(items) <= n:
        return list(items)
    if n < 2:
        return list(items[:n])
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


@lru_cache(maxsize=2048)
def _sentences(text: str) -> tuple[str, ...]:
    """A text's sentences (split once: a dispute block is tried at several sizes, a unit excerpted at each answer)."""
    return tuple(SENTENCE_END.split(text.strip()))


def leading_sentences(text: str, limit: int) -> str:
    """Whole sentences from the start, as many as fit in `limit` characters (at least one)."""
    out = ""
    for sentence in _sentences(text):
        if out and len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out


def _named(view: DisputeView, asked: frozenset[str]) -> tuple[EstimateView, ...]:
    """The estimates by people the question names ("dikotter vs yang"), not whom they are reported by."""
    if not asked:
        return ()
    return tuple(e for e in view.estimates if asked & _name_words(e.by))


@lru_cache(maxsize=1024)
def _name_words(by: str) -> frozenset[str]:
    """The words of who made an estimate, without "(as reported by ...)"."""
    return frozenset(content_words(by.split("(")[0]))


def _shown(view: DisputeView, n: int, named: tuple[EstimateView, ...]) -> list[EstimateView]:
    """n estimates: those by people the question names, then others spread from lowest to highest."""
    named = named[:n]
    rest = [e for e in view.estimates if e not in named]
    picked = {id(e) for e in (*named, *spread(rest, n - len(named)))}
    return [e for e in view.estimates if id(e) in picked]


def _why_line(view: DisputeView, why_chars: int) -> str:
    return f"Why they differ: {leading_sentences(view.why_they_differ, why_chars)}"


def _estimate_lines(
    view: DisputeView, max_estimates: int, superlative: str | None, named: tuple[EstimateView, ...]
) -> tuple[list[str], list[EstimateView]]:
    """A dispute block's lines before its explanation, and the estimates they show."""
    shown = _shown(view, max_estimates, named)
    lines = [f"⚖️ **Disputed figure — {view.question}**"]
    if superlative == "high":
        top = view.estimates[-1]
        lines.append(f"The highest estimate here: **{top.label}**, {top.by} ({top.year}).")
    elif superlative == "low":
        bottom = view.estimates[0]
        lines.append(f"The lowest estimate here: **{bottom.label}**, {bottom.by} ({bottom.year}).")
    lines += [f"• {e.label} — {e.by} ({e.year})" for e in shown]
    if len(shown) < len(view.estimates):
        ends = shown[0] is view.estimates[0] and shown[-1] is view.estimates[-1]
        more = len(view.estimates) - len(shown)
        lines.append(f"• …and {more} more estimate{'s' if more != 1 else ''}{' between these' if ends else ''}.")
    if superlative == "high":
        shown = [*shown, view.estimates[-1]]
    elif superlative == "low":
        shown = [*shown, view.estimates[0]]
    return lines, shown


def followup_unit(followups: Sequence[str]) -> str:
    return "**You could ask next:**\n" + "\n".join(f"• {q}" for q in followups)


def _fit_dispute(
    view: DisputeView, budget: int, superlative: str | None, asked: frozenset[str], explain: bool = False
) -> tuple[str, frozenset[str]] | None:
    """The fullest dispute block that fits: fewer estimates and a shorter explanation if need be (when the
    question asks why the estimates differ, the whole explanation first); with the sources of the
    estimates it shows."""
    named = _named(view, asked)
    for n in (MAX_ESTIMATES_IN_TEXT, 6, 4, 3, 2):
        lines, shown = _estimate_lines(view, n, superlative, named)
        size = sum(len(line) + 1 for line in lines)  # each line and the newline after it
        for why_chars in ((WHY_IN_FULL, *WHY_CHARS) if explain else WHY_CHARS):
            why = _why_line(view, why_chars)
            if size + len(why) <= budget:
                return "\n".join([*lines, why]), frozenset(e.source for e in shown)
    return None


def compose(
    kb: KnowledgeBase,
    question: str,
    scored: Sequence[tuple[Unit, float]],
    disputes: Sequence[DisputeView],
    followups: Sequence[str],
    superlative: str | None = None,
    explain: bool = False,
    compared: bool = False,
) -> Answer:
    """Budget order: the best unit, the disputed figures, further units, then follow-ups; for a comparison
    (`compared`: a unit per thing compared), the further units before the disputed figures, which keep room
    for a short block.

    A dispute unit among `scored` is shown as its disputed-figure block (it is in `disputes`)."""
    sep = 2  # the blank line between blocks
    budget = MAX_TEXT
    quoted = [(u, sc, unit_block(kb, u)) for u, sc in scored if u.kind != "dispute"]
    dispute_units = [(u, sc) for u, sc in scored if u.kind == "dispute"]
    chosen: list[tuple[Unit, float]] = []
    blocks: list[str] = []
    lead_is_dispute = bool(scored) and scored[0][0].kind == "dispute"
    if quoted and not lead_is_dispute:
        first = quoted[0]
        chosen.append(first[:2])
        blocks.append(first[2])
        budget -= len(first[2])
    follow = followup_unit(followups) if followups else ""
    reserve = len(follow) + sep if follow else 0
    dispute_blocks, shown_views, cited = [], [], {}
    asked = frozenset(w for w in content_words(question) if len(w) > 2)
    cap = DISPUTE_BLOCK_EXPLAINED if explain else DISPUTE_BLOCK
    further = quoted[0 if lead_is_dispute else 1 :]
    asked_stems = frozenset(map(stem, asked))
    excerpts: dict[str, str] = {}  # unit key -> the excerpt of its text shown

    def place_further(room: int) -> None:
        """The further units that fit, leaving `room` characters: whole, else as an excerpt."""
        nonlocal budget
        for u, sc, block in further:
            free = budget - room - sep
            if len(block) > free:
                # The block around a one-line excerpt: title, "> " and the citations.
                cut = excerpt(u.text, asked_stems, free - len(unit_block(kb, u, "")) - len("> "))
                block = unit_block(kb, u, cut) if cut is not None else ""
                if cut is not None:
                    excerpts[u.key] = cut
            if block and len(block) + sep <= budget - room:
                chosen.append((u, sc))
                blocks.append(block)
                budget -= len(block) + sep

    if compared:  # the other things compared first, leaving the disputed figure room for a short block
        place_further(DISPUTE_BLOCK_MIN + sep if disputes else 0)
    for view in disputes:
        fitted = _fit_dispute(view, min(cap, budget - reserve - sep), superlative, asked, explain)
        if fitted is None:  # the rival estimates matter more than suggested questions
            fitted = _fit_dispute(view, min(cap, budget - sep), superlative, asked, explain)
        if fitted is not None:
            block, cited[view.id] = fitted
            dispute_blocks.append(block)
            shown_views.append(view)
            budget -= len(block) + sep
    chosen += [(u, sc) for u, sc in dispute_units if u.id in {v.id for v in shown_views}]
    if not compared:
        place_further(reserve)
    if lead_is_dispute:
        parts = dispute_blocks + blocks
    elif compared:  # the things compared side by side, then the disputed figure
        parts = blocks + dispute_blocks
    else:
        parts = blocks[:1] + dispute_blocks + blocks[1:]
    if follow and len(follow) + sep <= budget:
        parts.append(follow)
    else:
        followups = ()
    return Answer(
        question=question,
        abstained=False,
        text="\n\n".join(parts),
        passages=tuple(
            unit_view(kb, u, sc, cited.get(u.id) if u.kind == "dispute" else None, excerpts.get(u.key)) for u, sc in chosen
        ),
        disputes=tuple(shown_views),
        followups=tuple(followups),
    )


def outside_scope(subject: str) -> str:
    return (
        f"That question is about {subject}. I cover that only where it bears on the Great Leap Forward "
        "(China, 1958–1962) and its famine, so I have no sourced answer to give."
    )


def abstain(question: str, topics: Sequence[str], suggestions: Sequence[str], reason: str | None = None) -> Answer:
    lines = [reason or "I don't have a sourced answer to that in my knowledge base, so I won't guess."]
    if topics:
        lines.append("I can tell you about: " + "; ".join(topic_label(t) for t in topics) + ".")
    text = "\n".join(lines)
    if suggestions:
        text += "\n\n" + followup_unit(suggestions)
    return Answer(question=question, abstained=True, text=text[:MAX_TEXT], followups=tuple(suggestions), topics=tuple(topics))
