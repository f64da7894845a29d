"""The command-line contract (DESIGN.md), exercised through real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_KB, REPO


def run(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None):
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=60,
    )


def test_ask_json_from_another_directory(tmp_path):
    proc = run("ask", "--json", "When did the Great Leap Forward begin?", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["abstained"] is False
    assert "1958" in answer["text"]
    assert answer["passages"] and answer["passages"][0]["sources"]
    assert answer["passages"][0]["sources"][0]["citation"] in answer["text"]


def test_ask_plain_text():
    proc = run("ask", "what", "replaced", "sparrows?", env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)})
    assert proc.returncode == 0
    # text for a reader, not Discord's Markdown: the heading bare, the passage indented (stdout is a pipe: no colour)
    assert proc.stdout.startswith("Bed bugs replace sparrows\n    In 1960 sparrows")
    assert "**" not in proc.stdout and "\n> " not in proc.stdout


def test_jsonl_batch_shares_memory_within_a_line_only():
    lines = [
        {"id": "a", "turns": ["what was the steel target for 1958", "and what about the pots?"]},
        {"id": "b", "turns": ["and what about the pots?"]},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    proc = run("ask", "--jsonl", stdin=stdin, env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)})
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert [a["passages"][0]["id"] for a in out[0]["answers"]] == ["steel-target", "steel-furnaces"]
    assert out[1]["answers"][0]["abstained"] is True  # no memory carried over from line "a"
    assert "line 3: skipped" in proc.stderr and "this line is not JSON" in proc.stderr
    assert proc.returncode == 1


def test_jsonl_says_what_is_wrong_with_a_line_in_words():
    stdin = '{"id": 2}\n[1, 2]\n{"id": 3, "turns": "who was peng"}\n'
    proc = run("ask", "--jsonl", stdin=stdin, env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)})
    assert proc.returncode == 1 and proc.stdout == ""
    assert 'line 1: skipped, expected {"id": ..., "turns": ["question", ...]}: it has no "turns"' in proc.stderr
    assert "line 2: skipped" in proc.stderr and "not a JSON object" in proc.stderr
    assert 'line 3: skipped' in proc.stderr and '"turns" must be a list of strings' in proc.stderr
    assert "('turns')" not in proc.stderr and "list indices" not in proc.stderr  # no Python exception's words


def test_jsonl_with_a_question_too_is_a_usage_error():
    proc = run("ask", "--jsonl", "who was peng", stdin="", env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)})
    assert proc.returncode == 2 and "Usage:" in proc.stderr


def test_check_ok_and_broken(tmp_path):
    ok = run("check")
    assert ok.returncode == 0 and "OK" in ok.stdout
    broken = tmp_path / "kb"
    import shutil

    shutil.copytree(FIXTURE_KB, broken)
    (broken / "passages" / "pests.yaml").write_text(
        (broken / "passages" / "pests.yaml").read_text().replace("source: shapiro-2001\n", "source: ghost-2020\n"),
        encoding="utf-8",
    )
    bad = run("check", env={"GLF_KNOWLEDGE_DIR": str(broken)})
    assert bad.returncode == 1
    assert "passages/pests.yaml" in bad.stderr and "[pests-bedbugs]" in bad.stderr and "ghost-2020" in bad.stderr
    refused = run("ask", "anything", env={"GLF_KNOWLEDGE_DIR": str(broken)})
    assert refused.returncode == 2 and "broken; not starting" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_restart_answers_from_the_snapshot_and_a_broken_edit_still_stops_it(tmp_path):
    import shutil

    kb, cache = tmp_path / "kb", tmp_path / "cache"
    shutil.copytree(FIXTURE_KB, kb)
    env = {"GLF_KNOWLEDGE_DIR": str(kb), "GLF_CACHE_DIR": str(cache)}
    first = run("ask", "--json", "what replaced sparrows", env=env)
    assert first.returncode == 0, first.stderr
    [snapshot] = cache.glob("tutor-*.pickle")
    written = snapshot.stat().st_mtime_ns
    again = run("ask", "--json", "what replaced sparrows", env=env)
    assert again.returncode == 0 and json.loads(again.stdout) == json.loads(first.stdout)
    assert list(cache.glob("tutor-*.pickle")) == [snapshot] and snapshot.stat().st_mtime_ns == written  # read, not rebuilt
    pests = kb / "passages" / "pests.yaml"
    pests.write_text(pests.read_text().replace("source: shapiro-2001\n", "source: ghost-2020\n"), encoding="utf-8")
    refused = run("ask", "what replaced sparrows", env=env)
    assert refused.returncode == 2 and "ghost-2020" in refused.stderr and "Traceback" not in refused.stderr


def test_eval_reports_figures(tmp_path):
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "questions:\n"
        "  - {id: a, question: what replaced sparrows, topic: pests, must_mention: [[bed bug]]}\n"
        "  - {id: b, question: recipe for dumplings, topic: offtopic, abstain: true}\n"
        "  - {id: c, question: how many died in the famine, topic: deaths, disputed: true, must_mention: [[million]]}\n"
        "conversations:\n"
        "  - id: conv\n"
        "    turns:\n"
        "      - {question: what was the steel target for 1958, must_mention: [['10.7']]}\n"
        "      - {question: 'and what about the pots?', must_mention: [[pots]]}\n",
        encoding="utf-8",
    )
    proc = run("eval", str(questions), "--json", env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)})
    figures = json.loads(proc.stdout)
    assert figures["questions"] == 3 and figures["conversation_turns"] == 2
    assert figures["in_scope_pass"] == 1.0 and figures["abstention_recall"] == 1.0
    assert figures["disputed_flagged"] == 1.0 and figures["followup_pass"] == 1.0
    assert figures["failures"] == []
    text = run("eval", str(questions), env={"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)}).stdout
    assert "in-scope pass:          1.000" in text and "false abstention:       0.000" in text


def test_eval_rejects_bad_question_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [{id: x, question: hi, abstain: maybe}]\n", encoding="utf-8")
    proc = run("eval", str(bad))
    assert proc.returncode == 2 and "'abstain' must be true or false" in proc.stderr


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, env=env)


def test_terminal_path_never_imports_discord():
    proc = run_python(
        "import sys; from bot.cli import main; main(['ask', 'how many died in the famine']);"
        "print('DISCORD-LOADED' if 'discord' in sys.modules else 'DISCORD-ABSENT')"
    )
    assert proc.stdout.strip().endswith("DISCORD-ABSENT"), proc.stdout[-200:] + proc.stderr


def test_engine_never_imports_discord():
    proc = run_python(
        "import sys; from bot.engine import Tutor, load_knowledge;"
        "Tutor(load_knowledge()).ask('why was peng dehuai purged');"
        "assert 'discord' not in sys.modules, 'engine imported discord'"
    )
    assert proc.returncode == 0, proc.stderr


def test_numpy_runs_one_blas_thread_under_the_tutor():
    # Threads would make each small matrix product slower, not faster (bot/__init__.py).
    proc = run_python(
        "import os; os.environ.pop('OPENBLAS_NUM_THREADS', None); os.environ.pop('MKL_NUM_THREADS', None);"
        "import bot.engine, numpy, threadpoolctl;"
        "print(sorted({p['num_threads'] for p in threadpoolctl.threadpool_info() if p['user_api'] == 'blas'}))"
    )
    assert proc.stdout.strip() == "[1]", proc.stdout + proc.stderr


@pytest.mark.parametrize("chat_input", ["when did the great leap forward begin\nwhat was chayashan\n\n"])
def test_chat_session(chat_input):
    proc = run("chat", stdin=chat_input)
    assert proc.returncode == 0
    assert "1958" in proc.stdout and "Chayashan" in proc.stdout


def test_bench_json_has_the_contract_keys():
    proc = run("bench", "--json", "--rounds", "1", "--sizes", "300", "--interactions", "20")
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout)
    for key in ("p50_ms", "p99_ms", "answers_per_s", "cold_start_s", "first_start_s", "rss_mb"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0
    [row] = figures["synthetic"]
    assert row["passages"] == 300
    assert "skipped" in row or {"p99_ms", "bm25s_p99_ms", "ratio"} <= set(row)
    load = figures["load"]
    assert load["interactions"] == 20 and load["acknowledged"] == 20 and load["answered"] == 20
