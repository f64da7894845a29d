"""Rendering: no Answer or look-up, however long, breaks a Discord limit; nothing is dropped."""

from __future__ import annotations

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord import render
from bot.engine.answer import Answer, CitedSource, DisputeView, EstimateView, QuotedPassage
from bot.engine.compose import dispute_view

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)
words = st.lists(
    st.sampled_from(["famine", "grain", "1959.", "million", "\n", "\n\n", "Mao", "x" * 300, "—", " "]), max_size=400
).map(" ".join)
long_text = st.one_of(text, words)
short = st.text(max_size=400)

estimates = st.builds(
    EstimateView,
    by=short,
    year=st.integers(1900, 2030),
    source=st.text(max_size=20),
    value=st.floats(0, 1e9, allow_nan=False),
    method=st.one_of(st.none(), long_text),
    label=short,
)
disputes = st.builds(
    DisputeView,
    id=st.text(max_size=20),
    question=long_text,
    unit=short,
    estimates=st.lists(estimates, max_size=40).map(tuple),
    why_they_differ=long_text,
)
passages = st.builds(
    QuotedPassage,
    id=st.text(max_size=20),
    title=long_text,
    score=st.floats(0, 100),
    text=long_text,
    sources=st.lists(st.builds(CitedSource, id=st.text(max_size=10), citation=long_text), max_size=8).map(tuple),
)
answers = st.builds(
    Answer,
    question=long_text,
    abstained=st.booleans(),
    text=st.text(max_size=2000),
    passages=st.lists(passages, max_size=8).map(tuple),
    disputes=st.lists(disputes, max_size=4).map(tuple),
    followups=st.lists(long_text, max_size=6).map(tuple),
)


def assert_valid(embeds: list[discord.Embed]) -> None:
    assert embeds, "at least one page"
    for embed in embeds:
        assert render.embed_within_limits(embed) == [], embed.to_dict()
        assert embed.title is None or 0 < len(embed.title) <= render.TITLE


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(answers)
def test_no_answer_breaks_an_embed_limit(answer):
    assert_valid(render.answer_embeds(answer))
    assert len(render.answer_plain(answer)) <= render.CONTENT


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disputes)
def test_no_dispute_breaks_an_embed_limit(view):
    assert_valid(render.dispute_embeds(view, {}))


@settings(max_examples=200, deadline=None)
@given(long_text, st.integers(1, 5000))
def test_split_text_respects_limit_and_keeps_every_word(value, limit):
    chunks = render.split_text(value, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert "".join(value.split()) == "".join("".join(chunks).split())


def test_long_answer_is_paginated_without_losing_passages():
    cite = (CitedSource("s", "Author, *Book* (2000), p. 1"),)
    ps = tuple(QuotedPassage(f"p{i}", f"Passage {i}", 1.0, "A sentence about grain. " * 80, cite) for i in range(6))
    answer = Answer("How much grain?", False, "text", ps, (), ("Why?",))
    embeds = render.answer_embeds(answer)
    assert len(embeds) > 1
    assert_valid(embeds)
    joined = "\n".join(e.description or "" for e in embeds)
    assert all(f"**Passage {i}**" in joined for i in range(6))
    assert embeds[0].footer.text.endswith(f"page 1/{len(embeds)}")


def test_real_answers_render_with_citations_and_disputes(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    answer = tutor.ask("How many people died in the Great Leap Forward famine?")
    assert answer.disputes, "the death toll is a disputed figure"
    embeds = render.answer_embeds(answer)
    assert_valid(embeds)
    first = embeds[0]
    assert first.title == answer.question
    assert answer.passages[0].sources[0].citation in first.description
    names = [f.name for e in embeds for f in e.fields]
    assert any(n.startswith("⚖️ Disputed figure") for n in names)
    assert "Why they differ" in names
    # every estimate of the dispute is on some page, not only the few the plain text has room for
    values = "\n".join(f.value for e in embeds for f in e.fields)
    assert all(est.label in values for est in answer.disputes[0].estimates)


def test_every_lookup_in_the_shipped_knowledge_renders(shipped_kb):
    for entry in shipped_kb.glossary:
        assert_valid(render.glossary_embed(entry, shipped_kb.sources))
    for dispute in shipped_kb.disputes.values():
        assert_valid(render.dispute_embeds(dispute_view(dispute), shipped_kb.sources))
    assert_valid(render.timeline_embeds(shipped_kb.timeline, "Timeline"))
    assert_valid(render.sources_embeds(shipped_kb.sources.values(), "Bibliography"))
    assert render.embed_within_limits(render.help_embed()) == []


def test_abstention_renders_the_engine_text(shipped_tutor_factory):
    answer = shipped_tutor_factory().ask("What is the airspeed velocity of an unladen swallow?")
    assert answer.abstained
    (embed,) = render.answer_embeds(answer)
    assert embed.description == answer.text.strip()


def test_every_kind_of_unit_renders_once_with_its_citation(shipped_tutor_factory, shipped_kb):
    from bot.engine import compose

    tutor = shipped_tutor_factory()
    for kind in ("passage", "glossary", "timeline", "series"):
        unit = next(u for u in tutor.units if u.kind == kind)
        answer = compose.compose(shipped_kb, "q", [(unit, 1.0)], [], [])
        assert [p.kind for p in answer.passages] == [kind]
        text = "\n".join(e.description or "" for e in render.answer_embeds(answer))
        [shown] = answer.passages
        assert text.count(f"**{shown.heading}**") == 1 and shown.sources[0].citation in text, kind
        assert shown.heading.startswith(f"Timeline: {shown.title}" if kind == "timeline" else shown.title), kind


def test_an_excerpted_passage_renders_as_the_engine_shows_it(shipped_kb):
    from bot.engine import compose
    from bot.engine.units import build_units

    units = {u.key: u for u in build_units(shipped_kb)}
    quoted = units["passage:aftermath-liu-three-parts-natural"]  # has a primary-source quotation
    assert shipped_kb.passages_by_id[quoted.id].quote is not None
    lead = units["passage:overview-in-brief"]
    answer = compose.compose(shipped_kb, "what did liu shaoqi say about mao", [(lead, 1.0), (quoted, 0.5)], [], [])
    [shown] = [p for p in answer.passages if p.id == quoted.id]
    assert compose.OMITTED in shown.text, "the passage did not fit whole"
    description = "\n".join(e.description or "" for e in render.answer_embeds(answer))
    assert shown.text in description.replace("> ", "")
    assert "三分天灾" not in description and "三分天灾" not in answer.text  # the quotation goes with the whole text only
    whole = compose.compose(shipped_kb, "q", [(quoted, 1.0)], [], [])
    [shown_whole] = whole.passages
    assert "三分天灾" in shown_whole.quote and shown_whole.quote in whole.text
    assert f"> {shown_whole.quote}" in "\n".join(e.description or "" for e in render.answer_embeds(whole))
