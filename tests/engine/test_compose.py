"""Compose: a further unit too long for the room left is shown as an excerpt, its citations whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import compose
from bot.engine.answer import MAX_TEXT
from bot.engine.text import stem
from bot.engine.units import build_units

TEXT = (
    "The commune ran the fields. Output fell by 4.2 million tonnes in 1959. "
    "Canteens served free meals until the grain ran out. The centre kept its quotas."
)


def asked(*words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


def test_excerpt_keeps_the_sentences_holding_the_question_words_in_their_order():
    cut = compose.excerpt(TEXT, asked("canteens", "quotas"), room=100)
    assert cut == "[…] Canteens served free meals until the grain ran out. The centre kept its quotas."
    # With more room, the earliest of the rest that fits comes too, in its place.
    cut = compose.excerpt(TEXT, asked("canteens", "quotas"), room=120)
    assert cut == (
        "The commune ran the fields. […] Canteens served free meals until the grain ran out. The centre kept its quotas."
    )


def test_excerpt_marks_each_left_out_run_and_does_not_split_a_decimal():
    cut = compose.excerpt(TEXT, asked("output", "quotas"), room=80)
    assert cut == "[…] Output fell by 4.2 million tonnes in 1959. […] The centre kept its quotas."


def test_excerpt_with_no_question_word_keeps_the_opening():
    assert compose.excerpt(TEXT, asked("sparrows"), room=40) == "The commune ran the fields. […]"


def test_excerpt_is_none_when_only_a_stray_middle_sentence_would_fit():
    text = "A very long opening sentence that will never fit in the little room we give. Short one. Another."
    assert compose.excerpt(text, asked("sparrows"), room=40) is None
    assert compose.excerpt(text, asked("short"), room=20) == "[…] Short one. […]"


@given(room=st.integers(min_value=0, max_value=len(TEXT) + 10), words=st.sets(st.sampled_from(TEXT.lower().split())))
def test_excerpt_fits_and_holds_only_whole_sentences_of_the_text(room, words):
    cut = compose.excerpt(TEXT, asked(*(w.strip(".") for w in words)), room)
    if cut is None:
        return
    assert len(cut) <= room
    sentences = compose.SENTENCE_END.split(TEXT)
    kept = [part for part in cut.split(compose.OMITTED) if part.strip()]
    for part in kept:
        assert all(s in sentences for s in compose.SENTENCE_END.split(part.strip()))


def test_a_unit_too_long_for_the_room_left_is_shown_as_an_excerpt_with_its_citations(shipped_kb):
    units = {u.key: u for u in build_units(shipped_kb)}
    silver = units["passage:procurement-hong-kong-silver"]
    followups = ["When did China start importing grain?"]
    short_lead = units["glossary:zhou-enlai"]
    whole = compose.compose(shipped_kb, "did china sell silver?", [(short_lead, 1.0), (silver, 0.5)], [], followups)
    assert whole.passages[1].text == silver.text and compose.OMITTED not in whole.text  # room enough: whole
    # A long lead leaves less room: the sentences on silver are kept, the last one (no asked word) left out.
    long_lead = units["passage:overview-in-brief"]
    answer = compose.compose(shipped_kb, "did china sell silver?", [(long_lead, 1.0), (silver, 0.5)], [], followups)
    assert len(answer.text) <= MAX_TEXT and answer.followups == tuple(followups)
    shown = answer.passages[1]
    assert shown.id == silver.id and shown.text != silver.text
    assert "silver abroad" in shown.text and shown.text.endswith(compose.OMITTED)
    assert "Overseas Chinese" not in answer.text
    assert shown.text in answer.text  # the Answer carries the excerpt every front end shows
    citation = compose.unit_block(shipped_kb, silver).splitlines()[-1]
    assert citation.startswith(compose.CITATION_LINE) and citation in answer.text.splitlines()


def test_one_estimate_left_out_is_one_more_estimate_not_estimates():
    from bot.engine.answer import DisputeView, EstimateView

    estimates = tuple(EstimateView(by, 2000 + i, f"s{i}", value=v, label=f"{v} million") for i, (by, v) in
                      enumerate([("A", 10.0), ("B", 20.0), ("C", 30.0)]))
    view = DisputeView("d", "How many?", "million", estimates, "They counted differently.")
    lines, _ = compose._estimate_lines(view, 2, None, ())
    assert lines[-1] == "• …and 1 more estimate between these."
    four = (*estimates[:2], EstimateView("D", 2010, "s3", value=25.0, label="25 million"), estimates[2])
    lines, _ = compose._estimate_lines(DisputeView("d", "How many?", "million", four, ""), 2, None, ())
    assert lines[-1] == "• …and 2 more estimates between these."
