"""`glf-tutor fact | dispute | timeline | sources`: the knowledge base's look-ups, as Discord's slash commands
of the same names give them, in plain text. `glf-tutor chat` offers them as /fact, /dispute and /timeline."""

from __future__ import annotations

import argparse

from bot import config
from bot.terminal.common import load_kb, load_tutor, say, warn

MAX_TERM = 100  # as long as Discord's option allows


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fact", help="a glossary entry: a term, person, place or campaign (e.g. commune, Peng Dehuai)")
    p.add_argument("term", nargs="+", help="the term, or an alias or the start of one")
    p.set_defaults(func=cmd_fact)
    p = sub.add_parser("dispute", help="a disputed figure: every published estimate side by side")
    p.add_argument("topic", nargs="*", help="e.g. death toll, grain output (none: list the disputed figures)")
    p.set_defaults(func=cmd_dispute)
    p = sub.add_parser("timeline", help="the dated events, all or one year's")
    p.add_argument("year", nargs="?", type=_year, help="only this year, e.g. 1959")
    p.set_defaults(func=cmd_timeline)
    p = sub.add_parser("sources", help="the bibliography behind the answers, all or one topic's")
    p.add_argument("topic", nargs="*", help="only the sources cited on this topic, e.g. steel")
    p.set_defaults(func=cmd_sources)


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1900 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"a year is four digits, such as 1959 (not “{text}”)")
    return int(text)


def _looked_up(settings: config.Settings, tutor: bool = False):
    """A look-up over the validated knowledge base; with the tutor (slower to load) when it may have to ask."""
    from bot.engine.lookup import Lookup

    if tutor:
        loaded = load_tutor(settings)
        return Lookup(loaded.kb, ask=loaded.ask)
    return Lookup(load_kb(settings))


def look_up_words(text: str) -> tuple[str, str | None]:
    """What was typed, its spacing tidied, and what is wrong with it (too long for a look-up), if anything."""
    text = " ".join(text.split())
    problem = f"That is {len(text)} characters; a look-up takes at most {MAX_TERM}." if len(text) > MAX_TERM else None
    return text, problem


def _words(parts: list[str]) -> str | None:
    """The words given, or None (a message said why) when too long."""
    text, problem = look_up_words(" ".join(parts))
    if problem:
        warn(problem)
        return None
    return text


# ----- plain-text renderings (shared with `glf-tutor chat`) ------------------------------------


def fact_text(lookup, term: str) -> tuple[bool, str]:
    from bot.engine.formatting import citation

    entry = lookup.find_entry(term)
    if entry is None:
        near = ", ".join(lookup.near_entries(term))
        hint = f" Close: {near}." if near else ""
        return False, f"No glossary entry for “{term}”.{hint} Ask a question for a fuller answer."
    kb = lookup.kb
    lines = [entry.heading, entry.definition]
    if entry.aliases:
        lines.append("Also known as: " + ", ".join(entry.aliases))
    cited = [citation(kb.sources[r.id], r, journal=False) for r in entry.sources if r.id in kb.sources]
    if cited:
        lines.append("Sources: " + "; ".join(cited))
    return True, "\n".join(lines)


def dispute_text(lookup, topic: str) -> tuple[bool, str]:
    from bot.engine.compose import dispute_view
    from bot.engine.formatting import citation

    kb = lookup.kb
    listed = "\n".join(f"  • {d.question}" for d in kb.disputes.values())
    if not topic:
        return True, f"Disputed figures ({len(kb.disputes)}):\n{listed}"
    found = lookup.find_dispute(topic)
    if found is None:
        return False, f"I have no disputed figure on “{topic}”. I have:\n{listed}"
    view = dispute_view(found)
    lines = [f"Disputed figure: {view.question}", f"{len(view.estimates)} published estimates, lowest to highest:"]
    for e in view.estimates:
        src = kb.sources.get(e.source)
        lines.append(f"  • {e.label} — {e.by} ({e.year})" + (f": {e.method}" if e.method else ""))
        if src is not None:
            lines.append(f"      {citation(src, journal=False)}")
    lines += ["Why they differ:", view.why_they_differ]
    return True, "\n".join(lines)


def timeline_text(lookup, year: int | None) -> tuple[bool, str]:
    events = lookup.timeline(year)
    if not events:
        return False, f"No events for {year} in my timeline (it covers {lookup.timeline_span()})."
    title = "Timeline of the Great Leap Forward" if year is None else f"Timeline: {year}"
    return True, "\n".join([title] + [f"  {e.date} — {e.event}" for e in events])


def sources_text(lookup, topic: str) -> tuple[bool, str]:
    from bot.engine.compose import topic_label
    from bot.engine.formatting import citation

    kb = lookup.kb
    if topic:
        chosen = lookup.find_topic(topic)
        if chosen is None:
            return False, f"No topic “{topic}”. Topics: " + ", ".join(topic_label(t) for t in kb.topics)
        sources, title = lookup.topic_sources(chosen), f"Sources on {topic_label(chosen)}"
    else:
        sources, title = list(kb.sources.values()), "Bibliography"
    lines = [f"{title} ({len(sources)} sources):"]
    for s in sorted(sources, key=lambda s: (s.author, s.year, s.title)):
        lines.append(f"  • {citation(s)}" + (f" <{s.url}>" if s.url else ""))
    return True, "\n".join(lines)


def _print(found: tuple[bool, str]) -> int:
    ok, text = found
    (say if ok else warn)(text)
    return 0 if ok else 1


def cmd_fact(args: argparse.Namespace, settings: config.Settings) -> int:
    term = _words(args.term)
    if term is None:
        return 2
    if not term:
        warn("Name a term to look up, e.g. glf-tutor fact commune")
        return 2
    return _print(fact_text(_looked_up(settings), term))


def cmd_dispute(args: argparse.Namespace, settings: config.Settings) -> int:
    topic = _words(args.topic)
    if topic is None:
        return 2
    return _print(dispute_text(_looked_up(settings, tutor=bool(topic)), topic))


def cmd_timeline(args: argparse.Namespace, settings: config.Settings) -> int:
    return _print(timeline_text(_looked_up(settings), args.year))


def cmd_sources(args: argparse.Namespace, settings: config.Settings) -> int:
    topic = _words(args.topic)
    if topic is None:
        return 2
    return _print(sources_text(_looked_up(settings), topic))
