"""Look-ups straight from the knowledge base: the same for Discord's /fact, /dispute, /timeline, /sources and
the terminal's."""

from __future__ import annotations

from bot.engine.answer import Answer, DisputeView
from bot.engine.lookup import Lookup, best_first, rank


def test_rank_orders_exact_prefix_word_and_substring():
    assert [rank("peng", h) for h in ("Peng", "Peng Dehuai", "Marshal Peng", "Zhupeng", "Mao")] == [0, 1, 2, 3, None]


def test_best_first_keeps_each_value_once_and_caps_the_list():
    scored = [(2, "b", "x"), (0, "a", "x"), (1, "c", "y")] + [(3, f"z{i}", f"v{i}") for i in range(40)]
    out = best_first(scored)
    assert out[:2] == [("a", "x"), ("c", "y")] and len(out) == 25


def test_an_entry_is_found_by_id_term_or_alias_but_not_by_an_ambiguous_start(small_kb):
    lookup = Lookup(small_kb)
    mao = lookup.find_entry("Mao Zedong")
    assert mao is not None and lookup.find_entry(mao.id) is mao
    assert lookup.find_entry("  chairman   MAO ") is mao     # an alias, any case and spacing
    assert lookup.find_entry("Pen") is None                  # Peng Dehuai or Peng Xizhe: not guessed
    assert {"Peng Dehuai", "Peng Xizhe"} <= set(lookup.near_entries("Pen"))
    assert lookup.find_entry("Beida").term == "Beidaihe"     # the only match
    assert lookup.find_entry("sparrows") is None


def test_a_dispute_typed_in_other_words_is_the_one_the_tutors_answer_leads_with(small_kb):
    asked: list[str] = []

    def ask(question: str) -> Answer:
        asked.append(question)
        steel = DisputeView("steel-1958", "q", "million tonnes", (), "")
        return Answer(question, False, "text", disputes=(steel,))

    lookup = Lookup(small_kb, ask=ask)
    assert lookup.find_dispute("famine-deaths").id == "famine-deaths"
    assert lookup.find_dispute("excess deaths").id == "famine-deaths" and asked == []   # its question holds the words
    assert lookup.find_dispute("how much iron was made").id == "steel-1958" and asked == ["how much iron was made"]
    assert Lookup(small_kb).find_dispute("how much iron was made") is None               # no tutor: no guess


def test_a_dispute_the_tutors_answer_does_not_flag_is_not_found(small_kb):
    lookup = Lookup(small_kb, ask=lambda q: Answer(q, True, "no sourced answer"))
    assert lookup.find_dispute("capital of france") is None


def test_the_timeline_is_in_date_order_and_by_year(small_kb):
    lookup = Lookup(small_kb)
    events = lookup.timeline()
    assert [e.date for e in events] == sorted(e.date for e in small_kb.timeline)
    assert all(e.year == 1960 for e in lookup.timeline(1960)) and lookup.timeline(1960)
    assert lookup.timeline(1900) == []


def test_a_topics_sources_are_those_its_passages_cite(small_kb):
    lookup = Lookup(small_kb)
    assert lookup.find_topic("steel") == "steel" and lookup.find_topic("nothing like it") is None
    cited = {r.id for p in small_kb.passages if p.topic == "steel" for r in p.sources}
    cited |= {p.quote.source.id for p in small_kb.passages if p.topic == "steel" and p.quote}
    assert {s.id for s in lookup.topic_sources("steel")} == cited and cited
