"""Answer units: every record kind the tutor can answer from, in one shape.

A passage is quoted; a glossary entry answers "who was…" and "what does … mean"; a timeline event
"when did…"; a dispute gives the estimates side by side; a series point gives a figure for one year.
Each unit carries its own sources, so whatever answers can be cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.formatting import number, readable_date
from bot.engine.records import KnowledgeBase, SourceRef

KINDS = ("passage", "glossary", "timeline", "dispute", "series")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_SPAN = re.compile(r"\b(?:between\s+(1[89]\d\d|20\d\d)\s+and|(1[89]\d\d|20\d\d)\s*(?:-|–|—|to|until|through))\s*(\d{4}|\d{2})\b")
# A number that is not a year ("26,000", "10.7", "90 million", "a third", "30%").
_AMOUNT = re.compile(
    r"\b(?!(?:1[5-9]|20)\d\d\b)\d[\d,.]*\b|\b(million|billion|thousand|hundred|percent|per cent|half|third|quarter)s?\b|%"
)
_WHY = re.compile(r"\bwhy\b|\bcaus|\breasons?\b", re.I)  # a title or question asking why
_SAYING = re.compile(
    r"\b(said|says|told|wrote|writes|called|calls|declared|remarked|argued|argues|admitted|complained|described|"
    r"denounced|dismissed|blamed|attributed|claimed|insisted|warned|praised|criticised|criticized|quoted)\b|[\"“]"
)
_PRESENT = re.compile(
    r"\b(today|nowadays|to this day|still|remains?|present-day|no longer|has been|have been|is (banned|censored|available))\b",
    re.I,
)


def years_in(text: str) -> frozenset[int]:
    """Every year a text speaks of: named ones and those inside spans ("1959-61", "1958 to 1962")."""
    years = {int(y) for y in _YEAR.findall(text)}
    for m in _SPAN.finditer(text):
        start = int(m.group(1) or m.group(2))
        end = int(m.group(3)) if len(m.group(3)) == 4 else start // 100 * 100 + int(m.group(3))
        if start < end <= start + 30:
            years.update(range(start, end + 1))
    return frozenset(years)


@dataclass(frozen=True)
class Unit:
    key: str  # "<kind>:<id>", unique across kinds
    kind: str
    id: str
    title: str
    text: str  # what a student reads
    meta: str  # what the unit is about: title, questions, keywords, aliases (weighs more in search)
    sources: tuple[SourceRef, ...]
    topic: str | None = None
    years: frozenset[int] = frozenset()
    disputes: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    quote: str = ""  # more searchable text: a passage's primary-source quotation, a dispute's methods
    person: bool = False  # a glossary entry for a person: what "who ran it?" is answered with

    @property
    def speaks_of_present(self) -> bool:
        """The unit says something of today (how the famine is remembered, what is still banned)."""
        return bool(_PRESENT.search(self.text))

    @property
    def explains(self) -> bool:
        """The unit says why: its title, or most of the questions it answers, ask why or for causes."""
        return bool(_WHY.search(self.title)) or 2 * sum(1 for q in self.questions if _WHY.search(q)) > max(1, len(self.questions))

    @property
    def reports(self) -> bool:
        """The unit reports someone's words: a quotation, or a verb of saying."""
        return bool(self.quote) or bool(_SAYING.search(self.text))

    @property
    def states_amount(self) -> bool:
        """The unit gives a figure: a disputed one, a series value, or a number in its text."""
        return bool(self.disputes) or self.kind == "series" or bool(_AMOUNT.search(self.text))


def build_units(kb: KnowledgeBase) -> tuple[Unit, ...]:
    return (*_passages(kb), *_glossary(kb), *_timeline(kb), *_disputes(kb), *_series(kb))


