"""`glf-tutor progress`: accuracy by topic, weakest topics, streaks and the review deck."""

from __future__ import annotations

import argparse
import time

from bot import config
from bot.terminal.common import say
from bot.terminal.quiz import DEFAULT_USER, command_for, local_user, user_name


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("progress", help="your accuracy by topic, weakest topics and streaks")
    p.add_argument(
        "--user", type=user_name, default=DEFAULT_USER, help="a terminal name, a Discord display name, or discord:<id>"
    )
    p.set_defaults(func=cmd_progress)


def cmd_progress(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.storage import Database
    from bot.study.progress import progress

    db = Database(settings.database)
    try:
        user = args.user
        if ":" not in user:   # a terminal name first, else whoever last answered under that display name
            local = local_user(user)
            user = local if db.user_answers(local) else db.user_key_for_name(user) or local
        now = time.time()
        items = [i for i in db.review_items(user) if i.mastered_at is None]
        deck = (sum(i.due_at <= now for i in items), sum(i.due_at > now for i in items),
                len(db.review_items(user)) - len(items))
        say(render_progress(progress(db, user, now), args.user, deck))
    finally:
        db.close()
    return 0


def sort_key(label: str) -> str:
    """Alphabetical by what the topic is called, not by "the": "the famine…" sorts under f."""
    return label.casefold().removeprefix("the ")


def heading(label: str) -> str:
    return label[:1].upper() + label[1:]


def render_progress(p, name: str, deck: tuple[int, int, int] | None = None) -> str:
    from bot.engine.compose import topic_label
    from bot.study.progress import MIN_FOR_WEAKEST

    local = ":" not in name     # a terminal player, who can run the terminal commands under that name
    if not p.answered:
        who = "You have" if name == DEFAULT_USER else f"{name} has"
        return f"{who} not answered any quiz questions yet." + (f" Start one with `{command_for(name)}`." if local else "")
    lines = [f"{name}: {p.correct}/{p.answered} right ({p.accuracy:.0%}), {p.points} points",
             f"Streak: {p.day_streak} day(s); {p.correct_streak} right in a row (best {p.best_correct_streak})",
             "", "By topic:"]
    for t in sorted(p.topics, key=lambda t: sort_key(topic_label(t.topic))):
        lines.append(f"  {heading(topic_label(t.topic))}: {t.correct}/{t.answered} ({t.accuracy:.0%})")
    lines += ["", "Weakest topics:"]
    if p.weakest:
        lines += [f"  {heading(topic_label(t.topic))}: {t.correct}/{t.answered} ({t.accuracy:.0%})" for t in p.weakest]
    elif not any(t.answered >= MIN_FOR_WEAKEST for t in p.topics):
        lines.append(f"  none yet: a topic shows here once you have answered {MIN_FOR_WEAKEST} or more questions on it.")
    else:
        lines.append(f"  none: every topic you answered {MIN_FOR_WEAKEST} or more questions on is all right so far.")
    if deck is not None:
        due, waiting, mastered = deck
        lines += ["", f"Review: {due} due now, {waiting} waiting, {mastered} mastered"
                  + (f" — `{command_for(name, 'review')}`" if due and local else "")]
    return "\n".join(lines)
