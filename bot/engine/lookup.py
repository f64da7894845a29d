"""Look-ups answered straight from the knowledge base: a glossary entry, a disputed figure, the timeline, the
sources on a topic. Every front end (Discord's /fact, /dispute, /timeline, /sources; the terminal's) finds
them here, so a look-up behaves the same wherever it is typed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.engine.answer import Answer
from bot.engine.compose import topic_label
from bot.engine.records import Dispute, GlossaryEntry, KnowledgeBase, Source, TimelineEvent

MAX_MATCHES = 25  # Discord's limit on autocomplete choices; plenty for a terminal hint too


def fold(text: str) -> str:
    return " ".join(text.casefold().split())


def rank(needle: str, haystack: str) -> int | None:
    """0 exact, 1 prefix, 2 a word starts with it, 3 substring, None no match (`needle` already folded)."""
    h = fold(haystack)
    if not needle:
        return 3
    if h == needle:
        return 0
    if h.startswith(needle):
        return 1
    if any(w.startswith(needle) for w in h.split()):
        return 2
    return 3 if needle in h else None


def best_first(scored: Iterable[tuple[int, str, str]], limit: int = MAX_MATCHES) -> list[tuple[str, str]]:
    """(label, value) pairs, lowest rank first then alphabetical, each value once, at most `limit`."""
    seen: set[str] = set()
    out = []
    for _, label, value in sorted(scored, key=lambda t: (t[0], t[1].casefold())):
        if value not in seen:
            seen.add(value)
            out.append((label, value))
        if len(out) == limit:
            break
    return out


@dataclass
class Lookup:
    """`ask`: the tutor's answer to a question, to find a disputed figure typed in other words ("death toll")."""

    kb: KnowledgeBase
    ask: Callable[[str], Answer] | None = None

    # ----- glossary ---------------------------------------------------------------------------
    def glossary_matches(self, current: str) -> list[tuple[str, str]]:
        """Entries whose term or an alias matches what is typed: (label, entry id); an alias shows "alias → term"."""
        needle = fold(current)
        scored = []
        for entry in self.kb.glossary:
            names = [(entry.term, entry.term)] + [(alias, f"{alias} → {entry.term}") for alias in entry.aliases]
            ranks = [(r, label) for name, label in names if (r := rank(needle, name)) is not None]
            if ranks:
                best, label = min(ranks)
                scored.append((best, entry.term if best == rank(needle, entry.term) else label, entry.id))
        return best_first(scored)

    def find_entry(self, term: str) -> GlossaryEntry | None:
        """An entry id, else a term or alias typed in full, else the only partial match."""
        term = term.strip()
        if term in self.kb.glossary_by_id:
            return self.kb.glossary_by_id[term]
        matches = self.glossary_matches(term)
        if not matches:
            return None
        best = self.kb.glossary_by_id[matches[0][1]]
        exact = fold(term) in {fold(best.term), *map(fold, best.aliases)}
        return best if exact or len(matches) == 1 else None

    def near_entries(self, term: str, n: int = 5) -> list[str]:
        """A few entries starting like `term`, for a "did you mean" hint."""
        return [label for label, _ in self.glossary_matches(term.strip()[:3])[:n]]

    # ----- disputed figures -------------------------------------------------------------------
    def dispute_matches(self, current: str) -> list[tuple[str, str]]:
        needle = fold(current)
        scored = []
        for d in self.kb.disputes.values():
            ranks = [r for r in (rank(needle, d.question), rank(needle, d.id.replace("-", " "))) if r is not None]
            if ranks:
                scored.append((min(ranks), d.question, d.id))
        return best_first(scored)

    def find_dispute(self, topic: str) -> Dispute | None:
        """An id, else the first dispute whose question or id holds what is typed, else the one the tutor's
        answer to it leads with."""
        topic = topic.strip()
        if topic in self.kb.disputes:
            return self.kb.disputes[topic]
        if matches := self.dispute_matches(topic):
            return self.kb.disputes[matches[0][1]]
        answer = self.ask(topic) if self.ask is not None and topic else None
        return self.kb.disputes.get(answer.disputes[0].id) if answer is not None and answer.disputes else None

    # ----- timeline ---------------------------------------------------------------------------
    def timeline(self, year: int | None = None) -> list[TimelineEvent]:
        """Events in date order, all or one year's."""
        events = sorted(self.kb.timeline, key=lambda e: e.date)
        return events if year is None else [e for e in events if e.year == year]

    def timeline_span(self) -> str:
        years = sorted({e.year for e in self.kb.timeline})
        return f"{years[0]}–{years[-1]}" if years else "no years"

    # ----- sources ----------------------------------------------------------------------------
    def topic_matches(self, current: str) -> list[tuple[str, str]]:
        needle = fold(current)
        scored = []
        for topic in self.kb.topics:
            label = topic_label(topic)
            ranks = [r for r in (rank(needle, label), rank(needle, topic.replace("_", " "))) if r is not None]
            if ranks:
                scored.append((min(ranks), label, topic))
        return best_first(scored)

    def find_topic(self, topic: str) -> str | None:
        topic = topic.strip()
        if topic in self.kb.topics:
            return topic
        matches = self.topic_matches(topic)
        return matches[0][1] if matches else None

    def topic_sources(self, topic: str) -> list[Source]:
        """Every source the topic's passages cite, their primary quotations' included, in first-cited order."""
        ids: dict[str, None] = {}
        for p in self.kb.passages:
            if p.topic == topic:
                ids.update(dict.fromkeys(r.id for r in p.sources))
                if p.quote:
                    ids[p.quote.source.id] = None
        return [self.kb.sources[i] for i in ids if i in self.kb.sources]
