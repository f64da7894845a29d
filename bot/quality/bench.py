"""`glf-tutor bench`: what users would feel — answer latency, throughput, cold start, memory, and the
bot under load (n concurrent /ask; a burst of /chart with quiz presses in between).

Measured here, never in timed tests. The question mix is fixed: every passage's own question, the
same questions reworded with typos and chat-speak, follow-ups, and off-topic questions that must be
refused, so both answering and abstaining paths are timed.
"""

from __future__ import annotations

import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from typing import Any

from bot.engine import Tutor, load_knowledge
from bot.engine.records import KnowledgeBase, Passage, Source, SourceRef
from bot.engine.text import tokenize, words

TARGETS = {"p99_ms": 2.0, "cold_start_s": 1.0, "rss_mb": 120.0, "slowest_answer_ms": 1000.0, "synthetic_ratio": 1.0}
OFF_TOPIC = [
    "what's a good recipe for dumplings",
    "Who will win the next Olympics?",
    "How many people died in the Irish potato famine?",
    "what was the death toll of the Korean War?",
    "how many died in the cultural revolution",
    "",
    "?!",
]
FOLLOW_UPS = ["who made the highest estimate?", "what happened to him afterwards?", "why?", "and did they reach it?"]


def question_mix(tutor: Tutor) -> list[str]:
    own = [p.question for p in tutor.kb.passages if p.question]
    sloppy = [q.lower().replace("what", "wat").replace("people", "ppl").rstrip("?") + "??" for q in own[::3]]
    return own + sloppy + OFF_TOPIC


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if platform.system() == "Darwin" else peak / 1024


def _process_answer_s(env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "ask", "When did the Great Leap Forward begin?"], capture_output=True, env=env, check=True
    )
    return time.perf_counter() - start


def cold_start_s(runs: int = 3) -> tuple[float, float]:
    """Wall time of a fresh `python -m bot ask ...` process (start, load, answer, exit): the first ever,
    which validates, indexes and snapshots the knowledge base, then the median of `runs` restarts, which
    read that snapshot (as a restarted bot or the Docker image does). A scratch cache folder each time."""
    with tempfile.TemporaryDirectory(prefix="glf-bench-cache-") as cache:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "GLF_CACHE_DIR": cache}
        first = _process_answer_s(env)
        restarts = [_process_answer_s(env) for _ in range(runs)]
    return first, statistics.median(restarts)


