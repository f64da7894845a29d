"""Score the tutor on a question file (format: ../shared/eval/, DESIGN.md "Question files").

An item passes when: for `abstain: true`, the tutor abstained; otherwise it answered, every
`must_mention` group has one alternative in the answer text, and for `disputed: true` the answer
carries a dispute with at least two different estimates that also appear in the text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.engine.answer import Answer
from bot.engine.compose import CITATION_LINE, followup_unit


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    topic: str
    must_mention: tuple[tuple[str, ...], ...] = ()
    disputed: bool = False
    abstain: bool = False
    conversation: str | None = None
    turn: int = 0


@dataclass(frozen=True)
class Outcome:
    item: Item
    answer: Answer
    passed: bool
    groups_found: int
    missing: tuple[tuple[str, ...], ...]
    disputed_ok: bool


@dataclass
class Result:
    outcomes: list[Outcome] = field(default_factory=list)

    def _rate(self, items: list[Outcome], pred) -> float | None:
        return round(sum(1 for o in items if pred(o)) / len(items), 4) if items else None

    def figures(self) -> dict[str, Any]:
        singles = [o for o in self.outcomes if o.item.conversation is None]
        in_scope = [o for o in self.outcomes if not o.item.abstain]
        in_scope_singles = [o for o in singles if not o.item.abstain]
        abstain = [o for o in self.outcomes if o.item.abstain]
        disputed = [o for o in self.outcomes if o.item.disputed]
        followups = [o for o in self.outcomes if o.item.conversation is not None and o.item.turn > 0]
        groups = sum(len(o.item.must_mention) for o in in_scope)
        by_topic: dict[str, list[Outcome]] = defaultdict(list)
        for o in singles:
            by_topic[o.item.topic].append(o)
        conversations: dict[str, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if o.item.conversation is not None:
                conversations[o.item.conversation].append(o)
        return {
            "questions": len(singles),
            "conversation_turns": len(self.outcomes) - len(singles),
            "pass_rate": self._rate(self.outcomes, lambda o: o.passed),
            "in_scope_pass": self._rate(in_scope_singles, lambda o: o.passed),
            "must_mention_recall": round(sum(o.groups_found for o in in_scope) / groups, 4) if groups else None,
            "disputed_flagged": self._rate(disputed, lambda o: o.disputed_ok),
            "abstention_recall": self._rate(abstain, lambda o: o.answer.abstained),
            "false_abstention": self._rate(in_scope, lambda o: o.answer.abstained),
            "followup_pass": self._rate(followups, lambda o: o.passed),
            "conversation_pass": round(sum(all(o.passed for o in c) for c in conversations.values()) / len(conversations), 4)
            if conversations
            else None,
            "by_topic": {t: {"n": len(os), "pass": self._rate(os, lambda o: o.passed)} for t, os in sorted(by_topic.items())},
        }

    def to_dict(self) -> dict[str, Any]:
        return self.figures() | {
            "failures": [
                {
                    "id": o.item.id,
                    "question": o.item.question,
                    "abstained": o.answer.abstained,
                    "missing": [list(g) for g in o.missing],
                    "disputed_ok": o.disputed_ok,
                    "passages": [p.id for p in o.answer.passages],
                }
                for o in self.outcomes
                if not o.passed
            ]
        }


def _groups(raw: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(g, list) and g and all(isinstance(a, str) for a in g) for g in raw):
        raise QuestionFileError(f"{where}: must_mention must be a list of lists of text alternatives")
    return tuple(tuple(a.lower() for a in g) for g in raw)


def _item(raw: Any, where: str, topic: str | None = None, conversation: str | None = None, turn: int = 0) -> Item:
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        raise QuestionFileError(f"{where}: each item needs a 'question' (text)")
    for flag in ("disputed", "abstain"):
        if flag in raw and not isinstance(raw[flag], bool):
            raise QuestionFileError(f"{where}: '{flag}' must be true or false")
    ident = str(raw.get("id") or (f"{conversation}#{turn + 1}" if conversation else where))
    return Item(
        id=ident,
        question=raw["question"],
        topic=str(raw.get("topic") or topic or "unknown"),
        must_mention=_groups(raw.get("must_mention"), where),
        disputed=bool(raw.get("disputed")),
        abstain=bool(raw.get("abstain")),
        conversation=conversation,
        turn=turn,
    )


def load_question_file(path: Path) -> list[Item]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionFileError(f"cannot read question file: {exc}") from None
    if not isinstance(data, dict):
        raise QuestionFileError("expected a mapping with 'questions' and/or 'conversations'")
    items = [_item(q, f"questions[{i}]") for i, q in enumerate(data.get("questions") or [])]
    for i, conv in enumerate(data.get("conversations") or []):
        if not isinstance(conv, dict) or not isinstance(conv.get("turns"), list):
            raise QuestionFileError(f"conversations[{i}]: needs 'turns' (a list)")
        cid = str(conv.get("id") or f"conversation-{i}")
        items += [
            _item(t, f"conversations[{i}].turns[{j}]", topic=conv.get("topic", "conversation"), conversation=cid, turn=j)
            for j, t in enumerate(conv["turns"])
        ]
    return items


def disputed_ok(answer: Answer) -> bool:
    """At least two different estimates, given in the structured answer and visible in its text."""
    for dispute in answer.disputes:
        labels = {e.label for e in dispute.estimates if e.label in answer.text}
        if len(labels) >= 2:
            return True
    return False


def answer_body(answer: Answer) -> str:
    """What the answer says, without the questions it suggests asking next and without its citation lines:
    a suggestion or a cited title that names the right word ("Mao's Great Famine") is not an answer that
    gives it."""
    text = answer.text.replace(followup_unit(answer.followups), "") if answer.followups else answer.text
    return "\n".join(line for line in text.splitlines() if not line.startswith(CITATION_LINE))


def score(item: Item, answer: Answer) -> Outcome:
    text = answer_body(answer).lower()
    missing = tuple(g for g in item.must_mention if not any(a in text for a in g))
    found = len(item.must_mention) - len(missing)
    d_ok = disputed_ok(answer)
    if item.abstain:
        passed = answer.abstained
    else:
        passed = not answer.abstained and not missing and (d_ok or not item.disputed)
    return Outcome(item, answer, passed, found, missing, d_ok)


def evaluate(tutor, items: list[Item]) -> Result:
    result = Result()
    for item in items:
        conversation = f"eval:{item.conversation}" if item.conversation else None
        if conversation and item.turn == 0:
            tutor.memory.forget(conversation)
        result.outcomes.append(score(item, tutor.ask(item.question, conversation=conversation)))
    return result


SET_ORDER = (
    "tune", "tune2", "tune3", "tune4", "tune5", "tune6", "tune7", "tune8", "tune9", "tune10", "tune11", "tune12", "tune13",
    "tune14", "tune15", "tune16", "tune17", "tune18", "tune19", "tune20", "tune21", "tune22", "tune23", "tune24", "tune25",
    "validation", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9", "blind10", "blind11",
    "blind12",
)


def default_sets() -> list[Path]:
    """The checkout's question sets (tests/data/*_questions.yaml), tune first, then held-out ones."""
    data = Path(__file__).resolve().parents[2] / "tests" / "data"
    files = sorted(data.glob("*_questions.yaml")) if data.is_dir() else []
    rank = {name: i for i, name in enumerate(SET_ORDER)}
    return sorted(files, key=lambda f: (rank.get(f.stem.removesuffix("_questions"), len(rank)), f.name))


