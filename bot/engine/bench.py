"""`glf-tutor bench`: what users would feel — answer latency, throughput, cold start, memory.

Measured here, never in timed tests. The question mix is fixed: every passage's own question, the
same questions reworded with typos and chat-speak, follow-ups, and off-topic questions that must be
refused, so both answering and abstaining paths are timed.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from bot.engine import Tutor, load_knowledge

TARGETS = {"p99_ms": 2.0, "cold_start_s": 1.0, "rss_mb": 100.0}
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


def cold_start_s(runs: int = 3) -> float:
    """Wall time of a fresh `python -m bot ask ...` process: start, load, index, answer, exit."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "When did the Great Leap Forward begin?"],
            capture_output=True,
            env=env,
            check=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_bench(settings, rounds: int = 20) -> dict[str, Any]:
    start = time.perf_counter()
    tutor = Tutor(load_knowledge(settings.knowledge_dir))
    load_s = time.perf_counter() - start
    questions = question_mix(tutor)
    for q in questions:  # warm caches (stemmer, numpy) the way a running bot would be
        tutor.ask(q)
    latencies: list[float] = []
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
    figures = {
        "questions": len(questions),
        "answers": answers,
        "p50_ms": round(_percentile(latencies, 0.50), 3),
        "p99_ms": round(_percentile(latencies, 0.99), 3),
        "max_ms": round(max(latencies), 3),
        "answers_per_s": round(answers / elapsed, 1),
        "load_and_index_s": round(load_s, 3),
        "cold_start_s": round(cold_start_s(), 3),
        "rss_mb": round(_peak_rss_mb(), 1),
        "passages": len(tutor.kb.passages),
        "synthetic": [],
        "targets": TARGETS,
    }
    return figures


def format_report(f: dict[str, Any]) -> str:
    def mark(key: str) -> str:
        return "ok" if f[key] <= TARGETS[key] else f"OVER target {TARGETS[key]}"

    return "\n".join(
        [
            f"knowledge base: {f['passages']} passages; question mix: {f['questions']} questions"
            f" (+ follow-ups), {f['answers']} answers",
            f"answer latency  p50 {f['p50_ms']:.3f} ms   p99 {f['p99_ms']:.3f} ms ({mark('p99_ms')})   max {f['max_ms']:.3f} ms",
            f"throughput      {f['answers_per_s']:.0f} answers/s on one core",
            f"cold start      {f['cold_start_s']:.3f} s to first answer in a new process ({mark('cold_start_s')});"
            f" load + index in-process {f['load_and_index_s']:.3f} s",
            f"peak RSS        {f['rss_mb']:.1f} MB ({mark('rss_mb')})",
        ]
    )