def synthetic_kb(base: KnowledgeBase, n: int, seed: int = 1958) -> KnowledgeBase:
    """A reproducible knowledge base of n passages written in the shipped passages' vocabulary.

    Words are drawn with the shipped text's own frequencies (so common words stay common and the
    candidate sets are as large as real questions make them), plus invented words so the vocabulary
    keeps growing with the corpus as real text does.
    """
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    for p in base.passages:
        for w in words(p.text):
            counts[w] = counts.get(w, 0) + 1
    vocab = sorted(counts, key=lambda w: (-counts[w], w))
    freq = [counts[w] for w in vocab]
    syllables = ["ka", "lo", "mi", "zhu", "tan", "ren", "bo", "qi", "sha", "dun", "pei", "xo"]
    invented = ["".join(rng.choice(syllables) for _ in range(3)) for _ in range(max(200, n // 3))]
    source = Source(id="synthetic", author="Benchmark", title="Synthetic passages", year=2026, kind="report")

    def sentence(k: int) -> str:
        drawn = rng.choices(vocab, weights=freq, k=k)
        drawn[rng.randrange(k)] = rng.choice(invented)
        return " ".join(drawn).capitalize() + "."

    passages = []
    for i in range(n):
        title = " ".join(rng.choices(vocab[50:2000], k=4)).capitalize()
        passages.append(
            Passage(
                id=f"synthetic-{i}",
                topic=rng.choice(base.topics),
                title=title,
                questions=(f"What about {title.lower()}?",),
                text=" ".join(sentence(rng.randint(12, 20)) for _ in range(3)),
                sources=(SourceRef("synthetic"),),
                keywords=tuple(rng.choices(vocab[30:3000], k=4)),
            )
        )
    return KnowledgeBase(sources={"synthetic": source}, passages=tuple(passages), disputes={})


def _time_each(fn, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _bm25s_top10(retriever, query: list[str]):
    return retriever.retrieve([query], k=10, show_progress=False, n_threads=0)


def synthetic_comparison(base: KnowledgeBase, sizes: tuple[int, ...], questions: list[str]) -> list[dict[str, Any]]:
    """Our full answer (retrieval + composition) against bm25s's bare top-10 retrieval, same data."""
    try:
        import bm25s
    except ImportError:
        return [{"passages": n, "skipped": "bm25s not installed: pip install '.[bench]'"} for n in sizes]
    rows = []
    for n in sizes:
        progress(f"synthetic knowledge base of {n:,} passages: indexing (BM25 and semantic vectors)")
        kb = synthetic_kb(base, n)
        tutor = Tutor(kb)
        retriever = bm25s.BM25()
        docs = [tokenize(" ".join([p.title, *p.questions, *p.keywords, p.text])) for p in kb.passages]
        retriever.index(docs, show_progress=False)
        queries = [tokenize(q) or ["famin"] for q in questions]
        for q in questions:  # warm both, as a running bot would be (the speller is built on the first misspelling)
            tutor.ask(q)
        retriever.retrieve([queries[0]], k=10, show_progress=False)
        ours = _time_each(tutor.ask, questions)
        theirs = _time_each(partial(_bm25s_top10, retriever), queries)
        ours_p99, theirs_p99 = _percentile(ours, 0.99), _percentile(theirs, 0.99)
        rows.append(
            {
                "passages": n,
                "p50_ms": round(_percentile(ours, 0.5), 3),
                "p99_ms": round(ours_p99, 3),
                "bm25s_p50_ms": round(_percentile(theirs, 0.5), 3),
                "bm25s_p99_ms": round(theirs_p99, 3),
                "ratio": round(ours_p99 / theirs_p99, 3),
            }
        )
    return rows


def bot_under_load(interactions: int) -> dict[str, Any]:
    """n concurrent /ask interactions through the real command tree (fake transport, no network)."""
    if interactions <= 0:
        return {"skipped": "no interactions asked for"}
    from bot.quality.load import run_load_sync  # imports discord: only here, never on the tutor's path

    return run_load_sync(interactions)


CHART_BURST = 24  # concurrent /chart in the load run, with as many quiz presses among them


def chart_burst(charts: int) -> dict[str, Any]:
    """`charts` concurrent /chart (none drawn yet) with quiz-button presses landing in between."""
    if charts <= 0:
        return {"skipped": "no interactions asked for"}
    from bot.quality.load import run_chart_burst_sync

    return run_chart_burst_sync(charts, charts)


def progress(message: str) -> None:
    """What the bench is doing, on stderr (stdout carries the report or the JSON)."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_bench(
    settings, rounds: int = 20, sizes: tuple[int, ...] = (3_000, 30_000), interactions: int = 500
) -> dict[str, Any]:
    progress("loading and indexing the shipped knowledge base")
    start = time.perf_counter()
    tutor = Tutor(load_knowledge(settings.knowledge_dir))
    load_s = time.perf_counter() - start
    questions = question_mix(tutor)
    for q in questions:  # warm caches (stemmer, numpy) the way a running bot would be
        tutor.ask(q)
    latencies: list[float] = []
    progress(f"answering {rounds} rounds of {len(questions)} questions")
    total_start = time.perf_counter()
    for r in range(rounds):
        for i, q in enumerate(questions):
            conversation = f"bench-{r}-{i % 50}"
            turns = [q, FOLLOW_UPS[i % len(FOLLOW_UPS)]] if i % 10 == 0 else [q]
            for turn in turns:
                t0 = time.perf_counter()
                tutor.ask(turn, conversation=conversation)
                latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - total_start
    answers = len(latencies)
    rss = _peak_rss_mb()  # before the synthetic and load runs, which build far larger structures on purpose
    progress("cold start: a new process answering one question")
    first_start, cold = cold_start_s()
    synthetic = synthetic_comparison(tutor.kb, sizes, questions)
    if interactions > 0:
        progress(f"load run: {interactions} concurrent /ask, then a burst of {CHART_BURST} /chart with quiz presses")
    figures = {
        "questions": len(questions),
        "answers": answers,
        "p50_ms": round(_percentile(latencies, 0.50), 3),
        "p99_ms": round(_percentile(latencies, 0.99), 3),
        "max_ms": round(max(latencies), 3),
        "answers_per_s": round(answers / elapsed, 1),
        "load_and_index_s": round(load_s, 3),
        "cold_start_s": round(cold, 3),
        "first_start_s": round(first_start, 3),
        "rss_mb": round(rss, 1),
        "passages": len(tutor.kb.passages),
        "units": len(tutor.units),
        "synthetic": synthetic,
        "load": bot_under_load(interactions),
        "chart_burst": chart_burst(CHART_BURST if interactions > 0 else 0),  # part of the load run
        "targets": TARGETS,
    }
    return figures


def format_report(f: dict[str, Any]) -> str:
    def mark(key: str) -> str:
        return "ok" if f[key] <= TARGETS[key] else f"OVER target {TARGETS[key]}"

    return "\n".join(
        [
            f"knowledge base: {f['passages']} passages ({f['units']} answer units); question mix: {f['questions']} questions"
            f" (+ follow-ups), {f['answers']} answers",
            f"answer latency  p50 {f['p50_ms']:.3f} ms   p99 {f['p99_ms']:.3f} ms ({mark('p99_ms')})   max {f['max_ms']:.3f} ms",
            f"throughput      {f['answers_per_s']:.0f} answers/s on one core",
            f"cold start      {f['cold_start_s']:.3f} s to first answer in a new process ({mark('cold_start_s')});"
            f" {f['first_start_s']:.3f} s the first time (building the snapshot); load + index in-process"
            f" {f['load_and_index_s']:.3f} s",
            f"peak RSS        {f['rss_mb']:.1f} MB ({mark('rss_mb')})",
            *(_synthetic_line(row) for row in f["synthetic"]),
            _load_line(f["load"]),
            _burst_line(f["chart_burst"]),
        ]
    )


def _burst_line(burst: dict[str, Any]) -> str:
    if "skipped" in burst:
        return f"chart burst     skipped ({burst['skipped']})"
    verdict = "ok" if burst["all_presses_within_1s"] else "NOT every press acknowledged within 1 s"
    return (
        f"chart burst     {burst['charts']} concurrent /chart with {burst['presses']} quiz presses: slowest press ack"
        f" {burst['slowest_press_ack_ms']:.1f} ms ({verdict}), {burst['presses_accepted']}/{burst['presses']} in time;"
        f" {burst['charts_answered']}/{burst['charts']} charts sent, {burst['charts_drawn']} drawn,"
        f" slowest {burst['slowest_chart_ms']:.0f} ms"
    )


def _load_line(load: dict[str, Any]) -> str:
    if "skipped" in load:
        return f"bot under load  skipped ({load['skipped']})"
    verdict = "ok" if load["all_acked_within_3s"] else "NOT all acknowledged within 3 s"
    slowest = load["slowest_answer_ms"]
    answer = "ok" if slowest <= TARGETS["slowest_answer_ms"] else f"OVER target {TARGETS['slowest_answer_ms']:.0f} ms"
    return (
        f"bot under load  {load['interactions']} concurrent /ask: {load['acknowledged']} acknowledged, slowest ack"
        f" {load['slowest_ack_ms']:.1f} ms ({verdict}); slowest answer {slowest:.0f} ms ({answer})"
    )


def _synthetic_line(row: dict[str, Any]) -> str:
    if "skipped" in row:
        return f"synthetic {row['passages']:>6} passages: skipped ({row['skipped']})"
    verdict = "ok" if row["ratio"] <= 1.0 else "slower than bm25s"
    return (
        f"synthetic {row['passages']:>6} passages: our answer p99 {row['p99_ms']:.3f} ms vs bm25s top-10 p99"
        f" {row['bm25s_p99_ms']:.3f} ms, ratio {row['ratio']:.2f} ({verdict});"
        # The median too: bm25s's slowest questions can be slow for its own reasons (its top-k selection).
        f" p50 {row['p50_ms']:.3f} ms vs {row['bm25s_p50_ms']:.3f} ms"
    )
