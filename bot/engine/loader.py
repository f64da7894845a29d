"""Load knowledge/ and validate all of it, reporting every problem at once.

Each problem names the file, the record (id, else its position) and the line, so a curator can go
straight to it. References (sources, disputes, passages) are checked after every file is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.engine.records import (
    Dispute,
    Estimate,
    GlossaryEntry,
    KnowledgeBase,
    Passage,
    QuizQuestion,
    Quote,
    Series,
    SeriesLine,
    SeriesPoint,
    Source,
    SourceRef,
    TimelineEvent,
)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")
SOURCE_KINDS = ("book", "article", "primary", "reference", "report")
DIFFICULTIES = ("easy", "medium", "hard")
GLOSSARY_KINDS = ("person", "place", "event", "term", "work", "organisation")
MAX_QUESTIONS = 6
MAX_PASSAGE_CHARS = 800
YEARS = (1800, 2100)
LINE_KEY = "__line__"


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: [{self.record}] {self.message}"


class KnowledgeError(Exception):
    """The knowledge base is broken; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n" + "\n".join(map(str, problems)))


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader that remembers each mapping's line and refuses duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):  # `? {a: 1}` or `[a]: x`: YAML allows it, a record cannot use it
                raise yaml.constructor.ConstructorError(
                    None, None, f"a key must be a plain name, not {_type_name(key)}", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        mapping = super().construct_mapping(node, deep=True)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def default_knowledge_dir() -> Path:
    """The copy shipped inside the package, else the checkout's knowledge/ (editable installs)."""
    here = Path(__file__).resolve().parent.parent
    shipped = here / "knowledge"
    return shipped if shipped.is_dir() else here.parent / "knowledge"


YAML_SUFFIXES = (".yaml", ".yml")


def checkout_knowledge_dir(start: Path | None = None) -> Path | None:
    """The knowledge/ of the glf-tutor checkout that contains `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if not (pyproject.is_file() and (folder / "knowledge").is_dir()):
            continue
        try:
            text = pyproject.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if re.search(r'^name\s*=\s*"glf-tutor"', text, re.M):
            return folder / "knowledge"
    return None


def knowledge_files(root: Path) -> dict[str, bytes]:
    """Every YAML file under `root`, by relative path: what the loader reads."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.suffix in YAML_SUFFIXES and path.is_file()
    }


def same_knowledge(a: Path, b: Path) -> bool:
    """True when both directories hold the same YAML files with the same bytes."""
    try:
        return a.resolve() == b.resolve() or knowledge_files(a) == knowledge_files(b)
    except OSError:
        return False


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a true/false value (YAML reads unquoted yes/no/on/off/true/false that way: quote it)"
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", int: "a number", float: "a number", str: "text"}.get(
        type(value), type(value).__name__
    )


