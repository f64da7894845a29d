"""Every record kind becomes an answer unit with its own sources."""

from bot.engine.formatting import readable_date
from bot.engine.units import build_units


def test_every_record_kind_is_a_unit(small_kb):
    units = build_units(small_kb)
    kinds = {u.kind for u in units}
    assert kinds == {"passage", "glossary", "timeline", "dispute", "series"}
    assert len({u.key for u in units}) == len(units)
    assert all(u.sources for u in units), "whatever answers can be cited"


def test_series_unit_gives_each_line_for_its_year(small_kb):
    unit = next(u for u in build_units(small_kb) if u.key == "series:steel-output:1958")
    assert unit.years == {1958}
    assert "Official: 8 million tonnes" in unit.text and "1958" in unit.text


def test_dispute_unit_names_everyone_who_estimated(small_kb):
    unit = next(u for u in build_units(small_kb) if u.key == "dispute:famine-deaths")
    assert "Peng Xizhe" in unit.meta and "Frank Dikötter" in unit.meta
    assert unit.disputes == ("famine-deaths",)


def test_timeline_dates_read_as_dates():
    assert readable_date("1959-07-14") == "14 July 1959"
    assert readable_date("1958-08") == "August 1958"
    assert readable_date("1960") == "1960"
    assert readable_date("1959-07-14", short=True) == "14 Jul 1959"


def test_a_unit_explains_when_its_title_or_most_of_its_questions_ask_why(shipped_kb):
    units = {u.id: u for u in build_units(shipped_kb)}
    assert units["agriculture-why-inflate"].explains  # titled "Why officials inflated harvest figures"
    assert units["overview-why-it-failed"].explains
    assert not units["agriculture-launching-satellites"].explains


def test_a_unit_reports_words_when_it_quotes_or_says_who_said_what(shipped_kb):
    units = {u.key: u for u in build_units(shipped_kb)}
    quoted = [u for u in units.values() if u.quote]
    assert quoted and all(u.reports for u in quoted)
    assert units["series:grain-output:1959"].reports is False


def test_a_persons_entry_with_life_dates_answers_when_they_were_born_and_died(shipped_kb):
    units = {u.key: u for u in build_units(shipped_kb)}
    peng = units["glossary:peng-dehuai"]  # "Marshal (1898-1974), ..."
    assert "When was Peng Dehuai born?" in peng.questions and "When did Peng Dehuai die?" in peng.questions
    assert "born" in peng.meta.split()
    # An entry without life dates claims no such answer.
    undated = [u for u in units.values() if u.person and "(1" not in u.text]
    assert undated and all(not any("born" in q for q in u.questions) for u in undated)