def _passages(kb: KnowledgeBase):
    for p in kb.passages:
        quote = p.quote.text if p.quote else ""
        meta = " ".join([p.title, *p.questions, *p.keywords, *p.aliases])
        years = years_in(" ".join([p.title, p.text, quote]))
        if p.period:
            years |= frozenset(range(p.period[0], p.period[1] + 1))
        yield Unit(
            f"passage:{p.id}", "passage", p.id, p.title, p.text, meta, p.sources, p.topic, years, p.disputes, p.questions, quote
        )


# The definitional questions a glossary entry answers, by its kind ("who was Peng Dehuai?").
GLOSSARY_QUESTIONS = {
    "person": ("Who was {}?",),
    "place": ("What is {}?", "Where is {}?"),
    "event": ("What was {}?",),
    "term": ("What does {} mean?", "What is {}?"),
    "work": ("What is {}?",),
    "organisation": ("What is {}?",),
}


# A person's life dates in an entry ("Marshal (1898-1974), ..."): it answers when they were born and died.
LIFE_DATES = re.compile(r"\((?:c\. ?)?1[89]\d\d ?[-–] ?(?:c\. ?)?(?:1[89]|20)\d\d\)")
LIFE_QUESTIONS = ("When was {} born?", "When did {} die?")


def _glossary(kb: KnowledgeBase):
    for g in kb.glossary:
        meta = " ".join([g.term, *g.aliases, g.chinese or ""])
        asked = tuple(q.format(g.term) for q in GLOSSARY_QUESTIONS.get(g.kind or "term", ()))
        if g.kind == "person" and LIFE_DATES.search(g.definition):
            asked += tuple(q.format(g.term) for q in LIFE_QUESTIONS)
            meta += " born died"
        yield Unit(
            f"glossary:{g.id}",
            "glossary",
            g.id,
            g.term,
            g.definition,
            meta,
            g.sources,
            None,
            years_in(g.definition),
            questions=asked,
            person=g.kind == "person",
        )


def _timeline(kb: KnowledgeBase):
    for e in kb.timeline:
        title = readable_date(e.date)
        yield Unit(
            f"timeline:{e.id}", "timeline", e.id, title, e.event, f"{title} {e.event}", e.sources, None, frozenset({e.year})
        )


def _disputes(kb: KnowledgeBase):
    for d in kb.disputes.values():
        by = sorted({e.by for e in d.estimates})
        methods = " ".join(e.method or "" for e in d.estimates)
        sources = tuple(dict.fromkeys(SourceRef(e.source) for e in d.estimates))
        years = years_in(d.question)
        yield Unit(
            f"dispute:{d.id}",
            "dispute",
            d.id,
            d.question,
            d.why_they_differ,
            " ".join([d.question, *by]),
            sources,
            None,
            years,
            (d.id,),
            (),
            methods,
        )


def _series(kb: KnowledgeBase):
    """One unit per series and year: every line's value for that year, each with its source."""
    for s in kb.series.values():
        by_year: dict[int, list[tuple[str, float, SourceRef, str | None]]] = {}
        for line in s.lines:
            for pt in line.points:
                by_year.setdefault(pt.year, []).append((line.label, pt.value, SourceRef(pt.source), pt.note))
        subject = re.sub(r",?\s*\d{4}\s*[-–]\s*\d{4}.*$", "", s.title).strip()
        for year, values in sorted(by_year.items()):
            parts = [f"{label}: {number(v)} {s.unit}" + (f" ({note})" if note else "") for label, v, _, note in values]
            text = f"{subject} in {year}: " + "; ".join(parts) + "."
            title = f"{subject}, {year}"
            sources = tuple(dict.fromkeys(ref for _, _, ref, _ in values))
            # The questions a figure by year answers, so a student's "how much grain in 1960" finds it.
            asked = (f"What was {subject.lower()} in {year}?", f"How much {subject.lower()} was there in {year}?")
            yield Unit(
                f"series:{s.id}:{year}",
                "series",
                f"{s.id}:{year}",
                title,
                text,
                f"{s.title} {title} {s.unit}",
                sources,
                None,
                frozenset({year}),
                questions=asked,
            )
