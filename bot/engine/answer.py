"""The Answer: one type for every front end (terminal, JSON, Discord)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_TEXT = 2000  # what one Discord message can hold; every front end gets the same text


@dataclass(frozen=True)
class CitedSource:
    id: str
    citation: str


@dataclass(frozen=True)
class QuotedPassage:
    """One answer unit as shown: a passage, glossary entry, timeline event, dispute or series point."""

    id: str
    title: str
    score: float
    text: str
    sources: tuple[CitedSource, ...]
    kind: str = "passage"  # passage | glossary | timeline | dispute | series
    heading: str = ""  # the title as shown: a glossary term with its Chinese, "Timeline: …" (title if empty)
    quote: str = ""  # a passage's primary-source quotation with its citation, when its whole text is shown


@dataclass(frozen=True)
class EstimateView:
    by: str
    year: int
    source: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    method: str | None = None
    label: str = ""  # the figure as readers read it: "45 million", "43-46 million"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"by": self.by, "year": self.year, "source": self.source, "label": self.label}
        if self.value is not None:
            out["value"] = self.value
        else:
            out["low"], out["high"] = self.low, self.high
        if self.method:
            out["method"] = self.method
        return out


@dataclass(frozen=True)
class DisputeView:
    id: str
    question: str
    unit: str
    estimates: tuple[EstimateView, ...]
    why_they_differ: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "unit": self.unit,
            "estimates": [e.to_dict() for e in self.estimates],
            "why_they_differ": self.why_they_differ,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    abstained: bool
    text: str
    passages: tuple[QuotedPassage, ...] = ()
    disputes: tuple[DisputeView, ...] = ()
    followups: tuple[str, ...] = ()
    topics: tuple[str, ...] = field(default=(), compare=False)  # topics offered when abstaining

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "abstained": self.abstained,
            "text": self.text,
            "passages": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "score": p.score,
                    "text": p.text,
                    "sources": [asdict(s) for s in p.sources],
                }
                for p in self.passages
            ],
            "disputes": [d.to_dict() for d in self.disputes],
            "followups": list(self.followups),
        }
