"""Scoring: a question passes on what the answer says, not on the questions it suggests next or the titles it cites."""

from bot.engine.compose import CITATION_LINE, followup_unit
from bot.quality.evaluation import Item, answer_body, score


def test_a_word_only_in_the_suggestions_does_not_pass(shipped_tutor_factory):
    tutor = shipped_tutor_factory()
    answer = tutor.ask("what were backyard furnaces")
    assert answer.followups and followup_unit(answer.followups) in answer.text
    body = answer_body(answer)
    assert followup_unit(answer.followups) not in body and body.strip()
    suggested = answer.followups[0].lower()
    word = next(w for w in suggested.strip("?").split() if len(w) > 3 and w not in body.lower())
    item = Item("t", "what were backyard furnaces", "steel", must_mention=((word,),))
    assert not score(item, answer).passed
    said = next(w for w in body.lower().split() if len(w) > 5 and w.isalpha())
    assert score(Item("t", "what were backyard furnaces", "steel", must_mention=((said,),)), answer).passed


def test_a_word_only_in_a_cited_title_does_not_pass(shipped_tutor_factory):
    # "mao" is in every answer citing Dikötter's Mao's Great Famine; a student is told nothing by it.
    tutor = shipped_tutor_factory()
    answer = tutor.ask("what was the xinyang incident")
    cites = [line for line in answer.text.splitlines() if line.startswith(CITATION_LINE)]
    assert cites, "each quoted unit ends with its citation line"
    body = answer_body(answer).lower()
    cited = [w for line in cites for w in line.lower().replace(",", " ").split()]
    word = next(w for w in cited if len(w) > 4 and w.isalpha() and w not in body)
    assert not score(Item("t", "what was the xinyang incident", "famine", must_mention=((word,),)), answer).passed
    assert score(Item("t", "what was the xinyang incident", "famine", must_mention=(("xinyang",),)), answer).passed
