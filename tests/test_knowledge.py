"""The shipped knowledge base: valid, big enough, and honest about its figures."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from bot.engine import check_knowledge
from bot.engine.loader import default_knowledge_dir

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_2a10b138816e4f93.txt"


def test_shipped_knowledge_passes_check():
    _kb, problems = check_knowledge(default_knowledge_dir())
    assert problems == [], "\n".join(map(str, problems))


def test_minimum_counts(shipped_kb):
    assert len(shipped_kb.sources) >= 30
    assert len(shipped_kb.passages) >= 260
    assert len(shipped_kb.glossary) >= 150
    assert len(shipped_kb.timeline) >= 90
    assert len(shipped_kb.quiz) >= 160
    assert len(shipped_kb.disputes) >= 12
    per_topic = Counter(p.topic for p in shipped_kb.passages)
    assert all(n >= 8 for n in per_topic.values()), per_topic
    assert per_topic["famine"] + per_topic["death_toll"] >= 15
    expected = {
        "launch",
        "origins",
        "communes",
        "steel",
        "agriculture",
        "procurement",
        "pests",
        "famine",
        "death_toll",
        "politics",
        "aftermath",
        "sino_soviet",
        "dams",
        "historiography",
        "misconceptions",
    }
    assert expected <= set(per_topic)


def test_disputes_have_distinct_estimates_and_famine_deaths_has_many(shipped_kb):
    for dispute in shipped_kb.disputes.values():
        assert len({e.key for e in dispute.estimates}) >= 2, dispute.id
    deaths = shipped_kb.disputes["famine-deaths"]
    assert len({e.by for e in deaths.estimates}) >= 12
    for required in ("glf-end-date", "steel-1958", "grain-1958", "xinyang-deaths", "banqiao-deaths", "commune-size"):
        assert required in shipped_kb.disputes


def test_quiz_answers_and_passages(shipped_kb):
    for q in shipped_kb.quiz:
        assert q.answer in q.choices and len(set(q.choices)) == 4
        assert q.passage in shipped_kb.passages_by_id
    assert {q.difficulty for q in shipped_kb.quiz} == {"easy", "medium", "hard"}


def test_series_points_are_sourced(shipped_kb):
    assert {"grain-output", "steel-output"} <= set(shipped_kb.series)
    for series in shipped_kb.series.values():
        for line in series.lines:
            assert all(p.source in shipped_kb.sources for p in line.points)


def _sentences(text: str) -> set[str]:
    parts = re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text))
    return {p.strip().lower() for p in parts if len(p.split()) >= 6}


def test_no_passage_repeats_a_seed_sentence(shipped_kb):
    seed = SEED.read_text(encoding="utf-8") if SEED.exists() else ""
    seed_sentences = _sentences(seed)
    for p in shipped_kb.passages:
        copied = _sentences(p.text) & seed_sentences
        assert not copied, (p.id, copied)


def test_nothing_cites_the_seed(shipped_kb):
    for source in shipped_kb.sources.values():
        assert "cycivic" not in (source.url or "").lower() and "cycivic" not in source.title.lower()


def test_passages_stating_a_disputed_figure_name_the_dispute(shipped_kb):
    """A passage giving one side's figure ("10.7 million tonnes") must carry the dispute, so the
    tutor shows the rivals beside it."""
    from bot.engine.formatting import number

    missing = []
    for dispute in shipped_kb.disputes.values():
        if dispute.unit == "year":
            continue
        # "8 million tonnes" for tonnages; a bare "30 million" only when deaths are being counted.
        after = (
            r"\s+" + re.escape(dispute.unit) + (r"\b[^.]{0,40}\b(deaths?|died|dead|starv)" if dispute.unit == "million" else "")
        )
        figures = {number(e.value, dispute.unit) for e in dispute.estimates if e.value is not None}
        # A dispute about one place ("...in Sichuan?") concerns only passages that name that place.
        places = set(re.findall(r"(?<!^)\b[A-Z][a-z]+", dispute.question)) - {"China", "Chinese", "Great", "Leap", "Forward"}
        for p in shipped_kb.passages:
            if places and not any(place in p.text for place in places):
                continue
            for fig in figures:
                pattern = r"(?<![\d.,])" + re.escape(fig) + after
                if re.search(pattern, p.text) and dispute.id not in p.disputes:
                    missing.append((p.id, dispute.id, fig))
    assert missing == []


def test_verbatim_quotes_come_only_from_primary_sources(shipped_kb):
    for p in shipped_kb.passages:
        if p.quote:
            assert shipped_kb.sources[p.quote.source.id].kind == "primary", p.id


def test_timeline_is_ordered_and_spans_the_period(shipped_kb):
    dates = [e.date for e in shipped_kb.timeline]
    assert dates == sorted(dates)
    in_period = [d for d in dates if "1953" <= d[:4] <= "1981"]
    assert len(in_period) >= 40


def test_every_passage_lists_the_questions_students_type(shipped_kb):
    short = [p.id for p in shipped_kb.passages if not 3 <= len(p.questions) <= 6]
    assert short == []


def test_every_glossary_entry_has_a_kind_for_the_dialogue_state(shipped_kb):
    assert all(g.kind in {"person", "place", "event", "term", "work", "organisation"} for g in shipped_kb.glossary)
    kinds = {g.kind for g in shipped_kb.glossary}
    assert {"person", "place", "event", "term"} <= kinds


def test_no_passage_opens_with_a_bare_yes_or_no(shipped_kb):
    """A passage answers many questions, not only the one it was written for: opened with "Yes." it read
    as agreeing with "is he right?" about a revisionist's toll (a newcomer's probe)."""
    bare = re.compile(r"^(yes|no|not really|mostly not|mostly|partly|probably)\b[.,:;]", re.I)
    assert [p.id for p in shipped_kb.passages if bare.match(p.text.strip())] == []