SUMMARY_ROWS = (
    ("in_scope_pass", "in-scope pass"),
    ("must_mention_recall", "must-mention recall"),
    ("disputed_flagged", "disputed ≥ 2 estimates"),
    ("abstention_recall", "should-refuse refused"),
    ("false_abstention", "false abstention"),
    ("followup_pass", "follow-up turns passed"),
    ("conversation_pass", "whole conversations"),
)


def summary(results: dict[str, Result]) -> str:
    """One column per question set: the figures only."""
    figs = {name: r.figures() for name, r in results.items()}
    names = list(figs)
    width = max(10, *(len(n) + 2 for n in names))
    head = f"{'':<24}" + "".join(f"{n:>{width}}" for n in names)
    sizes = f"{'questions + turns':<24}" + "".join(
        f"{f['questions']} + {f['conversation_turns']:<3}".rjust(width) for f in figs.values()
    )
    rows = [head, sizes]
    for key, label in SUMMARY_ROWS:
        cells = "".join(("n/a" if f[key] is None else f"{f[key]:.3f}").rjust(width) for f in figs.values())
        rows.append(f"{label:<24}{cells}")
    return "\n".join(rows)


def report(result: Result, failures: bool = True) -> str:
    f = result.figures()
    lines = []
    if failures:
        bad = [o for o in result.outcomes if not o.passed]
        if bad:
            lines.append(f"Failures ({len(bad)}):")
            for o in bad:
                why = []
                if o.item.abstain:
                    why.append("answered instead of abstaining")
                elif o.answer.abstained:
                    why.append("abstained")
                else:
                    if o.missing:
                        why.append("missing " + " & ".join("/".join(g) for g in o.missing))
                    if o.item.disputed and not o.disputed_ok:
                        why.append("no competing estimates")
                top = o.answer.passages[0].id if o.answer.passages else "-"
                lines.append(f"  {o.item.id}: {o.item.question!r} — {', '.join(why)} (top passage: {top})")
            lines.append("")
        lines.append("By topic:")
        for topic, t in f["by_topic"].items():
            lines.append(f"  {topic:<20} {t['pass']:.2f}  (n={t['n']})")
        lines.append("")

    def pct(key: str) -> str:
        return "n/a" if f[key] is None else f"{f[key]:.3f}"

    lines += [
        f"questions: {f['questions']} + {f['conversation_turns']} conversation turns; overall pass {pct('pass_rate')}",
        f"in-scope pass:          {pct('in_scope_pass')}",
        f"must-mention recall:    {pct('must_mention_recall')}",
        f"disputed figures shown: {pct('disputed_flagged')}",
        f"abstention recall:      {pct('abstention_recall')}",
        f"false abstention:       {pct('false_abstention')}",
        f"follow-up pass:         {pct('followup_pass')}  (whole conversations: {pct('conversation_pass')})",
    ]
    return "\n".join(lines)
