"""What the terminal commands share: loading the knowledge base (saying which one), printing, reading."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot import config
from bot.terminal.plain import for_terminal


def say(text: str = "") -> None:
    """Print for a reader: the answers' Markdown as terminal text; flushed, as the commands are often piped."""
    print(for_terminal(text), flush=True)


def warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def knowledge_notice(knowledge_dir: Path, cwd: Path | None = None) -> str | None:
    """When the default knowledge base (the installed copy) is used inside a checkout whose knowledge/
    differs from it, say which one is used and how to use the checkout's: edits there change nothing
    until the tutor is pointed at them. None when there is nothing to say."""
    from bot.engine.loader import checkout_knowledge_dir, default_knowledge_dir, same_knowledge

    if knowledge_dir.resolve() != default_knowledge_dir().resolve():
        return None     # GLF_KNOWLEDGE_DIR chose another one on purpose
    checkout = checkout_knowledge_dir(cwd)
    if checkout is None or same_knowledge(checkout, knowledge_dir):
        return None
    here = os.path.relpath(checkout, (cwd or Path.cwd()).resolve())
    return (
        f"Note: using the installed knowledge base ({knowledge_dir}), not this checkout's {here}/, which differs from it."
        f" To use your edits: GLF_KNOWLEDGE_DIR={here} glf-tutor …  (check them with: glf-tutor check {here})"
    )


def load_kb(settings: config.Settings, notice: bool = True):
    """The validated knowledge base, or exit 2 listing every problem. Says which copy it uses when that matters."""
    from bot.engine import KnowledgeError, load_knowledge

    if notice and (text := knowledge_notice(settings.knowledge_dir)) is not None:
        warn(text)
    try:
        return load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        warn(f"The knowledge base at {settings.knowledge_dir} is broken; not starting.")
        for problem in exc.problems:
            warn(f"  {problem}")
        raise SystemExit(2) from None


def load_tutor(settings: config.Settings):
    """The tutor of the snapshot an earlier start left in GLF_CACHE_DIR for these same files, else built
    (validating the knowledge base) and snapshotted."""
    from bot.engine import Tutor
    from bot.engine.semantic import load_model
    from bot.engine.snapshot import load_snapshot, save_snapshot, snapshot_path

    if (text := knowledge_notice(settings.knowledge_dir)) is not None:
        warn(text)
    embedder = load_model()
    path = snapshot_path(settings.knowledge_dir, settings.cache_dir, embedder)  # the files hashed once
    tutor = load_snapshot(path, embedder)
    if tutor is None:
        tutor = Tutor(load_kb(settings, notice=False), embedder=embedder)
        save_snapshot(tutor, path)
    return tutor


def read_line(prompt: str) -> str | None:
    """One line from standard input, or None at its end."""
    try:
        return input(prompt)
    except EOFError:
        return None
