"""`glf-tutor db copy`: a populated SQLite file goes to PostgreSQL and back exactly, verified by
counts and checksums; the destination must be empty; ids handed out afterwards continue the copy."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from bot.storage import Database
from bot.storage.copy import TABLES, table_figures
from tests.conftest import REPO

BIG = 987_654_321_987_654_321


def populate(path) -> None:
    t = [1_700_000_000.123456]
    db = Database(path, clock=lambda: t[0])
    db.set_guild_setting(BIG, "answer_in_thread", "on")
    for n in range(3):
        db.add_report(question=f"why {n}? — 大跃进", passage_ids=["p1", "p2"], reporter_id=BIG + n, reporter_name="Ann",
                      guild_id=BIG, channel_id=BIG - 1, note=None if n else "the year is wrong")
    db.resolve_report(2, by="curator", note="fixed")
    db.create_quiz(session_id="s1", channel="discord:1", guild_id=BIG, starter="discord:7", starter_name=None, topic="famine",
                   difficulty="hard", plan=[("q1", (2, 0, 1, 3)), ("q2", (0, 1, 2, 3))], time_limit=20.0, asked_at=t[0])
    db.set_quiz_message("s1", BIG + 7)
    for i in range(25):
        db.record_quiz_answer(session_id="s1", position=0, guild_id=BIG, user_key=f"discord:{BIG + i}", user_name=f"user {i}",
                              question_id="q1", topic="famine", choice="about 0.1", correct=i % 3 == 0,
                              points=(i * 37) % 100, elapsed=0.1 * i, answered_at=t[0] + i / 7)
    db.reveal_quiz_question("s1", 0, misses=[(f"discord:{BIG + i}", "q1") for i in range(1, 25, 3)], due_at=t[0] + 86400)
    db.end_quiz("s1", "finished")
    db.deal_review_card(card_id="c1", sitting="st", user_key="local:ann", question_id="q1", choices=["a", "b"], box=1)
    db.record_review_answer(user_key="local:ann", user_name="ann", question_id="q1", topic=None, choice="a", correct=True,
                            box=2, due_at=t[0] + 3, mastered=False, card_id="c1", card_choice=0)
    db.save_shown(shown_id="m1", owner_id=BIG, pages=[{"title": "Famine — 饥荒"}], question="q?", passage_ids=["p"],
                  followups=["and?"])
    db.close()


def raw(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {key}").fetchall() for t, key in TABLES}
    finally:
        conn.close()


def copy(src: str, dst: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "db", "copy", src, dst], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


def test_sqlite_to_postgresql_and_back_is_exact(tmp_path, pg_url):
    original, back = tmp_path / "original.sqlite3", tmp_path / "back.sqlite3"
    populate(original)
    there = copy(str(original), pg_url)
    assert there.returncode == 0, there.stderr
    (line,) = [ln for ln in there.stdout.splitlines() if ln.split()[:1] == ["answers"]]
    assert line.split()[1:3] == ["26", "rows"] and "sha256" in line
    home = copy(pg_url, str(back))
    assert home.returncode == 0, home.stderr
    assert raw(back) == raw(original)                     # every row, every value, every type
    src, pg = Database(original), Database(pg_url)
    assert table_figures(pg) == table_figures(src)
    counts = {t: n for t, (n, _) in table_figures(pg).items()}
    assert counts["answers"] == 26 and counts["reports"] == 3 and counts["review_items"] == 9
    # the copies hand out the next ids after the copied ones
    assert pg.add_report(question="new", passage_ids=[]) == 4 == src.add_report(question="new", passage_ids=[])
    src.close()
    pg.close()


def test_copy_refuses_a_destination_that_is_not_empty(tmp_path, pg_url):
    original = tmp_path / "original.sqlite3"
    populate(original)
    assert copy(str(original), pg_url).returncode == 0
    again = copy(str(original), pg_url)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert {t: n for t, (n, _) in table_figures(Database(pg_url)).items()}["answers"] == 26   # nothing doubled