class _Record:
    """Typed, problem-collecting access to one raw record."""

    def __init__(
        self,
        checker: _Checker,
        file: str,
        raw: dict,
        position: int,
        allowed: Iterable[str],
        parent: _Record | None = None,
        prefix: str = "",
    ):
        self.checker, self.file, self.raw, self.prefix = checker, file, raw, prefix
        self.line = raw.get(LINE_KEY) or (parent.line if parent else None)
        rid = raw.get("id")
        if parent is not None:
            self.name = parent.name
        else:
            self.name = rid if isinstance(rid, str) and rid else f"record #{position}"
        for key in raw:
            if key != LINE_KEY and key not in allowed:
                self.problem(f"unknown field '{key}' (allowed: {', '.join(allowed)})")

    def problem(self, message: str) -> None:
        self.checker.problems.append(Problem(self.file, self.name, self.line, self.prefix + message))

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if required:
                self.problem(f"missing required field '{key}'")
            return None
        return self.raw[key]

    def text(self, key: str, required: bool = True, max_len: int | None = None) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key in ("pages", "date"):
            value = str(value)
        if not isinstance(value, str):
            self.problem(f"'{key}' must be text, got {_type_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.problem(f"'{key}' is empty")
            return None
        if max_len and len(value) > max_len:
            self.problem(f"'{key}' is {len(value)} characters long (at most {max_len})")
        return value

    def flag(self, key: str) -> bool:
        """An optional yes/no field (false when absent)."""
        value = self._get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(f"'{key}' must be true or false, got {_type_name(value)}")
            return False
        return value

    def ident(self) -> str | None:
        value = self.text("id")
        if value is not None and not ID_RE.match(value):
            self.problem(f"id '{value}' must be lowercase-kebab (letters, digits, single hyphens)")
        return value

    def integer(self, key: str, required: bool = True, bounds: tuple[int, int] = YEARS) -> int | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"'{key}' must be a whole number, got {_type_name(value)}")
            return None
        if not bounds[0] <= value <= bounds[1]:
            self.problem(f"'{key}' is {value}, outside {bounds[0]}-{bounds[1]}")
        return value

    def number(self, key: str, required: bool = True) -> float | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(f"'{key}' must be a number, got {_type_name(value)}")
            return None
        if value < 0:
            self.problem(f"'{key}' must not be negative")
        return float(value)

    def choice(self, key: str, options: tuple[str, ...], required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in options:
            self.problem(f"'{key}' is '{value}', expected one of: {', '.join(options)}")
            return None
        return value

    def text_list(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(f"'{key}' must be a list, got {_type_name(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)  # a year as a keyword is fine; yes/no turned boolean is not
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
            else:
                self.problem(f"'{key}[{i}]' must be non-empty text, got {_type_name(item)}")
        return tuple(out)

    def source_ref(self, value: Any, where: str) -> SourceRef | None:
        if isinstance(value, str):
            value = {"id": value}
        if not isinstance(value, dict):
            self.problem(f"'{where}' must be a mapping with 'id' (and optional 'pages'), got {_type_name(value)}")
            return None
        unknown = [k for k in value if k not in ("id", "pages", LINE_KEY)]
        if unknown:
            self.problem(f"'{where}' has unknown field(s): {', '.join(map(str, unknown))}")
        sid, pages = value.get("id"), value.get("pages")
        if not isinstance(sid, str) or not sid:
            self.problem(f"'{where}.id' must be a source id, got {_type_name(sid)}")
            return None
        if pages is not None and (isinstance(pages, bool) or not isinstance(pages, (str, int))):
            self.problem(f"'{where}.pages' must be text, got {_type_name(pages)}")
            pages = None
        self.checker.expect("source", sid, self, where)
        return SourceRef(sid, str(pages) if pages is not None else None)

    def source_refs(self, key: str, required: bool = True) -> tuple[SourceRef, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or (required and not value):
            self.problem(f"'{key}' must be a non-empty list of sources")
            return ()
        refs = (self.source_ref(item, f"{key}[{i}]") for i, item in enumerate(value))
        return tuple(r for r in refs if r is not None)


class _Checker:
    """Collects problems and cross-references across all files."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.ids: dict[str, dict[str, str]] = {}  # kind -> id -> file
        self._expected: list[tuple[str, str, _Record, str]] = []
        self.works: dict[tuple[str, int, str], str] = {}  # (author, year, title) -> source id
        self.questions: dict[str, str] = {}  # normalised passage question -> passage id
        self.unreadable: dict[str, list[str]] = {}  # kind -> "file is missing" etc. for files defining it that failed

    def expect(self, kind: str, ident: str, record: _Record, where: str) -> None:
        self._expected.append((kind, ident, record, where))

    def register(self, kind: str, ident: str | None, record: _Record) -> None:
        if ident is None:
            return
        seen = self.ids.setdefault(kind, {})
        if ident in seen:
            record.problem(f"duplicate {kind} id '{ident}' (also in {seen[ident]})")
        else:
            seen[ident] = record.file

    def resolve(self) -> None:
        """Report each reference to an id that does not exist. When the file defining a kind could not
        be read (missing, invalid YAML), its references are not listed one by one: they would bury the
        one real problem under hundreds of lines. One line says how many were left unchecked."""
        where_defined = {"source": "sources.yaml", "dispute": "disputes.yaml", "passage": "passages/"}
        unchecked: dict[str, list[_Record]] = {}
        for kind, ident, record, where in self._expected:
            if ident in self.ids.get(kind, {}):
                continue
            if kind in self.unreadable:
                unchecked.setdefault(kind, []).append(record)
            else:
                record.problem(f"'{where}' refers to unknown {kind} '{ident}' (not in {where_defined[kind]})")
        for kind, records in unchecked.items():
            files = sorted({r.file for r in records})
            shown = ", ".join(files[:4]) + (f" and {len(files) - 4} more" if len(files) > 4 else "")
            broken = "; ".join(self.unreadable[kind])
            self.problems.append(Problem(
                self.unreadable[kind][0].split(" ")[0], "references", None,
                f"{len(records)} reference(s) to {kind}s in {shown} not checked one by one, because {broken}"
                " (the problem above); fix that first",
            ))

    def unreadable_file(
        self, kind: str | None, rel: str, line: int | None, message: str, reason: str = "could not be read"
    ) -> list:
        """A file whose records are all lost; references to the kind it defines are then summarised."""
        self.problems.append(Problem(rel, "file", line, message))
        if kind is not None:
            self.unreadable.setdefault(kind, []).append(f"{rel} {reason}")
        return []

    def read(self, path: Path, root: Path, kind: str | None = None) -> list[tuple[int, dict]]:
        rel = path.relative_to(root).as_posix()
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
        except UnicodeDecodeError as exc:
            return self.unreadable_file(kind, rel, None, f"not UTF-8 text ({exc.reason})")
        except OSError as exc:
            return self.unreadable_file(kind, rel, None, f"cannot be read ({exc.strerror or exc})")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else None
            detail = getattr(exc, "problem", None) or str(exc)
            return self.unreadable_file(kind, rel, line, f"invalid YAML: {detail}", "is not valid YAML")
        if data is None:  # empty, or only comments: most likely a file cut short or not saved
            return self.unreadable_file(kind, rel, None, "the file is empty: expected a YAML list of records ([] for none)")
        if not isinstance(data, list):
            return self.unreadable_file(kind, rel, None, f"must be a YAML list of records, got {_type_name(data)}")
        out = []
        for i, raw in enumerate(data, start=1):
            if isinstance(raw, dict):
                out.append((i, raw))
            else:
                self.problems.append(Problem(rel, f"record #{i}", None, f"must be a mapping, got {_type_name(raw)}"))
        return out


# The kind of id each top-level file defines (references to it are checked against that file).
DEFINES = {"sources": "source", "disputes": "dispute", "glossary": "glossary", "timeline": "timeline", "quiz": "quiz",
           "series": "series"}


def _find(checker: _Checker, root: Path, stem: str) -> Path | None:
    """`stem.yaml`, or `stem.yml`; a problem naming the file when there is neither, or both."""
    found = [root / f"{stem}{suffix}" for suffix in YAML_SUFFIXES if (root / f"{stem}{suffix}").is_file()]
    rel = f"{stem}.yaml"
    if not found:
        checker.unreadable_file(DEFINES.get(stem), rel, None, "file is missing", "is missing")
        return None
    if len(found) > 1:
        checker.unreadable_file(DEFINES.get(stem), rel, None, f"both {stem}.yaml and {stem}.yml exist: keep one")
        return None
    return found[0]


def _records(checker: _Checker, root: Path, stem: str, allowed: tuple[str, ...], path: Path | None = None):
    path = path or _find(checker, root, stem)
    if path is None:
        return
    rel = path.relative_to(root).as_posix()
    for position, raw in checker.read(path, root, DEFINES.get(stem, "passage" if stem.startswith("passages/") else None)):
        yield _Record(checker, rel, raw, position, allowed)


def _source(rec: _Record) -> Source | None:
    sid = rec.ident()
    fields = dict(
        author=rec.text("author"),
        title=rec.text("title"),
        year=rec.integer("year"),
        kind=rec.choice("kind", SOURCE_KINDS),
        publisher=rec.text("publisher", False),
        journal=rec.text("journal", False),
        url=rec.text("url", False),
        note=rec.text("note", False),
    )
    if fields["url"] and not fields["url"].startswith(("http://", "https://")):
        rec.problem("'url' must start with http:// or https://")
    rec.checker.register("source", sid, rec)
    if sid is None or None in (fields["author"], fields["title"], fields["year"], fields["kind"]):
        return None
    # One work, one id: the same author, year and title (before any translation in brackets) twice
    # would split its citations.
    work = (fields["author"].casefold(), fields["year"], fields["title"].split(" (")[0].strip().casefold())
    if work in rec.checker.works:
        rec.problem(f"same work as source '{rec.checker.works[work]}' (author, year and title)")
    rec.checker.works.setdefault(work, sid)
    return Source(id=sid, **fields)


def _period(rec: _Record) -> tuple[int, int] | None:
    value = rec.raw.get("period")
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and YEARS[0] <= value[0] <= value[1] <= YEARS[1]
    ):
        return (value[0], value[1])
    rec.problem("'period' must be a year or [first, last] with first <= last")
    return None


PASSAGE_FIELDS = ("id", "topic", "title", "questions", "text", "sources", "quote", "keywords", "aliases", "disputes", "period")


def _passage(rec: _Record, topic: str) -> Passage | None:
    pid = rec.ident()
    rec.checker.register("passage", pid, rec)
    title = rec.text("title", max_len=120)
    text = rec.text("text", max_len=MAX_PASSAGE_CHARS)
    found_topic = rec.text("topic")
    if found_topic is not None and found_topic != topic:
        rec.problem(f"'topic' is '{found_topic}' but the file is {rec.file}")
    sources = rec.source_refs("sources")
    quote = None
    raw_quote = rec.raw.get("quote")
    if raw_quote is not None:
        if not isinstance(raw_quote, dict):
            rec.problem(f"'quote' must be a mapping with text, source and optional pages, got {_type_name(raw_quote)}")
        elif not isinstance(raw_quote.get("text"), str) or not raw_quote["text"].strip():
            rec.problem("'quote.text' must be the quoted words, as text")
        else:
            ref = rec.source_ref(
                {k: v for k, v in raw_quote.items() if k in ("pages",)} | {"id": raw_quote.get("source")}, "quote.source"
            )
            extra = [k for k in raw_quote if k not in ("text", "source", "pages", LINE_KEY)]
            if extra:
                rec.problem(f"'quote' has unknown field(s): {', '.join(map(str, extra))}")
            if ref is not None:
                quote = Quote(raw_quote["text"].strip(), ref)
    disputes = rec.text_list("disputes")
    for i, did in enumerate(disputes):
        if did in disputes[:i]:
            rec.problem(f"'disputes[{i}]' repeats '{did}'")
        rec.checker.expect("dispute", did, rec, f"disputes[{i}]")
    fields = dict(
        questions=_questions(rec),
        keywords=rec.text_list("keywords"),
        aliases=rec.text_list("aliases"),
        period=_period(rec),
    )
    if None in (pid, title, text) or not sources:
        return None
    return Passage(id=pid, topic=topic, title=title, text=text, sources=sources, quote=quote, disputes=disputes, **fields)


def _questions(rec: _Record) -> tuple[str, ...]:
    """`questions`: the questions students type that the passage answers, unique across the knowledge base."""
    out = rec.text_list("questions")
    if len(out) > MAX_QUESTIONS:
        rec.problem(f"'questions' has {len(out)} questions (at most {MAX_QUESTIONS})")
    for i, q in enumerate(out):
        if q in out[:i]:
            rec.problem(f"'questions[{i}]' repeats '{q}'")
            continue
        key = " ".join(q.casefold().split())
        other = rec.checker.questions.setdefault(key, rec.name)
        if other != rec.name:
            rec.problem(f"question '{q}' is also a question of passage '{other}'")
    return out


ESTIMATE_FIELDS = ("value", "low", "high", "at_least", "by", "source", "year", "method")


def _estimate(rec: _Record, raw: Any, i: int) -> Estimate | None:
    where = f"estimates[{i}]"
    if not isinstance(raw, dict):
        rec.problem(f"'{where}' must be a mapping, got {_type_name(raw)}")
        return None
    sub = _Record(rec.checker, rec.file, raw, i, ESTIMATE_FIELDS, parent=rec, prefix=f"{where}: ")
    value = sub.number("value", False)
    low, high = sub.number("low", False), sub.number("high", False)
    if value is None and (low is None or high is None):
        sub.problem("needs 'value', or both 'low' and 'high'")
        return None
    if value is not None and (low is not None or high is not None):
        sub.problem("give either 'value' or 'low'+'high', not both")
    if low is not None and high is not None and low > high:
        sub.problem(f"'low' ({low:g}) is greater than 'high' ({high:g})")
    at_least = sub.flag("at_least")
    if at_least and value is None:
        sub.problem("'at_least: true' marks a single 'value' as a minimum; a range already has its 'low'")
    by, year = sub.text("by"), sub.integer("year")
    ref = sub.source_ref(raw.get("source"), "source") if raw.get("source") is not None else None
    if ref is None and raw.get("source") is None:
        sub.problem("missing required field 'source'")
    if None in (by, year, ref):
        return None
    return Estimate(by=by, source=ref.id, year=year, value=value, low=low, high=high, method=sub.text("method", False),
                    at_least=at_least)


def _dispute(rec: _Record) -> Dispute | None:
    did = rec.ident()
    rec.checker.register("dispute", did, rec)
    question, unit, why = rec.text("question"), rec.text("unit"), rec.text("why_they_differ")
    raw = rec.raw.get("estimates")
    estimates: list[Estimate] = []
    if not isinstance(raw, list):
        rec.problem("'estimates' must be a list of at least two estimates")
    else:
        estimates = [e for i, item in enumerate(raw) if (e := _estimate(rec, item, i)) is not None]
        if len({e.key for e in estimates}) < 2:
            rec.problem("a dispute needs at least two estimates with different values")
    if None in (did, question, unit, why):
        return None
    return Dispute(id=did, question=question, unit=unit, estimates=tuple(estimates), why_they_differ=why)


def _glossary(rec: _Record) -> GlossaryEntry | None:
    gid = rec.ident()
    rec.checker.register("glossary", gid, rec)
    term, definition = rec.text("term"), rec.text("definition", max_len=MAX_PASSAGE_CHARS)
    sources = rec.source_refs("sources")
    aliases, chinese = rec.text_list("aliases"), rec.text("chinese", False)
    kind = rec.choice("kind", GLOSSARY_KINDS, False)
    if None in (gid, term, definition) or not sources:
        return None
    return GlossaryEntry(id=gid, term=term, definition=definition, sources=sources, aliases=aliases, chinese=chinese, kind=kind)


def _timeline(rec: _Record) -> TimelineEvent | None:
    tid = rec.ident()
    rec.checker.register("timeline", tid, rec)
    raw_date = rec.raw.get("date")
    if isinstance(raw_date, date):
        rec.raw["date"] = raw_date.isoformat()
    when = rec.text("date")
    if when is not None and not DATE_RE.match(when):
        rec.problem(f"'date' is '{when}', expected YYYY, YYYY-MM or YYYY-MM-DD")
        when = None
    event, sources = rec.text("event"), rec.source_refs("sources")
    if None in (tid, when, event) or not sources:
        return None
    return TimelineEvent(id=tid, date=when, event=event, sources=sources, milestone=rec.flag("milestone"))


def _quiz(rec: _Record) -> QuizQuestion | None:
    qid = rec.ident()
    rec.checker.register("quiz", qid, rec)
    question, answer, explanation = rec.text("question"), rec.text("answer"), rec.text("explanation")
    choices = rec.text_list("choices", required=True)
    if len(choices) != 4 or len(set(choices)) != 4:
        rec.problem(f"'choices' must be 4 different answers, got {len(set(choices))} different")
    if answer is not None and choices and answer not in choices:
        rec.problem(f"'answer' '{answer}' is not one of the choices")
    passage = rec.text("passage")
    if passage is not None:
        rec.checker.expect("passage", passage, rec, "passage")
    difficulty = rec.choice("difficulty", DIFFICULTIES, required=False) or "medium"
    topic = rec.text("topic", False)
    if None in (qid, question, answer, explanation, passage) or len(choices) != 4:
        return None
    return QuizQuestion(
        id=qid,
        question=question,
        choices=choices,
        answer=answer,
        explanation=explanation,
        passage=passage,
        difficulty=difficulty,
        topic=topic,
    )


def _series(rec: _Record) -> Series | None:
    sid = rec.ident()
    rec.checker.register("series", sid, rec)
    title, unit = rec.text("title"), rec.text("unit")
    lines: list[SeriesLine] = []
    raw_lines = rec.raw.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        rec.problem("'lines' must be a non-empty list")
        raw_lines = []
    for i, raw in enumerate(raw_lines):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not isinstance(raw.get("points"), list):
            rec.problem(f"'lines[{i}]' needs 'name', 'label' and a list of 'points'")
            continue
        points = []
        for j, pt in enumerate(raw["points"]):
            where = f"lines[{i}].points[{j}]"
            ok = isinstance(pt, dict)
            year, value = (pt.get("year"), pt.get("value")) if ok else (None, None)
            if (
                not ok
                or isinstance(year, bool)
                or not isinstance(year, int)
                or isinstance(value, bool)
                or not isinstance(value, (int, float))
            ):
                rec.problem(f"'{where}' needs a whole-number 'year', a numeric 'value' and a 'source'")
                continue
            if pt.get("source") is None:
                rec.problem(f"'{where}' has no 'source'")
                continue
            ref = rec.source_ref(pt["source"], f"{where}.source")
            note = pt.get("note")
            if note is not None and not isinstance(note, str):
                rec.problem(f"'{where}.note' must be text, got {_type_name(note)}")
                note = None
            if ref is not None:
                points.append(SeriesPoint(year, float(value), ref.id, note))
        label = raw.get("label")
        if label is not None and not isinstance(label, str):  # a yes/no label would chart as "True"
            rec.problem(f"'lines[{i}].label' must be text, got {_type_name(label)}")
            label = None
        lines.append(SeriesLine(raw["name"], label or raw["name"], tuple(points)))
    if None in (sid, title, unit):
        return None
    return Series(id=sid, title=title, unit=unit, lines=tuple(lines))


def _collect(
    checker: _Checker, root: Path, stem: str, allowed: tuple[str, ...], build: Callable, path: Path | None = None
) -> list:
    return [r for rec in _records(checker, root, stem, allowed, path) if (r := build(rec)) is not None]


def _passage_files(checker: _Checker, root: Path) -> list[Path]:
    """passages/<topic>.yaml (or .yml), one file per topic."""
    files = sorted(p for p in (root / "passages").glob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    if not files:
        checker.unreadable_file(
            "passage", "passages/", None, "no passage files (passages/<topic>.yaml)", "has no passage files"
        )
    by_topic: dict[str, list[Path]] = {}
    for path in files:
        by_topic.setdefault(path.stem, []).append(path)
    for topic, paths in by_topic.items():
        if len(paths) > 1:
            names = " and ".join(f"passages/{p.name}" for p in paths)
            checker.unreadable_file("passage", f"passages/{topic}.yaml", None, f"{names} are both topic '{topic}': keep one")
    return [paths[0] for paths in by_topic.values() if len(paths) == 1]


def check_knowledge(root: Path | str | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Read and validate; return the knowledge base (None if broken) and every problem found."""
    root = Path(root) if root is not None else default_knowledge_dir()
    checker = _Checker()
    if not root.is_dir():
        return None, [Problem(str(root), "directory", None, "knowledge directory not found")]
    sources = _collect(
        checker, root, "sources", ("id", "author", "title", "year", "kind", "publisher", "journal", "url", "note"), _source
    )
    passages: list[Passage] = []
    for path in _passage_files(checker, root):
        topic = path.stem
        passages += _collect(checker, root, f"passages/{topic}", PASSAGE_FIELDS, lambda r, t=topic: _passage(r, t), path)
    disputes = _collect(checker, root, "disputes", ("id", "question", "unit", "estimates", "why_they_differ"), _dispute)
    glossary = _collect(
        checker, root, "glossary", ("id", "term", "kind", "chinese", "aliases", "definition", "sources"), _glossary
    )
    timeline = _collect(checker, root, "timeline", ("id", "date", "event", "sources", "milestone"), _timeline)
    quiz = _collect(
        checker,
        root,
        "quiz",
        ("id", "question", "choices", "answer", "explanation", "passage", "difficulty", "topic"),
        _quiz,
    )
    series = _collect(checker, root, "series", ("id", "title", "unit", "lines"), _series)
    checker.resolve()
    if checker.problems:
        return None, checker.problems
    kb = KnowledgeBase(
        sources={s.id: s for s in sources},
        passages=tuple(passages),
        disputes={d.id: d for d in disputes},
        glossary=tuple(glossary),
        timeline=tuple(sorted(timeline, key=lambda e: e.date)),
        quiz=tuple(quiz),
        series={s.id: s for s in series},
    )
    return kb, []


def load_knowledge(root: Path | str | None = None) -> KnowledgeBase:
    """The validated knowledge base; raises KnowledgeError naming every problem."""
    kb, problems = check_knowledge(root)
    if kb is None:
        raise KnowledgeError(problems)
    return kb
