"""`glf-tutor quiz`: a quiz in the terminal, on the same engine and database as the Discord /quiz.

Each question shows the seconds left and stops waiting at the limit. The quiz is saved as it is
played: stopping with Ctrl-C, Ctrl-D or a killed process leaves it to resume where it was.
Heavy imports happen inside the command, so `glf-tutor --help` stays fast; discord is never imported.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from bot import config
from bot.terminal.common import load_kb, say

DEFAULT_USER = "you"
DEFAULT_QUESTIONS = 5


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 3600:
        raise argparse.ArgumentTypeError("the time limit is 1 to 3600 seconds")
    return value


def user_name(text: str) -> str:
    """--user: a name the scores are saved under; a blank one would be a player nobody can name again."""
    name = text.strip()
    if not name:
        raise argparse.ArgumentTypeError("a name can't be blank (leave --user out to play as 'you')")
    return name


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quiz", help="play a quiz in the terminal (resumes an unfinished one)")
    p.add_argument("--topic", help="only questions on this topic (e.g. famine, steel, death_toll)")
    p.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS, help=f"how many questions (default {DEFAULT_QUESTIONS})")
    p.add_argument("--difficulty", choices=("easy", "medium", "hard"))
    p.add_argument("--user", type=user_name, default=DEFAULT_USER, help="your name, under which scores are saved (default: you)")
    p.add_argument("--time-limit", type=positive_seconds, default=60.0, help="seconds per question (default 60)")
    p.add_argument("--seed", type=int, help="random seed, for a reproducible choice of questions")
    p.set_defaults(func=cmd_quiz)


def local_user(name: str) -> str:
    return f"local:{name}"


def command_for(name: str, command: str = "quiz") -> str:
    """The command that carries on as this user: `glf-tutor quiz`, or `glf-tutor quiz --user 'Ann B'`."""
    return f"glf-tutor {command}" + ("" if name == DEFAULT_USER else f" --user {shlex.quote(name)}")


def parse_choice(text: str, count: int) -> int | None:
    text = text.strip().upper()
    if len(text) == 1 and text in "ABCD"[:count]:
        return "ABCD".index(text)
    if text.isdigit() and 1 <= int(text) <= count:
        return int(text) - 1
    return None


def render_question(asked) -> str:
    lines = [f"Question {asked.number} of {asked.total}: {asked.question.question}"]
    lines += [f"  {'ABCD'[i]}) {c}" for i, c in enumerate(asked.choices)]
    return "\n".join(lines)


def render_reveal(reveal, user: str | None = None, timed_out: bool = False) -> str:
    mine = next((s for s in reveal.submissions if s.user == user), None)
    right = f"{'ABCD'[reveal.correct_index]}) {reveal.choices[reveal.correct_index]}"
    if timed_out:
        verdict = "Time's up. "
    elif user is None:
        verdict = ""
    elif mine is None:
        verdict = "No answer. "
    else:
        verdict = f"Right! +{mine.points} points. " if mine.correct else "Not quite. "
    lines = [f"{verdict}The answer: {right}", reveal.question.explanation, f"From “{reveal.passage_title}”:"]
    lines += [f"  - {c}" for c in reveal.citations]
    return "\n".join(lines)


def render_standings(standings) -> str:
    if not standings:
        return "No points scored."
    return "\n".join(f"{s.rank}. {s.name}: {s.points} points ({s.correct}/{s.answered} right)" for s in standings)


def shortfall(got: int, wanted: int, topic: str | None, difficulty: str | None) -> str | None:
    """Why a quiz has fewer questions than asked for, or None."""
    if got >= wanted:
        return None
    from bot.engine.compose import topic_label

    which = " ".join(x for x in (difficulty,) if x)
    where = f" on {topic_label(topic)} ({topic})" if topic else ""
    return (f"Only {got} {which + ' ' if which else ''}question{'s' if got != 1 else ''}{where} in the question bank,"
            f" so this quiz has {got}, not {wanted}.")


def paused(name: str, session) -> str:
    from bot.study.quiz import Phase

    at = session.position + (2 if session.phase is Phase.REVEALED else 1)   # a revealed question is done
    return (f"Quiz paused and saved at question {min(at, len(session.plan))} of {len(session.plan)};"
            f" your points so far are kept. Carry on with `{command_for(name)}`.")


def cmd_quiz(args: argparse.Namespace, settings: config.Settings) -> int:
    import random

    from bot.storage import Database, StorageUnavailable
    from bot.study.quiz import Phase, QuizError, QuizRules, Receipt, StopReason
    from bot.study.rooms import QuizRooms
    from bot.terminal.timed_input import TIMEOUT, TimedReader

    kb = load_kb(settings)
    db = Database(settings.database)
    rooms = QuizRooms(kb, db, rng=random.Random(args.seed), rules=QuizRules(time_limit=args.time_limit))
    user = local_user(args.user)
    channel = f"terminal:{args.user}"
    room = rooms.resume(channel)
    try:
        if room is not None:
            score = sum(s.points for s in room.session.standings() if s.user == user)
            total = len(room.session.plan)
            say(f"Resuming your unfinished quiz at question {room.session.position + 1} of {total}"
                f" — {score} points so far. ({int(room.session.rules.time_limit)} s per question; q stops it.)")
            if args.topic or args.difficulty or args.questions != DEFAULT_QUESTIONS:
                say("(--topic, --difficulty and --questions apply to your next quiz, once this one is finished or stopped.)")
        else:
            room = rooms.start(channel, starter=user, starter_name=args.user, topic=args.topic,
                               difficulty=args.difficulty, questions=args.questions, time_limit=args.time_limit)
            n = len(room.session.plan)
            say(f"Quiz: {n} question{'s' if n != 1 else ''}, {int(args.time_limit)} s each. Answer A-D (or 1-4); q to stop.")
            if note := shortfall(len(room.session.plan), args.questions, room.topic, args.difficulty):
                say(note)
    except QuizError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    session = room.session
    reader = TimedReader()
    try:
        while True:
            timed_out = False
            if session.phase is Phase.ASKING and not session.has_answered(user):
                say()
                say(render_question(session.asked))
                while True:
                    line = reader.read("> ", session.asked.deadline)
                    if line is TIMEOUT:
                        timed_out = True
                        break
                    if line is None:   # end of input: leave the quiz saved, to resume next time
                        say("\n" + paused(args.user, session))
                        return 0
                    if line.strip().lower() in ("q", "quit", "stop"):
                        say("Quiz stopped.\n" + render_standings(rooms.cancel(channel)))
                        return 0
                    choice = parse_choice(line, len(session.asked.choices))
                    if choice is None:
                        say("Type A, B, C or D (or q to stop).")
                        continue
                    try:
                        result = rooms.answer(channel, user, choice, name=args.user, position=session.position)
                    except StorageUnavailable:
                        say("Your answer was not saved: the database cannot be reached. Type it again in a moment.")
                        continue
                    timed_out = result.receipt is Receipt.LATE
                    break
            if session.phase is Phase.ASKING:
                reveal = rooms.reveal(channel)
                say(render_reveal(reveal, user, timed_out=timed_out))
            if session.stop_reason is not None:
                standings = rooms.finish(channel)
                if session.stop_reason is StopReason.IDLE:
                    say("\nTwo questions in a row without an answer: the quiz ends here.")
                say("\nFinal score:\n" + render_standings(standings))
                due = db.due_reviews(user, time.time())
                if due:
                    say(f"{len(due)} question(s) to review: `{command_for(args.user, 'review')}`.")
                return 0
            rooms.next(channel)
    except KeyboardInterrupt:
        if session.live:
            say("\n" + paused(args.user, session))
        return 130
    finally:
        db.close()
