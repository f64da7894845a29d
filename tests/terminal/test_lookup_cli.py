"""`glf-tutor fact | dispute | timeline | sources`, and chat's /fact, /dispute, /timeline: the look-ups Discord
has, in the terminal."""

from __future__ import annotations

from tests.conftest import FIXTURE_KB
from tests.terminal.conftest import run_cli
from tests.terminal.test_chat import turns

FIXTURE = {"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)}


def test_fact_prints_the_entry_with_its_sources():
    out = run_cli("fact", "chairman", "mao", env=FIXTURE)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "Mao Zedong (毛泽东)" and "Also known as: Mao Tse-tung, Chairman Mao" in lines
    assert any(line.startswith("Sources: Frank Dikötter") for line in lines)


def test_an_unknown_or_ambiguous_term_is_refused_with_the_close_ones():
    out = run_cli("fact", "Pen", env=FIXTURE)
    assert out.returncode == 1 and out.stdout == ""
    assert "No glossary entry for “Pen”" in out.stderr and "Peng Dehuai" in out.stderr and "Traceback" not in out.stderr


def test_a_blank_or_overlong_term_gets_a_short_message():
    blank = run_cli("fact", " ", env=FIXTURE)
    assert blank.returncode == 2 and "Name a term" in blank.stderr
    long = run_cli("fact", "x" * 300, env=FIXTURE)
    assert long.returncode == 2 and "at most 100" in long.stderr and "Traceback" not in long.stderr


def test_dispute_lists_every_estimate_and_why_they_differ():
    out = run_cli("dispute", "excess", "deaths", env=FIXTURE)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Disputed figure: How many excess deaths did the famine cause?")
    assert "Why they differ:" in out.stdout and out.stdout.count("  • ") >= 2


def test_dispute_in_other_words_is_found_through_the_tutor():
    out = run_cli("dispute", "death", "toll")     # the shipped knowledge: no question holds "death toll"
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Disputed figure: How many excess (premature) deaths did the famine")


def test_dispute_alone_lists_the_disputed_figures():
    out = run_cli("dispute", env=FIXTURE)
    assert out.returncode == 0
    assert "How much steel did China make in 1958?" in out.stdout and "How many excess deaths" in out.stdout


def test_timeline_by_year_and_a_bad_year():
    out = run_cli("timeline", "1960", env=FIXTURE)
    assert out.returncode == 0
    assert out.stdout.splitlines() == ["Timeline: 1960", "  1960 — Bed bugs replace sparrows among the four pests."]
    empty = run_cli("timeline", "1990", env=FIXTURE)
    assert empty.returncode == 1 and "No events for 1990" in empty.stderr and "1958–1960" in empty.stderr
    bad = run_cli("timeline", "59", env=FIXTURE)
    assert bad.returncode == 2 and "a year is four digits" in bad.stderr and "Traceback" not in bad.stderr


def test_sources_for_a_topic_and_an_unknown_one():
    out = run_cli("sources", "steel", env=FIXTURE)
    assert out.returncode == 0 and out.stdout.startswith("Sources on ") and "Dikötter" in out.stdout
    unknown = run_cli("sources", "weather", env=FIXTURE)
    assert unknown.returncode == 1 and "No topic “weather”" in unknown.stderr


def test_chat_offers_the_same_lookups_as_commands():
    out = run_cli("chat", stdin="/fact chairman mao\n/timeline 1960\n/timeline soon\n/dispute steel\n/fact\n", env=FIXTURE)
    replies = turns(out.stdout)
    assert replies[1].startswith("Mao Zedong (毛泽东)\n")
    assert "Bed bugs replace sparrows" in replies[2]
    assert "/timeline takes a year" in replies[3]
    assert replies[4].startswith("Disputed figure: How much steel did China make in 1958?")
    assert "Name a term" in replies[5]
    assert all("sourced answer" not in r for r in replies[1:])     # commands, not questions asked
