"""Knowledge-base fuzzing: randomly broken copies of the SHIPPED knowledge always give a clear
error naming the file (and, for a broken record, the record), never an exception.

The shipped YAML is parsed once per session; each case deep-copies one file's records, breaks one
thing, writes that file into a fresh copy of the knowledge directory and runs the checker on it.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.loader import Problem, check_knowledge, default_knowledge_dir

SHIPPED = default_knowledge_dir()
REPO = Path(__file__).resolve().parents[2]
TOP_FILES = ["sources.yaml", "disputes.yaml", "glossary.yaml", "timeline.yaml", "quiz.yaml", "series.yaml"]
REQUIRED = {
    "sources.yaml": ["id", "author", "title", "year", "kind"],
    "passages": ["id", "topic", "title", "text", "sources"],
    "disputes.yaml": ["id", "question", "unit", "estimates", "why_they_differ"],
    "glossary.yaml": ["id", "term", "definition", "sources"],
    "timeline.yaml": ["id", "date", "event", "sources"],
    "quiz.yaml": ["id", "question", "choices", "answer", "explanation", "passage"],
    "series.yaml": ["id", "title", "unit", "lines"],
}
ID_KIND = {
    "sources.yaml": "source",
    "passages": "passage",
    "disputes.yaml": "dispute",
    "glossary.yaml": "glossary",
    "timeline.yaml": "timeline",
    "quiz.yaml": "quiz",
    "series.yaml": "series",
}
NUMBERS_ALLOWED = {"date", "pages"}  # the loader reads 1958 as "1958" here, on purpose
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Records = list[Any]


def kind_of(rel: str) -> str:
    return "passages" if rel.startswith("passages/") else rel


class Shipped(dict[str, tuple[str, Records]]):
    """Every shipped file: its text and its records (short repr: hypothesis prints its arguments)."""

    def __repr__(self) -> str:
        return f"<shipped knowledge: {len(self)} files>"


@pytest.fixture(scope="session")
def shipped() -> Shipped:
    out = Shipped()
    for path in sorted(SHIPPED.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out[path.relative_to(SHIPPED).as_posix()] = (text, yaml.load(text, Loader=yaml.CSafeLoader))
    return out


def dump(records: Records) -> str:
    return yaml.dump(records, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=120)


@contextmanager
def broken_copy(changes: dict[str, str | None]) -> Iterator[Path]:
    """A copy of the shipped knowledge with some files replaced (None: deleted)."""
    with tempfile.TemporaryDirectory(prefix="glf-fuzz-") as tmp:
        root = Path(tmp) / "knowledge"
        shutil.copytree(SHIPPED, root)
        for rel, text in changes.items():
            if text is None:
                (root / rel).unlink()
            else:
                (root / rel).write_text(text, encoding="utf-8")
        yield root


@dataclass(frozen=True)
class Break:
    """One way of breaking the knowledge base, and where the error must point."""

    what: str
    file: str
    record: str | None  # None: the problem is the file's own ("file")
    text: str | None  # the file's new content; None deletes it
    says: str = ""  # a phrase the message must contain


def record_name(raw: Any, position: int) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return rid if isinstance(rid, str) and rid else f"record #{position}"


def assert_reported(brk: Break) -> list[Problem]:
    with broken_copy({brk.file: brk.text}) as root:
        kb, problems = check_knowledge(root)  # must not raise
    assert kb is None and problems, f"accepted a broken knowledge base: {brk.what}"
    shown = "\n".join(map(str, problems))
    for p in problems:
        assert p.file and p.record and p.message.strip(), f"an empty part in {p!r}"
        assert "Traceback" not in p.message and " object at 0x" not in p.message
    wanted = brk.record or "file"
    hits = [p for p in problems if p.file == brk.file and p.record == wanted and brk.says in p.message]
    assert hits, f"{brk.what}: no problem names {brk.file} [{wanted}] ({brk.says!r}); got:\n{shown}"
    return problems


# ----- breaking one record -------------------------------------------------------------------


def retype(value: Any, field: str | int, draw: Callable) -> Any:
    """The same field with the wrong type: text as yes/no (or a number), numbers as text, lists as
    scalars, mappings as text. Where the loader reads numbers as text on purpose (dates, pages,
    list items such as a year among keywords), only yes/no is wrong."""
    if field in NUMBERS_ALLOWED or isinstance(field, int):
        return draw(st.booleans())
    if isinstance(value, bool):  # yes/no as text
        return draw(st.sampled_from(["yes", "true"]))
    if isinstance(value, str):
        return draw(st.sampled_from([True, False, 12345]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return draw(st.sampled_from([str(value), f"about {value}"]))
    if isinstance(value, list):
        return value[0] if value and not isinstance(value[0], (dict, list)) else "one thing"
    if isinstance(value, dict):
        return "text instead of a mapping"
    return True  # a date YAML read as a date


def retypable(raw: dict) -> list[str]:
    # A single year is a valid period, so a period list turned scalar is not a break.
    return sorted(k for k in raw if not (k == "period" and isinstance(raw[k], list)))


def break_remove_required(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    field = draw(st.sampled_from([f for f in REQUIRED[kind_of(rel)] if f in records[i]]))
    del records[i][field]
    return f"removed '{field}'", f"'{field}'"


def break_wrong_type(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    field = draw(st.sampled_from(retypable(records[i])))
    records[i][field] = retype(records[i][field], field, draw)
    return f"'{field}' retyped to {records[i][field]!r}", f"'{field}'"


def _nested_targets(raw: dict) -> list[tuple[Any, Any]]:
    """(container, key) pairs inside a record: estimates, series lines and points, source refs,
    the quote, and the items of text lists."""
    out: list[tuple[Any, Any]] = []
    for est in raw.get("estimates") or []:
        out += [(est, k) for k in est]
    for line in raw.get("lines") or []:
        out += [(line, k) for k in line if k != "points"] + [(pt, k) for pt in line.get("points", []) for k in pt]
    for ref in raw.get("sources") or []:
        if isinstance(ref, dict):
            out += [(ref, k) for k in ref]
    if isinstance(raw.get("quote"), dict):
        out += [(raw["quote"], k) for k in raw["quote"]]
    for key in ("keywords", "aliases", "choices", "disputes"):
        out += [(raw[key], j) for j in range(len(raw.get(key) or []))]
    return out


def break_nested_type(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    targets = _nested_targets(records[i])
    if not targets:
        return break_wrong_type(draw, rel, records, i)
    container, key = draw(st.sampled_from(targets))
    container[key] = retype(container[key], key, draw)
    return f"nested '{key}' retyped to {container[key]!r}", f"[{key}]" if isinstance(key, int) else key


def _references(raw: dict) -> list[tuple[Any, Any, str]]:
    """(container, key, kind) for every id this record refers to."""
    out: list[tuple[Any, Any, str]] = []
    for j, ref in enumerate(raw.get("sources") or []):
        out.append((ref, "id", "source") if isinstance(ref, dict) else (raw["sources"], j, "source"))
    out += [(raw["disputes"], j, "dispute") for j in range(len(raw.get("disputes") or []))]
    if isinstance(raw.get("quote"), dict):
        out.append((raw["quote"], "source", "source"))
    out += [(est, "source", "source") for est in raw.get("estimates") or []]
    out += [(pt, "source", "source") for line in raw.get("lines") or [] for pt in line.get("points", [])]
    if "passage" in raw:
        out.append((raw, "passage", "passage"))
    return out


def break_dangling(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    refs = _references(records[i])
    if not refs:  # sources refer to nothing: break the record another way
        return break_wrong_type(draw, rel, records, i)
    container, key, kind = draw(st.sampled_from(refs))
    container[key] = f"no-such-{kind}-xyz"
    return f"dangling {kind} reference", f"unknown {kind} 'no-such-{kind}-xyz'"


def break_duplicate(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    j = draw(st.integers(0, len(records) - 2))
    j += j >= i  # any other record
    records[i]["id"] = records[j]["id"]
    return f"duplicate id '{records[j]['id']}'", f"duplicate {ID_KIND[kind_of(rel)]} id"


def break_not_mapping(draw: Callable, rel: str, records: Records, i: int) -> tuple[str, str]:
    records[i] = draw(st.sampled_from(["just a line of text", 42, ["a", "list"], None, True]))
    return f"record replaced by {records[i]!r}", "must be a mapping"


RECORD_BREAKS = [
    break_remove_required,
    break_wrong_type,
    break_nested_type,
    break_dangling,
    break_duplicate,
    break_not_mapping,
]


def a_file(draw: Callable, shipped: dict) -> str:
    """Each kind of file equally likely; then one of the passage files."""
    kind = draw(st.sampled_from([*TOP_FILES, "passages"]))
    return draw(st.sampled_from([r for r in shipped if r.startswith("passages/")])) if kind == "passages" else kind


@pytest.mark.parametrize("breaker", RECORD_BREAKS, ids=lambda f: f.__name__.removeprefix("break_"))
@FUZZ
@given(data=st.data())
def test_broken_record_is_reported_with_file_and_record(shipped, breaker, data):
    draw = data.draw
    rel = a_file(draw, shipped)
    records = copy.deepcopy(shipped[rel][1])
    i = draw(st.integers(0, len(records) - 1), label="record")
    what, says = breaker(draw, rel, records, i)
    assert_reported(Break(f"{rel} #{i + 1}: {what}", rel, record_name(records[i], i + 1), dump(records), says))


def test_duplicate_passage_id_across_files(shipped):
    """Passage ids are unique over all passages/*.yaml, not per file."""
    first, second = "passages/communes.yaml", "passages/steel.yaml"
    records = copy.deepcopy(shipped[second][1])
    taken = shipped[first][1][0]["id"]
    records[0]["id"] = taken
    problems = assert_reported(Break("duplicate across files", second, taken, dump(records), "duplicate passage id"))
    assert any(first in p.message for p in problems if p.record == taken)  # says where the other one is


@pytest.mark.parametrize(("field", "value"), [("label", True), ("label", 1983), ("note", False)])
def test_series_line_label_and_point_note_must_be_text(shipped, field, value):
    """Found by the fuzzer: these were taken as they came, and charted as "True"."""
    records = copy.deepcopy(shipped["series.yaml"][1])
    line = records[1]["lines"][0]
    (line if field == "label" else line["points"][0])[field] = value
    assert_reported(Break(f"series {field} {value!r}", "series.yaml", records[1]["id"], dump(records), "must be text"))


def test_unchanged_round_trip_is_accepted(shipped):
    """The control: re-dumping the parsed files changes nothing the checker cares about."""
    with broken_copy({rel: dump(records) for rel, (_, records) in shipped.items()}) as root:
        kb, problems = check_knowledge(root)
    assert problems == [] and kb is not None


# ----- breaking a file ----------------------------------------------------------------------

OPEN_FLOW = re.compile(r"(?<=: )[\[{]|(?<=- )[\[{]")  # where a flow collection starts
# where a quoted scalar starts: right after a key or a list dash at the start of a line (a ": '"
# inside an already quoted string is not an opening, and cutting there can leave valid YAML)
OPEN_QUOTE = re.compile(r"""^ *(?:- (?:[a-z_]+: )?|[a-z_]+: )["']""", re.MULTILINE)
CLOSE_FLOW = re.compile(r"[\]}]$", re.MULTILINE)  # a flow collection closing at the end of a line
KEY_LINE = re.compile(r"^( +)[a-z_]+:", re.MULTILINE)  # an indented mapping key


def _opening_sites(text: str) -> list[int]:
    return [m.end() for m in OPEN_FLOW.finditer(text)] + [m.end() for m in OPEN_QUOTE.finditer(text)]


def _closing_sites(text: str) -> list[int]:
    return [m.start() for m in CLOSE_FLOW.finditer(text)]


def _key_sites(text: str) -> list[int]:
    return [m.start(1) for m in KEY_LINE.finditer(text)]


def _indent_to_tab(text: str, at: int) -> str:
    end = at + len(text[at:]) - len(text[at:].lstrip(" "))
    return text[:at] + "\t" + text[end:]


# how: (where in the text it can be done, what it does there)
SYNTAX_BREAKS: dict[str, tuple[Callable[[str], list[int]], Callable[[str, int], str]]] = {
    "truncated inside a bracket or quote": (_opening_sites, lambda t, at: t[:at]),
    "closing bracket removed": (_closing_sites, lambda t, at: t[:at] + t[at + 1 :]),
    "extra closing bracket": (_closing_sites, lambda t, at: t[: at + 1] + t[at] + t[at + 1 :]),
    "tab indentation": (_key_sites, _indent_to_tab),
}


@pytest.mark.parametrize("how", list(SYNTAX_BREAKS))
@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_invalid_yaml_names_file_and_line(shipped, how, data):
    sites, apply = SYNTAX_BREAKS[how]
    rel = data.draw(st.sampled_from([r for r, (text, _) in shipped.items() if sites(text)]), label="file")
    text = shipped[rel][0]
    broken = apply(text, data.draw(st.sampled_from(sites(text)), label="at"))
    with pytest.raises(yaml.YAMLError):  # the test's own premise
        yaml.load(broken, Loader=yaml.CSafeLoader)
    problems = assert_reported(Break(f"{rel}: {how}", rel, None, broken, "invalid YAML"))
    assert any(p.file == rel and p.line for p in problems), "a syntax error says on which line"


ALL_KINDS = [*TOP_FILES, "passages/steel.yaml"]
WHOLE_FILE_BREAKS = [
    *((rel, "empty", "", "empty") for rel in ALL_KINDS),
    *((rel, "only whitespace", "\n \n", "empty") for rel in ("quiz.yaml", "passages/dams.yaml")),
    *((rel, "only comments", "# nothing here yet\n", "empty") for rel in ("glossary.yaml", "series.yaml")),
    *(
        (rel, "a mapping, not a list", "id: x\ntitle: y\n", "must be a YAML list")
        for rel in ("sources.yaml", "passages/pests.yaml")
    ),
    *((rel, "a scalar, not a list", "just text\n", "must be a YAML list") for rel in ("timeline.yaml", "disputes.yaml")),
    *((rel, "deleted", None, "missing") for rel in TOP_FILES),
]


@pytest.mark.parametrize(("rel", "what", "content", "says"), WHOLE_FILE_BREAKS)
def test_whole_file_breaks(rel, what, content, says):
    assert_reported(Break(f"{rel}: {what}", rel, None, content, says))


@pytest.mark.parametrize("rel", ["sources.yaml", "passages/famine.yaml"])
def test_file_that_is_not_utf8(rel):
    with broken_copy({}) as root:
        path = root / rel
        path.write_bytes(path.read_bytes() + b"\n# Dik\xf6tter (Latin-1)\n")
        kb, problems = check_knowledge(root)
    assert kb is None and any(p.file == rel and p.record == "file" and "not UTF-8" in p.message for p in problems)


# ----- random damage anywhere, and the command line -----------------------------------------

DAMAGE = st.sampled_from(
    ["", "\t", "[", "]", "{", "}", ":", "- ", "'", '"', "&a", "*a", "!!python/object:os.system", "\x00", "\n", "% "]
)


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_random_damage_never_raises(shipped, data):
    """Cut a random slice out of a random file and put random YAML punctuation there: the checker
    never raises, and whatever it reports names a file of the knowledge base."""
    rel = data.draw(st.sampled_from(sorted(shipped)), label="file")
    text = shipped[rel][0]
    start = data.draw(st.integers(0, len(text)), label="start")
    end = data.draw(st.integers(start, min(len(text), start + 200)), label="end")
    broken = text[:start] + data.draw(DAMAGE, label="insert") + text[end:]
    with broken_copy({rel: broken}) as root:
        kb, problems = check_knowledge(root)
    assert (kb is None) == bool(problems)
    files = {*shipped, "passages/"}
    assert all(p.file in files and p.message.strip() for p in problems)


def test_check_command_on_a_broken_copy(shipped):
    records = copy.deepcopy(shipped["quiz.yaml"][1])
    qid = records[3]["id"]
    records[3]["answer"] = True
    with broken_copy({"quiz.yaml": dump(records), "glossary.yaml": shipped["glossary.yaml"][0][:-40] + "\n  - ["}) as root:
        env = os.environ | {"GLF_KNOWLEDGE_DIR": str(root)}
        run = subprocess.run([sys.executable, "-m", "bot", "check"], capture_output=True, text=True, env=env, cwd=REPO)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "quiz.yaml:" in run.stderr and f"[{qid}]" in run.stderr and "true/false" in run.stderr
    assert "glossary.yaml:" in run.stderr and "invalid YAML" in run.stderr
