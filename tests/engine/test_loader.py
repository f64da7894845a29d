"""The loader reports every problem at once, each naming file, record and what is wrong."""

from __future__ import annotations

import pytest

from bot.engine import KnowledgeError, check_knowledge, load_knowledge


def problems_of(root):
    kb, problems = check_knowledge(root)
    assert kb is None, "the broken knowledge base was accepted"
    return [str(p) for p in problems]


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_fixture_loads(small_kb):
    assert {p.id for p in small_kb.passages} == {"steel-furnaces", "steel-target", "pests-four", "pests-bedbugs", "pests-deaths"}
    assert small_kb.passages_by_id["steel-target"].period == (1958, 1958)
    assert small_kb.passages_by_id["steel-furnaces"].period == (1958, 1958)
    assert small_kb.passages_by_id["pests-bedbugs"].quote.source.id == "shapiro-2001"
    assert small_kb.disputes["famine-deaths"].estimates[2].low == 30
    assert small_kb.timeline[0].date == "1958-08"


def test_missing_field_names_file_record_and_line(kb_copy):
    edit(kb_copy / "passages/steel.yaml", "  title: Backyard furnaces\n", "")
    [problem] = problems_of(kb_copy)
    assert problem.startswith("passages/steel.yaml:1: [steel-furnaces]")
    assert "missing required field 'title'" in problem


def test_yes_no_booleans_are_caught(kb_copy):
    edit(kb_copy / "quiz.yaml", "choices: [Bed bugs, Locusts, Cockroaches, Crows]", "choices: [Bed bugs, yes, no, Crows]")
    found = problems_of(kb_copy)
    assert any("[quiz-bedbugs]" in p and "choices[1]" in p and "true/false" in p for p in found)
    assert any("choices[2]" in p for p in found)


def test_a_milestone_is_a_yes_or_no(kb_copy, small_kb):
    assert not any(e.milestone for e in small_kb.timeline)  # absent: not a milestone
    edit(kb_copy / "timeline.yaml", '  date: "1958-08"\n', '  date: "1958-08"\n  milestone: often\n')
    [problem] = problems_of(kb_copy)
    assert "timeline.yaml" in problem and "'milestone' must be true or false, got text" in problem


def test_wrong_types(kb_copy):
    edit(kb_copy / "sources.yaml", "year: 2001", "year: two thousand and one")
    edit(kb_copy / "passages/pests.yaml", "keywords: [bedbugs]", "keywords: bedbugs")
    found = problems_of(kb_copy)
    assert any("sources.yaml" in p and "[shapiro-2001]" in p and "'year' must be a whole number" in p for p in found)
    assert any("[pests-bedbugs]" in p and "'keywords' must be a list" in p for p in found)


def test_dangling_references_all_reported(kb_copy):
    edit(kb_copy / "passages/steel.yaml", '{id: dikotter-2010, pages: "56-64"}', "{id: nobody-1999}")
    edit(kb_copy / "passages/steel.yaml", "disputes: [steel-1958]", "disputes: [steel-1959]")
    edit(kb_copy / "quiz.yaml", "passage: pests-bedbugs", "passage: pests-gone")
    found = problems_of(kb_copy)
    assert any("[steel-furnaces]" in p and "unknown source 'nobody-1999'" in p for p in found)
    assert any("[steel-target]" in p and "unknown dispute 'steel-1959'" in p for p in found)
    assert any("quiz.yaml" in p and "unknown passage 'pests-gone'" in p for p in found)
    assert len(found) == 3


