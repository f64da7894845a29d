"""Study tools in the terminal: `quiz`, `review`, `progress`, `chart` — the same engine and database
as the Discord study cog. Heavy imports (the knowledge base, matplotlib) happen inside each command
so `glf-tutor --help` and the other commands start fast; discord is never imported here.
"""

from __future__ import annotations

import argparse
import sys
import time


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("quiz", help="play a quiz in the terminal (resumes an unfinished one)")
    p.add_argument("--topic", help="only questions on this topic (e.g. famine, steel, death_toll)")
    p.add_argument("--questions", type=int, default=5, help="how many questions (default 5)")
    p.add_argument("--difficulty", choices=("easy", "medium", "hard"))
    p.add_argument("--user", default="you", help="your name, under which scores are saved (default: you)")
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per question (default 60)")
    p.add_argument("--seed", type=int, help="random seed, for a reproducible choice of questions")
    p.set_defaults(func=cmd_quiz)

    p = sub.add_parser("review", help="review the questions you got wrong (spaced repetition)")
    p.add_argument("--user", default="you")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("progress", help="your accuracy by topic, weakest topics and streaks")
    p.add_argument("--user", default="you", help="a terminal name, a Discord display name, or discord:<id>")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("chart", help="draw a chart as a PNG (deaths, grain, steel)")
    p.add_argument("name", help="deaths, grain or steel")
    p.add_argument("-o", "--output", required=True, help="the PNG file to write")
    p.set_defaults(func=cmd_chart)


def local_user(name: str) -> str:
    return f"local:{name}"


def _kb(settings):
    """The knowledge base alone (no search index: quizzes and charts do not need one)."""
    from bot.engine import KnowledgeError, load_knowledge

    try:
        return load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        print(f"The knowledge base at {settings.knowledge_dir} is broken; not starting.", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def _open(settings):
    from bot.engine.storage import Database

    return _kb(settings), Database(settings.database)


def _say(text: str = "") -> None:
    print(text, flush=True)   # flushed: the quiz is often driven through a pipe


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def _parse_choice(text: str, count: int) -> int | None:
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


def render_reveal(reveal, user: str | None = None) -> str:
    mine = next((s for s in reveal.submissions if s.user == user), None)
    right = f"{'ABCD'[reveal.correct_index]}) {reveal.choices[reveal.correct_index]}"
    if user is None:
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


def cmd_quiz(args: argparse.Namespace, settings) -> int:
    import random

    from bot.study.quiz import Phase, QuizError, QuizRules, Receipt, StopReason
    from bot.study.rooms import QuizRooms

    kb, db = _open(settings)
    rooms = QuizRooms(kb, db, rng=random.Random(args.seed), rules=QuizRules(time_limit=args.time_limit))
    user = local_user(args.user)
    channel = f"terminal:{args.user}"
    room = rooms.resume(channel)
    try:
        if room is not None:
            score = sum(s.points for s in room.session.standings() if s.user == user)
            _say(f"Resuming your unfinished quiz at question {room.session.position + 1} of {len(room.session.plan)}"
                 f" — {score} points so far.")
        else:
            room = rooms.start(channel, starter=user, starter_name=args.user, topic=args.topic,
                               difficulty=args.difficulty, questions=args.questions, time_limit=args.time_limit)
            _say(f"Quiz: {len(room.session.plan)} questions. Answer A-D (or 1-4); q to stop.")
    except QuizError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    session = room.session
    while True:
        if session.phase is Phase.ASKING and not session.has_answered(user):
            _say()
            _say(render_question(session.asked))
            while True:
                line = _read("> ")
                if line is None:   # end of input: leave the quiz saved, to resume next time
                    _say("\nQuiz paused; run `glf-tutor quiz` again to carry on.")
                    return 0
                if line.strip().lower() in ("q", "quit", "stop"):
                    _say("Quiz stopped.\n" + render_standings(rooms.cancel(channel)))
                    return 0
                choice = _parse_choice(line, len(session.asked.choices))
                if choice is None:
                    _say("Type A, B, C or D (or q to stop).")
                    continue
                result = rooms.answer(channel, user, choice, name=args.user, position=session.position)
                if result.receipt is Receipt.LATE:
                    _say("Too late for this one.")
                break
        if session.phase is Phase.ASKING:
            reveal = rooms.reveal(channel)
            _say(render_reveal(reveal, user))
        if session.stop_reason is not None:
            standings = rooms.finish(channel)
            if session.stop_reason is StopReason.IDLE:
                _say("\nTwo questions in a row without an answer: the quiz ends here.")
            _say("\nFinal score:\n" + render_standings(standings))
            due = db.due_reviews(user, time.time())
            if due:
                _say(f"{len(due)} question(s) to review: `glf-tutor review --user {args.user}`.")
            return 0
        rooms.next(channel)


def cmd_review(args: argparse.Namespace, settings) -> int:
    from bot.study.review import ReviewDeck

    kb, db = _open(settings)
    deck = ReviewDeck(kb, db)
    user = local_user(args.user)
    seen: set[str] = set()
    while (card := deck.next_card(user, skip=seen)) is not None:
        seen.add(card.question.id)
        _say(f"\n(box {card.box}) {card.question.question}")
        _say("\n".join(f"  {'ABCD'[i]}) {c}" for i, c in enumerate(card.choices)))
        choice = None
        while choice is None:
            line = _read("> ")
            if line is None or line.strip().lower() in ("q", "quit", "stop"):
                return 0
            choice = _parse_choice(line, len(card.choices))
        outcome = deck.answer(user, card, choice, name=args.user)
        if outcome.correct:
            _say("Right. " + ("Mastered!" if outcome.schedule.mastered else f"Moved to box {outcome.schedule.box}."))
        else:
            _say(f"Not quite: {card.question.answer}. {card.question.explanation}")
    status = deck.status(user)
    _say(f"\nNothing due for review. {status.waiting} waiting, {status.mastered} mastered.")
    return 0


def cmd_progress(args: argparse.Namespace, settings) -> int:
    from bot.engine.storage import Database
    from bot.study.progress import progress

    db = Database(settings.database)
    user = args.user
    if ":" not in user:   # a terminal name first, else whoever last answered under that display name
        local = local_user(user)
        user = local if db.user_answers(local) else db.user_key_for_name(user) or local
    _say(render_progress(progress(db, user, time.time()), args.user))
    return 0


def render_progress(p, name: str) -> str:
    from bot.engine.compose import topic_label

    if not p.answered:
        return f"{name} has not answered any quiz questions yet."
    lines = [f"{name}: {p.correct}/{p.answered} right ({p.accuracy:.0%}), {p.points} points",
             f"Streak: {p.day_streak} day(s); {p.correct_streak} right in a row (best {p.best_correct_streak})", "By topic:"]
    lines += [f"  {topic_label(t.topic)}: {t.correct}/{t.answered} ({t.accuracy:.0%})" for t in p.topics]
    if p.weakest:
        lines.append("Weakest: " + ", ".join(f"{topic_label(t.topic)} ({t.accuracy:.0%})" for t in p.weakest))
    return "\n".join(lines)


def cmd_chart(args: argparse.Namespace, settings) -> int:
    from bot.charts import CHARTS, render_chart

    if args.name not in CHARTS:
        print(f"No chart called {args.name!r}; choose one of: {', '.join(CHARTS)}.", file=sys.stderr)
        return 2
    chart = render_chart(args.name, _kb(settings))
    with open(args.output, "wb") as fh:
        fh.write(chart.png)
    _say(f"Wrote {args.output}.\n{chart.caption}")
    return 0
