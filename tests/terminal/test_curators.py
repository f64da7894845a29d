"""What curators meet: `check [DIR]`, which knowledge base a checkout uses, how the loader treats
.yml files and a missing sources.yaml, and working through problem reports."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest

from bot.engine import check_knowledge
from bot.engine.loader import default_knowledge_dir
from bot.storage import MIGRATIONS, Database
from tests.conftest import FIXTURE_KB
from tests.terminal.conftest import run_cli


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ----- check [DIR] and which knowledge base is used ----------------------------------------------
def test_check_checks_the_directory_it_is_given(kb_copy):
    ok = run_cli("check", str(kb_copy))
    assert ok.returncode == 0 and ok.stdout.startswith(f"{kb_copy}: OK") and "5 passages" in ok.stdout
    edit(kb_copy / "passages" / "pests.yaml", "source: shapiro-2001\n", "source: ghost-2020\n")
    broken = run_cli("check", str(kb_copy))
    assert broken.returncode == 1 and "ghost-2020" in broken.stderr and "[pests-bedbugs]" in broken.stderr
    assert run_cli("check").returncode == 0      # the default one is untouched
    missing = run_cli("check", str(kb_copy / "nope"))
    assert missing.returncode == 1 and "knowledge directory not found" in missing.stderr


@pytest.fixture
def checkout(tmp_path):
    """A checkout of glf-tutor whose knowledge/ a curator has edited: not the copy the tutor uses."""
    root = tmp_path / "glf-tutor"
    shutil.copytree(default_knowledge_dir(), root / "knowledge")
    (root / "pyproject.toml").write_text('[project]\nname = "glf-tutor"\nversion = "0"\n', encoding="utf-8")
    return root


NOTICE = "Note: using the installed knowledge base"


def test_check_and_ask_say_which_knowledge_base_they_use(checkout):
    assert NOTICE not in run_cli("check", cwd=checkout).stderr      # same content: nothing to say
    edit(checkout / "knowledge" / "timeline.yaml", "The Party turns on", "The Party (edited) turns on")
    for args in (("check",), ("ask", "when did the great leap forward begin")):
        out = run_cli(*args, cwd=checkout)
        assert out.returncode == 0, out.stderr
        assert NOTICE in out.stderr and str(default_knowledge_dir()) in out.stderr
        assert "GLF_KNOWLEDGE_DIR=knowledge glf-tutor" in out.stderr and "glf-tutor check knowledge" in out.stderr
    deeper = checkout / "tests"
    deeper.mkdir()
    assert "GLF_KNOWLEDGE_DIR=../knowledge" in run_cli("check", cwd=deeper).stderr
    # pointed at the checkout's copy, or checking it by name: no notice, and the edit is what is read
    chosen = run_cli("check", cwd=checkout, env={"GLF_KNOWLEDGE_DIR": "knowledge"})
    assert NOTICE not in chosen.stderr and chosen.stdout.startswith("knowledge: OK")
    named = run_cli("check", "knowledge", cwd=checkout)
    assert NOTICE not in named.stderr and named.returncode == 0
    ask = run_cli("ask", "--json", "when did the great leap forward begin", cwd=checkout)
    json.loads(ask.stdout)                                           # the notice never mixes into JSON on stdout


def test_no_notice_outside_a_checkout(tmp_path):
    assert NOTICE not in run_cli("check", cwd=tmp_path).stderr


# ----- the loader: .yml files and a missing sources.yaml --------------------------------------------
def test_yml_passage_files_are_loaded(kb_copy):
    (kb_copy / "passages" / "pests.yaml").rename(kb_copy / "passages" / "pests.yml")
    kb, problems = check_knowledge(kb_copy)
    assert problems == [] and {p.id for p in kb.passages if p.topic == "pests"} == {"pests-four", "pests-bedbugs", "pests-deaths"}
    (kb_copy / "sources.yaml").rename(kb_copy / "sources.yml")
    assert check_knowledge(kb_copy)[1] == []


def test_a_topic_in_both_yaml_and_yml_is_refused_by_name(kb_copy):
    shutil.copy(kb_copy / "passages" / "pests.yaml", kb_copy / "passages" / "pests.yml")
    kb, problems = check_knowledge(kb_copy)
    assert kb is None
    assert any("passages/pests.yaml and passages/pests.yml are both topic 'pests'" in str(p) for p in problems)


def test_a_missing_sources_file_is_one_error_and_one_summary(kb_copy):
    (kb_copy / "sources.yaml").unlink()
    kb, problems = check_knowledge(kb_copy)
    assert kb is None
    first, summary = map(str, problems)
    assert first == "sources.yaml: [file] file is missing"
    assert "reference(s) to sources" in summary and "sources.yaml is missing" in summary
    assert "passages/pests.yaml" in summary
    # the shipped knowledge base: hundreds of references, still two lines
    shipped = kb_copy.parent / "shipped"
    shutil.copytree(default_knowledge_dir(), shipped)
    (shipped / "sources.yaml").unlink()
    assert len(check_knowledge(shipped)[1]) == 2
    out = run_cli("check", str(shipped))
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 3      # heading + 2 problems


def test_an_unreadable_sources_file_is_summarised_too(kb_copy):
    (kb_copy / "sources.yaml").write_text("- id: x\n  title: [unclosed\n", encoding="utf-8")
    problems = [str(p) for p in check_knowledge(kb_copy)[1]]
    assert len(problems) == 2 and "invalid YAML" in problems[0] and "is not valid YAML" in problems[1]


def test_real_dangling_references_are_still_listed_one_by_one(kb_copy):
    edit(kb_copy / "passages" / "steel.yaml", '{id: dikotter-2010, pages: "56-64"}', "{id: nobody-1999}")
    problems = [str(p) for p in check_knowledge(kb_copy)[1]]
    assert len(problems) == 1 and "unknown source 'nobody-1999'" in problems[0]


def test_an_estimate_can_be_marked_as_a_minimum(kb_copy):
    edit(kb_copy / "disputes.yaml", "{value: 8, by: Frank Dikötter", "{value: 8, at_least: true, by: Frank Dikötter")
    kb, problems = check_knowledge(kb_copy)
    assert problems == []
    marked = [e for d in kb.disputes.values() for e in d.estimates if e.at_least]
    assert len(marked) == 1 and marked[0].lower_bound
    edit(kb_copy / "disputes.yaml", "at_least: true", "at_least: maybe")
    assert any("'at_least' must be true or false" in str(p) for p in check_knowledge(kb_copy)[1])


# ----- problem reports -------------------------------------------------------------------------------
def add(db: Database, question: str, note: str | None = None) -> int:
    return db.add_report(question=question, passage_ids=["death-toll"], reporter_id=7, reporter_name="student#1",
                         guild_id=1, channel_id=2, note=note)


def test_version_2_database_keeps_its_reports_and_can_resolve_them(tmp_path):
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)     # a file as the version-2 code left it
    conn.executescript(f"BEGIN;\n{MIGRATIONS[0]}\n{MIGRATIONS[1]}\nPRAGMA user_version = 2;\nCOMMIT;")
    conn.execute("INSERT INTO reports (created_at, question, passage_ids, note) VALUES (1.0, 'why?', '[\"p\"]', 'old')")
    conn.close()
    db = Database(path, clock=lambda: 500.0)
    assert db.version == len(MIGRATIONS) >= 3
    [old] = db.reports()
    assert (old.question, old.note, old.open) == ("why?", "old", True)
    assert db.resolve_report(old.id, by="curator", note="fixed") is True
    done = db.report(old.id)
    assert (done.open, done.resolved_at, done.resolved_by, done.resolution) == (False, 500.0, "curator", "fixed")
    assert db.resolve_report(old.id, by="someone else") is False          # resolved once, by the first curator
    assert db.report(old.id).resolved_by == "curator"
    assert db.resolve_report(999, by="curator") is False


def test_open_reports_and_counts(tmp_path):
    db = Database(tmp_path / "r.sqlite3")
    first, second, third = (add(db, q) for q in ("a?", "b?", "c?"))
    db.resolve_report(second, by="ann")
    assert [r.id for r in db.reports(open_only=True)] == [third, first]
    assert [r.id for r in db.reports()] == [third, second, first]
    assert db.report_counts() == (3, 2)


def test_reports_cli_lists_open_ones_and_resolves(tmp_path):
    path = tmp_path / "r.sqlite3"
    db = Database(path)
    a = add(db, "How many died?", note="figure looks off")
    b = add(db, "Who was Peng?")
    db.close()
    env = {"GLF_DATABASE": str(path)}
    listing = run_cli("reports", env=env)
    assert "2 report(s), 2 open." in listing.stdout and "[open]" in listing.stdout
    assert "reports resolve ID" in listing.stdout
    done = run_cli("reports", "resolve", str(a), "--note", "corrected the figure", "--by", "curator-ann", env=env)
    assert done.returncode == 0, done.stderr
    assert f"Resolved #{a}." in done.stdout and "by curator-ann: corrected the figure" in done.stdout
    assert "1 report(s) still open." in done.stdout
    only_open = run_cli("reports", "--open", env=env)
    listed = re.findall(r"^#(\d+) ", only_open.stdout, re.M)
    assert listed == [str(b)]
    everything = json.loads(run_cli("reports", "--json", env=env).stdout)
    resolved = next(r for r in everything if r["id"] == a)
    assert resolved["open"] is False and resolved["resolved_by"] == "curator-ann"
    assert resolved["resolution"] == "corrected the figure"
    assert resolved["resolved_at"] >= resolved["created_at"]
    assert [r["id"] for r in json.loads(run_cli("reports", "--open", "--json", env=env).stdout)] == [b]
    again = run_cli("reports", "resolve", str(a), env=env)
    assert again.returncode == 1 and "already resolved" in again.stderr and "curator-ann" in again.stderr
    missing = run_cli("reports", "resolve", "99", env=env)
    assert missing.returncode == 1 and "No report #99" in missing.stderr
    by_default = run_cli("reports", "resolve", str(b), env=env)      # who: the login name
    assert by_default.returncode == 0 and "resolved:" in by_default.stdout
    assert "Nothing left to do." in run_cli("reports", env=env).stdout


def test_resolving_without_a_database_creates_none(tmp_path):
    path = tmp_path / "none.sqlite3"
    out = run_cli("reports", "resolve", "1", env={"GLF_DATABASE": str(path)})
    assert out.returncode == 1 and "No database" in out.stderr and not path.exists()


def test_commands_listing_has_no_dangling_dash():
    out = run_cli("commands")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("[message] ") for line in lines)
    assert not [line for line in lines if line.rstrip().endswith("—")]


@pytest.fixture
def kb_copy(tmp_path):
    dest = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, dest)
    return dest
