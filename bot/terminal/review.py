"""`glf-tutor review`: the quiz questions you missed, asked again by spaced repetition (Leitner boxes)."""

from __future__ import annotations

import argparse
import datetime as dt

from bot import config
from bot.terminal.common import load_kb, read_line, say
from bot.terminal.quiz import DEFAULT_USER, command_for, local_user, parse_choice, user_name


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="review the questions you got wrong (spaced repetition)")
    p.add_argument("--user", type=user_name, default=DEFAULT_USER, help="the name you played the quiz under (default: you)")
    p.set_defaults(func=cmd_review)


def duration(seconds: float) -> str:
    """10 minutes, 23 hours, 3 days."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = round(seconds / 86400)
    return f"{days} day{'s' if days != 1 else ''}"


def how_boxes_work() -> str:
    from bot.study.review import INTERVALS, LAST_BOX, RETRY_AFTER

    later = ", ".join(f"box {box} after {duration(wait)}" for box, wait in sorted(INTERVALS.items()) if wait > 0)
    return (
        f"Each card sits in a box from 1 to {LAST_BOX}. A question you miss starts in box 1. A right answer moves it up"
        f" a box, and it comes back later: {later}. Right in box {LAST_BOX}, it is mastered and leaves your deck."
        f" A wrong answer sends it back to box 1, due again in {duration(RETRY_AFTER)}."
    )


def when(due_at: float, now: float) -> str:
    """in 10 minutes; in 3 days (Mon 12 May)."""
    day = dt.datetime.fromtimestamp(due_at).strftime("%a %d %b")
    return f"in {duration(due_at - now)}" + (f" ({day})" if due_at - now >= 86400 else "")


def cmd_review(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.storage import Database
    from bot.study.review import LAST_BOX, ReviewDeck

    kb = load_kb(settings)
    db = Database(settings.database)
    deck = ReviewDeck(kb, db)
    user = local_user(args.user)
    seen: set[str] = set()
    try:
        card = deck.next_card(user)
        if card is not None:
            say(f"Review: the quiz questions you missed. {how_boxes_work()} Answer A-D; q to stop.")
        while card is not None:
            seen.add(card.question.id)
            say(f"\n(box {card.box} of {LAST_BOX}) {card.question.question}")
            say("\n".join(f"  {'ABCD'[i]}) {c}" for i, c in enumerate(card.choices)))
            choice = None
            while choice is None:
                line = read_line("> ")
                if line is None or line.strip().lower() in ("q", "quit", "stop"):
                    return 0
                choice = parse_choice(line, len(card.choices))
                if choice is None:
                    say("Type A, B, C or D (or q to stop).")
            outcome = deck.answer(user, card, choice, name=args.user)
            step, now = outcome.schedule, deck.clock()
            if outcome.correct:
                say("Right. " + ("Mastered: it leaves your deck." if step.mastered
                                 else f"Moved to box {step.box}: it comes back {when(step.due_at, now)}."))
            else:
                say(f"Not quite: {card.question.answer}. {card.question.explanation}")
                say(f"Back to box 1: it comes back {when(step.due_at, now)}.")
            card = deck.next_card(user, skip=seen)
        status = deck.status(user)
        if not (seen or status.waiting or status.mastered or status.due):
            say(f"Nothing to review yet: the questions you miss in `{command_for(args.user)}` come here.")
            return 0
        later = f" (the next comes back {when(status.next_due_at, deck.clock())})" if status.next_due_at else ""
        say(f"\nNothing due for review now. {status.waiting} waiting{later}, {status.mastered} mastered.")
        return 0
    finally:
        db.close()
