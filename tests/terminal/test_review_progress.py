"""`glf-tutor review` says what the boxes mean and when a card comes back; `progress` sorts its topics
and always has a "Weakest topics" section."""

from __future__ import annotations

import re

from bot.storage import Database
from bot.study.progress import Progress, TopicScore
from bot.terminal.progress import render_progress
from tests.terminal.conftest import run_cli


def play(env, user: str, answers: str, questions: int = 4, seed: int = 2):
    out = run_cli("quiz", "--user", user, "--questions", str(questions), "--seed", str(seed), stdin=answers, env=env)
    assert out.returncode == 0, out.stderr
    return out


def test_review_explains_the_boxes_and_when_cards_come_back(db_env, tmp_path):
    play(db_env, "max", "A\nA\nA\nA\n")
    db = Database(db_env["GLF_DATABASE"])
    missed = [a for a in db.user_answers("local:max") if not a.correct]
    assert missed, "seed 2 with all-A answers should miss at least one question"
    db.close()
    out = run_cli("review", "--user", "max", stdin="A\n" * len(missed), env=db_env)
    assert out.returncode == 0, out.stderr
    intro = out.stdout.split("\n(box")[0]
    assert "box 1" in intro and "box 2 after 1 day" in intro and "box 5 after 14 days" in intro
    assert "mastered" in intro and "back to box 1" in intro
    assert out.stdout.count("(box 1 of 5)") == len(missed)
    # after every answer: where the card went and when it comes back
    moves = re.findall(r"(Moved to box \d: it comes back in [^.\n]+|Back to box 1: it comes back in 10 minutes)", out.stdout)
    assert len(moves) == len(missed)
    assert "Nothing due for review now." in out.stdout and "(the next comes back in" in out.stdout


def test_review_with_nothing_missed_says_where_cards_come_from(db_env):
    out = run_cli("review", "--user", "nobody", stdin="", env=db_env)
    assert out.returncode == 0
    assert "Nothing to review yet" in out.stdout and "glf-tutor quiz --user nobody" in out.stdout


def progress_of(topics, weakest=()) -> Progress:
    answered = sum(t.answered for t in topics)
    correct = sum(t.correct for t in topics)
    return Progress("local:ann", answered, correct, correct * 100, tuple(topics), tuple(weakest), 1, 0, 2)


def test_progress_lists_topics_in_alphabetical_order_of_their_names():
    from bot.engine.compose import topic_label

    topics = [TopicScore(t, 2, 1) for t in ("steel", "death_toll", "communes", "aftermath", "famine")]
    text = render_progress(progress_of(topics), "ann")
    block = text.split("By topic:\n")[1].split("\n\n")[0].splitlines()
    names = [line.strip().split(":")[0].casefold().removeprefix("the ") for line in block]
    assert len(names) == len(topics) and names == sorted(names)
    assert {n.casefold() for n in names} == {topic_label(t.topic).casefold().removeprefix("the ") for t in topics}


def test_progress_always_has_a_weakest_topics_section():
    weak = TopicScore("famine", 4, 1)
    text = render_progress(progress_of([TopicScore("steel", 3, 3), weak], weakest=[weak]), "ann")
    section = text.split("Weakest topics:\n")[1].splitlines()
    assert section[0].strip().startswith("The famine") and "1/4 (25%)" in section[0]
    few = render_progress(progress_of([TopicScore("steel", 1, 0)]), "ann")
    assert "Weakest topics:\n  none yet: a topic shows here once you have answered 2 or more" in few
    perfect = render_progress(progress_of([TopicScore("steel", 3, 3)]), "ann")
    assert "Weakest topics:\n  none: every topic you answered 2 or more questions on is all right" in perfect


def test_progress_after_a_real_quiz(db_env):
    play(db_env, "zoe", "A\nB\nC\nD\nA\nB\n", questions=6, seed=5)
    out = run_cli("progress", "--user", "zoe", env=db_env)
    assert out.returncode == 0
    assert re.search(r"zoe: \d/6 right", out.stdout)
    assert "By topic:" in out.stdout and "Weakest topics:" in out.stdout and "Review:" in out.stdout
