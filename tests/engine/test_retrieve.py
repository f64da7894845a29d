"""Retrieve: every kind of unit can be found, and BM25 and semantic similarity are both heard."""

from dataclasses import replace

import pytest

from bot.engine.judge import Judge
from bot.engine.tutor import Tutor


@pytest.fixture(scope="module")
def tutor(small_kb):
    return Tutor(small_kb, judge=Judge.permissive())


def top(tutor, question):
    r = tutor.retriever.retrieve(tutor.understand(question))
    return tutor.units[r.candidates[0].unit].key


@pytest.mark.parametrize(
    ("question", "key"),
    [
        ("what were the backyard furnaces?", "passage:steel-furnaces"),
        ("who was mao zedong", "glossary:mao-zedong"),
        ("when did bed bugs replace sparrows", "timeline:bedbugs-1960"),
        ("how much steel was made in 1957", "series:steel-output:1957"),
        ("how many excess deaths did the famine cause, by each estimate", "dispute:famine-deaths"),
    ],
)
def test_each_unit_kind_is_found(tutor, question, key):
    assert top(tutor, question) == key


def test_semantic_side_finds_a_unit_sharing_no_word_with_the_question(tutor):
    q = tutor.understand("insects and birds")
    r = tutor.retriever.retrieve(q)
    found = {tutor.units[c.unit].key for c in r.candidates if c.lexical_rank is None}
    assert found, "some candidates come from the semantic ranking alone"


def test_a_named_year_prefers_units_that_speak_of_it(tutor):
    q = tutor.understand("steel output 1958")
    r = tutor.retriever.retrieve(q)
    assert all(1958 in tutor.units[c.unit].years for c in r.candidates[:2])


def test_unknown_words_are_reported_with_their_commonness(tutor):
    q = tutor.understand("what is the capital of france")
    assert "france" in q.unknown and q.unknown_common > 0.5


def test_units_about_what_the_conversation_is_about_rank_a_little_higher(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    q = tutor.understand("who got purged")
    plain = {c.unit: c.fused for c in tutor.retriever.retrieve(q).candidates}
    talked = {c.unit: c.fused for c in tutor.retriever.retrieve(q, ("lushan-conference",)).candidates}
    about = {i for i, ids in enumerate(tutor.about) if "lushan-conference" in ids}
    both = about & set(plain) & set(talked)
    assert both and all(talked[u] == pytest.approx(plain[u] * 1.1) for u in both)
    assert all(talked[u] == pytest.approx(plain[u]) for u in (set(plain) & set(talked)) - about)


def assert_prior_scales(tutor, q, setting: str, applies) -> None:
    """The prior `setting` multiplies the score of exactly the candidates `applies` to, by its shipped value;
    the retriever is left with the prior at 1."""
    retriever = tutor.retriever
    shipped = {c.unit: c.fused for c in retriever.retrieve(q).candidates}
    factor = getattr(type(retriever.settings)(), setting)
    retriever.settings = replace(retriever.settings, **{setting: 1.0})
    without = {c.unit: c.fused for c in retriever.retrieve(q).candidates}
    chosen = {u for u in shipped if applies(tutor.units[u])}
    assert factor > 1 and chosen and all(shipped[u] == pytest.approx(without[u] * factor) for u in chosen)
    assert all(shipped[u] == pytest.approx(without[u]) for u in set(shipped) - chosen)


def test_a_why_question_ranks_the_units_that_explain_higher(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    q = tutor.understand("why did grain output fall so much")
    assert q.asks("cause")
    ranked = tutor.retriever.retrieve(q).candidates
    assert tutor.units[ranked[0].unit].id == "agriculture-output-collapse-causes"  # titled "Why grain output collapsed..."
    assert_prior_scales(tutor, q, "cause_prior", lambda u: u.explains)


def test_what_someone_said_ranks_the_units_that_report_words_higher(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    q = tutor.understand("what did liu shaoqi say about the famine")
    assert q.asks("said") and not tutor.understand("what do you think about mao").asks("said")
    assert_prior_scales(tutor, q, "said_prior", lambda u: u.reports)


def test_what_someone_said_ranks_a_quotation_of_their_words_above_a_report_of_them(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    q = tutor.understand("what did liu shaoqi say about the famine")
    # Liu's verdict with his words quoted ("三分天灾，七分人祸") leads, not a passage that only tells of him
    assert tutor.units[tutor.retriever.retrieve(q).candidates[0].unit].id == "aftermath-liu-three-parts-natural"
    assert_prior_scales(tutor, q, "quoted_prior", lambda u: bool(u.quote))
    assert tutor.units[tutor.retriever.retrieve(q).candidates[0].unit].id != "aftermath-liu-three-parts-natural"