def test_duplicate_ids_and_keys(kb_copy):
    edit(kb_copy / "passages/pests.yaml", "- id: pests-bedbugs", "- id: pests-four")
    edit(kb_copy / "glossary.yaml", "  term: Mao Zedong\n", "  term: Mao Zedong\n  term: Mao\n")
    found = problems_of(kb_copy)
    assert any("duplicate passage id 'pests-four'" in p for p in found)
    assert any("glossary.yaml" in p and "duplicate key 'term'" in p for p in found)
    edit(kb_copy / "passages/steel.yaml", "disputes: [steel-1958]", "disputes: [steel-1958, steel-1958]")
    shapiro = (kb_copy / "sources.yaml").read_text(encoding="utf-8").split("- id: shapiro-2001\n")[1].split("\n- ")[0]
    with (kb_copy / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write("- id: shapiro-2001-again\n" + shapiro + "\n")
    found = problems_of(kb_copy)
    assert any("[steel-target]" in p and "'disputes[1]' repeats 'steel-1958'" in p for p in found)
    assert any("[shapiro-2001-again]" in p and "same work as source 'shapiro-2001'" in p for p in found)


def test_dispute_needs_two_distinct_estimates(kb_copy):
    edit(kb_copy / "disputes.yaml", "{value: 8, by: Frank Dikötter", "{value: 10.7, by: Frank Dikötter")
    found = problems_of(kb_copy)
    assert any("[steel-1958]" in p and "at least two estimates with different values" in p for p in found)


def test_estimate_problems(kb_copy):
    edit(kb_copy / "disputes.yaml", "{low: 30, high: 40,", "{low: 40, high: 30,")
    found = problems_of(kb_copy)
    assert any("[famine-deaths]" in p and "estimates[2]" in p and "greater than 'high'" in p for p in found)


def test_invalid_yaml_names_line(kb_copy):
    (kb_copy / "timeline.yaml").write_text("- id: a\n  date: [unclosed\n", encoding="utf-8")
    [problem] = problems_of(kb_copy)
    assert problem.startswith("timeline.yaml:")
    assert "invalid YAML" in problem


def test_unknown_field_and_bad_values(kb_copy):
    edit(kb_copy / "passages/pests.yaml", "keywords: [bedbugs]", "keywrods: [bedbugs]")
    edit(kb_copy / "timeline.yaml", 'date: "1960"', 'date: "1960-13"')
    edit(kb_copy / "sources.yaml", "kind: article", "kind: blog")
    edit(kb_copy / "passages/pests.yaml", "topic: pests\n  title: Famine deaths", "topic: famine\n  title: Famine deaths")
    found = problems_of(kb_copy)
    assert any("unknown field 'keywrods'" in p for p in found)
    assert any("[bedbugs-1960]" in p and "expected YYYY, YYYY-MM or YYYY-MM-DD" in p for p in found)
    assert any("[peng-1987]" in p and "'kind' is 'blog'" in p for p in found)
    assert any("[pests-deaths]" in p and "but the file is passages/pests.yaml" in p for p in found)


def test_quiz_answer_must_be_a_choice(kb_copy):
    edit(kb_copy / "quiz.yaml", "answer: Bed bugs", "answer: Beetles")
    found = problems_of(kb_copy)
    assert any("'answer' 'Beetles' is not one of the choices" in p for p in found)


def test_series_point_needs_source(kb_copy):
    edit(kb_copy / "series.yaml", "{year: 1958, value: 8, source: dikotter-2010}", "{year: 1958, value: 8}")
    found = problems_of(kb_copy)
    assert any("series.yaml" in p and "[steel-output]" in p and "has no 'source'" in p for p in found)


def test_missing_file_and_wrong_top_level(kb_copy):
    (kb_copy / "glossary.yaml").unlink()
    (kb_copy / "quiz.yaml").write_text("id: not-a-list\n", encoding="utf-8")
    found = problems_of(kb_copy)
    assert any(p.startswith("glossary.yaml: [file] file is missing") for p in found)
    assert any(p.startswith("quiz.yaml: [file] must be a YAML list") for p in found)


def test_load_raises_with_every_problem(kb_copy):
    edit(kb_copy / "passages/steel.yaml", "  title: Backyard furnaces\n", "")
    edit(kb_copy / "sources.yaml", "year: 2001", "year: yes")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    assert len(info.value.problems) == 2


@pytest.mark.parametrize("key", ["? {a: 1}\n  : x", "? [a, b]\n  : x", "{a: 1}: x"])
def test_a_key_that_is_a_mapping_or_list_is_a_clear_error(kb_copy, key):
    """YAML allows complex keys; the loader used to raise TypeError (unhashable) on them. Found by the
    fuzz tests' random profile; CI's derandomised one never generated it."""
    edit(kb_copy / "timeline.yaml", "  date: ", f"  {key}\n  date: ")
    [problem] = problems_of(kb_copy)
    assert problem.startswith("timeline.yaml:2: [file] invalid YAML: a key must be a plain name, not a ")


def test_passage_questions_and_glossary_kinds_are_validated(kb_copy):
    from bot.engine.loader import check_knowledge

    steel = kb_copy / "passages" / "steel.yaml"
    text = steel.read_text(encoding="utf-8")
    # The same question on two passages, and a glossary kind outside the closed list.
    steel.write_text(
        text.replace('questions: ["What was the steel target for 1958?"]', 'questions: ["What were the backyard furnaces?"]'),
        encoding="utf-8",
    )
    glossary = kb_copy / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace("kind: place", "kind: city"), encoding="utf-8")
    problems = [str(p) for p in check_knowledge(kb_copy)[1]]
    assert any(
        "steel.yaml" in p and "[steel-target]" in p and "also a question of passage 'steel-furnaces'" in p for p in problems
    )
    assert any("glossary.yaml" in p and "[beidaihe]" in p and "'kind' is 'city'" in p for p in problems)
