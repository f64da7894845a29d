"""`glf-tutor chat`: its commands are commands, not questions."""

from __future__ import annotations

import json

from bot.terminal.plain import plain
from tests.conftest import FIXTURE_KB
from tests.terminal.conftest import run_cli

FIXTURE = {"GLF_KNOWLEDGE_DIR": str(FIXTURE_KB)}


def turns(stdout: str) -> list[str]:
    """What the tutor printed after each `you>` prompt (the greeting first)."""
    return stdout.split("you> ")


def test_greeting_names_the_commands():
    out = run_cli("chat", stdin="", env=FIXTURE)
    assert out.returncode == 0
    greeting = turns(out.stdout)[0]
    for command in ("/help", "/new", "/sources", "/quit"):
        assert command in greeting


def test_help_is_a_command_not_a_question():
    out = run_cli("chat", stdin="/help\n", env=FIXTURE)
    reply = turns(out.stdout)[1]
    assert "/new" in reply and "/sources" in reply and "/quit" in reply
    assert "sourced answer" not in reply and "You could ask next" not in reply     # neither an answer nor a refusal


def test_unknown_commands_are_not_asked_either():
    out = run_cli("chat", stdin="/sparrows\n", env=FIXTURE)
    reply = turns(out.stdout)[1]
    assert "Unknown command /sparrows" in reply and "/help" in reply
    assert "You could ask next" not in reply


def test_new_forgets_the_conversation():
    # the same follow-up as in the JSONL test: answered from the previous turn, refused without it
    quoted = "Backyard furnaces"    # the heading of the passage the follow-up is answered from
    kept = run_cli("chat", stdin="what was the steel target for 1958\nand what about the pots?\n", env=FIXTURE)
    assert quoted in turns(kept.stdout)[2].splitlines()
    forgot = run_cli("chat", stdin="what was the steel target for 1958\n/new\nand what about the pots?\n", env=FIXTURE)
    replies = turns(forgot.stdout)
    assert "New conversation" in replies[2]
    assert quoted not in replies[3].splitlines()


def test_sources_lists_the_citations_of_the_last_answer():
    question = "what replaced sparrows?"
    answer = json.loads(run_cli("ask", "--json", question, env=FIXTURE).stdout)
    out = run_cli("chat", stdin=f"/sources\n{question}\n/sources\n", env=FIXTURE)
    replies = turns(out.stdout)
    assert "ask a question first" in replies[1]
    listed = replies[3]
    assert answer["passages"]
    for unit in answer["passages"]:
        assert unit["title"] in listed
        for source in unit["sources"]:
            assert plain(source["citation"]) in listed  # as the terminal shows it


def test_quit_ends_the_chat_and_nothing_after_it_is_asked():
    out = run_cli("chat", stdin="/quit\nwhat replaced sparrows?\n", env=FIXTURE)
    assert out.returncode == 0
    assert "Bed bugs" not in out.stdout and "bed bugs" not in out.stdout.lower()


def test_empty_lines_do_not_end_the_chat():
    out = run_cli("chat", stdin="\n\nwhat replaced sparrows?\n", env=FIXTURE)
    assert "bed bug" in out.stdout.lower()
