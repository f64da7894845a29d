"""`glf-tutor chat`: a conversation in the terminal, with a few slash commands.

Anything that does not start with "/" is a question; follow-ups are read against the conversation.
"""

from __future__ import annotations

import argparse

from bot import config
from bot.terminal.common import load_tutor, read_line, say

CONVERSATION = "terminal"

COMMANDS = {
    "/help": "this list",
    "/new": "forget the conversation and start a new one",
    "/sources": "the full sources of the last answer",
    "/fact TERM": "a glossary entry (e.g. /fact commune)",
    "/dispute TOPIC": "a disputed figure's estimates side by side (/dispute alone lists them)",
    "/timeline [YEAR]": "the dated events, all or one year's",
    "/quit": "leave (or Ctrl-D)",
}
ALIASES = {"/exit": "/quit", "/bye": "/quit", "/q": "/quit", "/?": "/help", "/reset": "/new", "/clear": "/new"}
QUIT_WORDS = frozenset({"quit", "exit", "bye"})

GREETING = (
    "GLF Tutor — ask about the Great Leap Forward (1958-1962), in your own words; follow-up questions work.\n"
    "Commands: /help, /new (new conversation), /sources (of the last answer), /fact, /dispute, /timeline,"
    " /quit (or Ctrl-D)."
)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="interactive conversation in the terminal (/help inside for its commands)")
    p.set_defaults(func=cmd_chat)


def help_text() -> str:
    width = max(map(len, COMMANDS))
    lines = ["Type a question, or one of:"] + [f"  {name.ljust(width)}  {what}" for name, what in COMMANDS.items()]
    lines.append("Follow-ups (“what happened to him afterwards?”) are read against the conversation until /new.")
    return "\n".join(lines)


def sources_text(answer, kb) -> str:
    """Every source the answer quoted, by the unit it came from, then those of its disputed figures."""
    from bot.engine.formatting import citation

    if answer is None:
        return "No answer yet in this conversation: ask a question first."
    if answer.abstained or not (answer.passages or answer.disputes):
        return "The last answer quoted no sources: the knowledge base had no sourced answer to it."
    lines = [f"Sources of the answer to “{answer.question}”:"]
    for unit in answer.passages:
        lines.append(f"• {unit.title}")
        lines += [f"    {s.citation}" for s in unit.sources]
    for dispute in answer.disputes:
        cited = dict.fromkeys(e.source for e in dispute.estimates)
        lines.append(f"• Estimates: {dispute.question}")
        lines += [f"    {citation(kb.sources[sid], journal=False)}" for sid in cited if sid in kb.sources]
    return "\n".join(lines)


def command(line: str) -> str | None:
    """The chat command a line names (aliases resolved), or None if it is a question."""
    word = line.strip().split(maxsplit=1)[0].lower() if line.strip() else ""
    if line.strip().lower() in QUIT_WORDS:
        return "/quit"
    if not word.startswith("/"):
        return None
    return ALIASES.get(word, word)


LOOKUPS = ("/fact", "/dispute", "/timeline")


def look_up(name: str, line: str, lookup) -> str:
    """/fact TERM, /dispute TOPIC, /timeline [YEAR], as `glf-tutor fact` etc. print them."""
    from bot.terminal import lookup as texts

    words = line.strip().split(maxsplit=1)
    rest, problem = texts.look_up_words(words[1] if len(words) > 1 else "")
    if problem:
        return problem
    if name == "/fact":
        return texts.fact_text(lookup, rest)[1] if rest else "Name a term to look up, e.g. /fact commune"
    if name == "/dispute":
        return texts.dispute_text(lookup, rest)[1]
    if not rest:
        return texts.timeline_text(lookup, None)[1]
    if not rest.isdigit():
        return f"/timeline takes a year, such as /timeline 1959 (not “{rest}”)."
    return texts.timeline_text(lookup, int(rest))[1]


def cmd_chat(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine.lookup import Lookup

    tutor = load_tutor(settings)
    lookup = Lookup(tutor.kb, ask=tutor.ask)
    say(GREETING)
    last = None
    while True:
        try:
            line = read_line("\nyou> ")
        except KeyboardInterrupt:
            line = None
        if line is None:
            say()
            return 0
        if not line.strip():
            continue
        name = command(line)
        if name is None:
            last = tutor.ask(line, conversation=CONVERSATION)
            say("\n" + last.text)
        elif name == "/quit":
            return 0
        elif name == "/help":
            say(help_text())
        elif name == "/new":
            tutor.memory.forget(CONVERSATION)
            last = None
            say("New conversation: earlier questions are forgotten.")
        elif name == "/sources":
            say(sources_text(last, tutor.kb))
        elif name in LOOKUPS:
            say(look_up(name, line, lookup))
        else:
            say(f"Unknown command {name}. " + ", ".join(c.split()[0] for c in COMMANDS) + " — or just type a question.")
