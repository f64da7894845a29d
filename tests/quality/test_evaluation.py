"""Scoring: a question passes on what the answer says, not on the questions it suggests next."""

from bot.engine.compose import followup_unit
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
