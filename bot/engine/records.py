"""Domain records of the knowledge base (plain, frozen data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

# How a method note says its figure is a minimum ("a minimum of 45 million", "at least one million").


@dataclass(frozen=True)
class Source:
    id: str
    author: str
    title: str
    year: int
    kind: str
    publisher: str | None = None
    journal: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SourceRef:
    id: str
    pages: str | None = None


@dataclass(frozen=True)
class Quote:
    text: str
    source: SourceRef


@dataclass(frozen=True)
class Passage:
    id: str
    topic: str
    title: str
    text: str
    sources: tuple[SourceRef, ...]
    questions: tuple[str, ...] = ()  # questions students type that this passage answers
    quote: Quote | None = None
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    disputes: tuple[str, ...] = ()
    period: tuple[int, int] | None = None

    @property
    def question(self) -> str | None:
        """The passage's main question (the first of `questions`)."""
        return self.questions[0] if self.questions else None


@dataclass(frozen=True)
class Estimate:
    by: str
    source: str
    year: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    method: str | None = None
    at_least: bool = False  # `at_least: true`: the value is a minimum ("at least 45 million")

    @property
    def lower_bound(self) -> bool:
        """A single value given as a minimum (marked `at_least: true`)."""
        return self.value is not None and self.at_least

    @property
    def key(self) -> tuple[float, float]:
        """Comparable (low, high); a point value is a zero-width range."""
        if self.value is not None:
            return (self.value, self.value)
        return (self.low, self.high)  # type: ignore[return-value]


@dataclass(frozen=True)
class Dispute:
    id: str
    question: str
    unit: str
    estimates: tuple[Estimate, ...]
    why_they_differ: str


@dataclass(frozen=True)
class GlossaryEntry:
    id: str
    term: str
    definition: str
    sources: tuple[SourceRef, ...]
    aliases: tuple[str, ...] = ()
    chinese: str | None = None
    kind: str | None = None  # person | place | event | term | work | organisation

    @property
    def heading(self) -> str:
        """The term as every front end heads it: with its Chinese, when known."""
        return f"{self.term} ({self.chinese})" if self.chinese else self.term


@dataclass(frozen=True)
class TimelineEvent:
    id: str
    date: str
    event: str
    sources: tuple[SourceRef, ...]
    milestone: bool = False  # one of its year's few key events: what "what happened in 1960?" is answered with

    @property
    def year(self) -> int:
        return int(self.date[:4])


@dataclass(frozen=True)
class QuizQuestion:
    id: str
    question: str
    choices: tuple[str, ...]
    answer: str
    explanation: str
    passage: str
    difficulty: str = "medium"
    topic: str | None = None


@dataclass(frozen=True)
class SeriesPoint:
    year: int
    value: float
    source: str
    note: str | None = None


@dataclass(frozen=True)
class SeriesLine:
    name: str
    label: str
    points: tuple[SeriesPoint, ...]


@dataclass(frozen=True)
class Series:
    id: str
    title: str
    unit: str
    lines: tuple[SeriesLine, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    sources: dict[str, Source]
    passages: tuple[Passage, ...]
    disputes: dict[str, Dispute]
    glossary: tuple[GlossaryEntry, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    quiz: tuple[QuizQuestion, ...] = ()
    series: dict[str, Series] = field(default_factory=dict)

    @cached_property
    def passages_by_id(self) -> dict[str, Passage]:
        return {p.id: p for p in self.passages}

    @cached_property
    def glossary_by_id(self) -> dict[str, GlossaryEntry]:
        return {g.id: g for g in self.glossary}

    @cached_property
    def timeline_by_id(self) -> dict[str, TimelineEvent]:
        return {e.id: e for e in self.timeline}

    @cached_property
    def topics(self) -> list[str]:
        return sorted({p.topic for p in self.passages})
