"""`glf-tutor bench --storage`: quiz answers committed per second and the p99 commit latency, for
each backend, with 1 and 4 writer processes (each answer is one committed transaction, as in a quiz).

Writers are separate processes, started together; each records its answers one after another and
times every commit. SQLite runs on a fresh temporary file; PostgreSQL on the database given (rows are
written under a new bench-… quiz session: use a scratch database).
"""

from __future__ import annotations

import multiprocessing as mp
import tempfile
import time
import uuid
from pathlib import Path

from bot.storage import Database, mask_url


def _writer(target: str, session_id: str, worker: int, count: int, ready, go, out) -> None:
    db = Database(target)
    ready.put(worker)
    go.wait()
    latencies = []
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        ok = db.record_quiz_answer(session_id=session_id, position=0, guild_id=1, user_key=f"bench-{worker}-{i}",
                                   user_name=None, question_id="q", topic=None, choice="a", correct=True, points=1,
                                   elapsed=0.0, answered_at=time.time())
        latencies.append(time.perf_counter() - t0)
        assert ok
    out.put((start, time.perf_counter(), latencies))
    db.close()


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_one(target: str, writers: int, count: int) -> dict:
    db = Database(target)
    session_id = f"bench-{uuid.uuid4().hex[:10]}"
    db.create_quiz(session_id=session_id, channel=f"bench:{session_id}", guild_id=1, starter="bench", starter_name=None,
                   topic=None, difficulty=None, plan=[("q", (0, 1, 2, 3))], time_limit=1.0, asked_at=0.0)
    db.end_quiz(session_id, "finished")   # not a live quiz: it must not block anything
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(target, session_id, w, count, ready, go, out)) for w in range(writers)]
    for p in procs:
        p.start()
    for _ in procs:   # every writer connected before the start signal
        ready.get(timeout=120)
    go.set()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    stored = len(db.quiz_answers(session_id))
    db.close()
    latencies = [x for _, _, lat in results for x in lat]
    wall = max(end for _, end, _ in results) - min(start for start, _, _ in results)
    return {"writers": writers, "answers": len(latencies), "stored": stored, "answers_per_s": round(len(latencies) / wall),
            "p50_ms": round(_p(latencies, 0.50) * 1000, 2), "p99_ms": round(_p(latencies, 0.99) * 1000, 2)}


def run_storage_bench(postgres: str | None, count: int = 500, writers: tuple[int, ...] = (1, 4)) -> dict:
    figures: dict = {"answers_per_writer": count, "backends": []}
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", str(Path(tmp) / "bench.sqlite3"))]
        if postgres:
            targets.append(("postgresql", postgres))
        for name, target in targets:
            rows = [run_one(target, w, count) for w in writers]
            figures["backends"].append({"backend": name, "database": mask_url(target) if name != "sqlite" else "temp file",
                                        "runs": rows})
    if not postgres:
        figures["postgresql"] = "skipped: give --postgres postgresql://… (a scratch database)"
    return figures


def format_storage_report(figures: dict) -> str:
    lines = [f"storage: {figures['answers_per_writer']} committed quiz answers per writer process"]
    lines.append(f"{'backend':12} {'writers':>7} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8}  stored")
    for backend in figures["backends"]:
        for r in backend["runs"]:
            lines.append(f"{backend['backend']:12} {r['writers']:>7} {r['answers_per_s']:>10} {r['p50_ms']:>8} {r['p99_ms']:>8}"
                         f"  {r['stored']}/{r['answers']}")
    if "postgresql" in figures:
        lines.append(f"postgresql: {figures['postgresql']}")
    return "\n".join(lines)
