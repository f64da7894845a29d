"""The tutor: question (+ dialogue state) -> understand -> retrieve -> judge -> compose -> Answer."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from bot.engine import compose, scope
from bot.engine.answer import Answer
from bot.engine.judge import Judge, features
from bot.engine.memory import ConversationMemory, Turn
from bot.engine.records import Dispute, KnowledgeBase
from bot.engine.retrieve import Candidate, Retrieval, Retriever, RetrieveSettings
from bot.engine.semantic import Embedder, load_model
from bot.engine.spelling import Speller
from bot.engine.text import STOP_WORDS, content_words, stem, tokenize, words
from bot.engine.understand import CONTEXT_WEIGHT, MONTH_NAMES, DialogueState, Query, Understander
from bot.engine.units import Unit, build_units

MAX_QUESTION_CHARS = 2000  # longer input is read only up to here
DEFAULT_TOPICS = ("overview", "death_toll", "communes")
WHY_ESTIMATES = "Why do the estimates differ so much?"
# A person's private life ("what did liu shaoqi say to his wife", "how many children did li jingquan have"): answered
# only by a unit that speaks of it, never by the person's public record. (Not eating: what people ate is the
# famine's own subject.)
PRIVATE = frozenset(map(stem, (
    "wife", "husband", "children", "child", "kids", "son", "daughter", "birthday", "breakfast", "favourite",
    "favorite", "hobby", "hobbies", "whisper", "whispered", "privately",
)))
DISPUTE_NEAR = 0.6  # a dispute a shown unit states is shown too when its own unit ranks this close to the best
QUOTE_CANDIDATES, QUOTE_COVERAGE = 5, 0.6  # a request for words: a unit reporting them, this near the top and this full
NON_COUNT_UNITS = frozenset({"year"})  # disputes over a date, not an amount: no "why do the estimates differ"


@dataclass(frozen=True)
class TutorSettings:
    extra_ratio: float = 0.5  # a further unit is shown if its fused score is this share of the best
    extra_coverage: float = 0.5  # ...and it covers this share of the question
    max_units: int = 3
    n_followups: int = 3
    retrieve: RetrieveSettings = field(default_factory=RetrieveSettings)


_FIGURE = re.compile(
    r"(?<![\d.,])(\d+(?:\.\d+)?)\s*(?:million|milion|mil|mn|m)\b\W*(\w*)|(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])\W*(\w*)"
)
DEATH = stem("deaths")
DEATH_WORDS = frozenset(map(stem, ("people", "person", "lives", "victims", "starved", "killed")))  # what a toll counts
PEOPLE = frozenset(map(stem, ("people", "person")))
FIGURE_SLACK = 1.5  # a figure this far outside a dispute's span still belongs to it ("only 3 million died")
_STATED = re.compile(  # a figure in a unit's text, with the three words after it
    r"(?<![\d.,])(\d+(?:\.\d+)?)\s*million\b((?:\W+\w+){0,3})|(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])((?:\W+\w+){0,3})"
)
_LATIN = re.compile(r"[A-Za-z]")


def _foreign(question: str) -> bool:
    """Written in letters, none of them Latin (Chinese, Cyrillic...)."""
    return not _LATIN.search(question) and any(ch.isalpha() for ch in question)


STATING_KINDS = frozenset({"glossary", "timeline", "series"})  # passages name their disputes in the knowledge base
# A figure in words ("close to ten million famine deaths"), with the three words after it.
_WORD_NUMBERS = {
    w: float(n) for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)
} | {"fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0, "fifty": 50.0}
_STATED_WORDS = re.compile(rf"\b({'|'.join(_WORD_NUMBERS)})\s+million\b((?:\W+\w+){{0,3}})")


def _amount(m: re.Match[str]) -> float:
    """The plain number a _FIGURE or _STATED match gives: "4.5 million" -> 4.5e6, "26,000" -> 26000."""
    return float(m.group(1)) * 1e6 if m.group(1) else float(m.group(3).replace(",", ""))


def _is_estimate(points: frozenset[float], value: float) -> bool:
    """The value is one of a dispute's estimates, to within 1%."""
    return any(abs(p - value) <= 0.01 * value for p in points)


def figures_in(text: str) -> list[tuple[float, str]]:
    """The amounts a question names, as plain numbers, each with the stem of the word after it unless that
    is a stop word: "55 million died" -> (55e6, "death"), "26,000" -> (26000, ""); years are not amounts."""
    out = []
    for m in _FIGURE.finditer(text.lower()):
        after = m.group(2) if m.group(1) else m.group(4)
        out.append((_amount(m), stem(after) if after and after not in STOP_WORDS and not after.isdigit() else ""))
    return out


DisputeFigures = tuple[frozenset[float], float, float, frozenset[str]]  # estimates, lowest, highest, what it counts


def stated_disputes(text: str, disputed: dict[str, DisputeFigures]) -> tuple[str, ...]:
    """The disputes a unit's text gives one of the estimates of, with what it counts within three words
    ("almost 30 million premature deaths", "10.7 million tonnes"): the figure is disputed wherever it is said."""
    stated = [(_amount(m), m.group(2) or m.group(4) or "") for m in _STATED.finditer(text.lower())]
    stated += [(_WORD_NUMBERS[m.group(1)] * 1e6, m.group(2)) for m in _STATED_WORDS.finditer(text.lower())]
    found = []
    for value, following in stated:
        # "people" alone does not make a figure a toll: "three million people took part" is a crowd
        after = {stem(w) for w in re.findall(r"\w+", following)} - PEOPLE
        found += [d for d, (points, _, _, vocabulary) in disputed.items() if after & vocabulary and _is_estimate(points, value)]
    return tuple(dict.fromkeys(found))


def dispute_words(d: Dispute) -> frozenset[str]:
    """What a disputed figure counts, in search terms: its unit's and its question's ("birth", "prevent", "million")."""
    return frozenset(tokenize(f"{d.unit} {d.question}"))


def dispute_figures(d: Dispute) -> DisputeFigures:
    """A disputed amount's estimates as plain numbers (values and range ends), the span they cover, and the
    words of what it counts (its unit and its question: "deaths", "died", "households")."""
    scale = 1e6 if d.unit.startswith("million") else 1.0
    points = frozenset(v * scale for e in d.estimates for v in (e.value, e.low, e.high) if v is not None)
    vocabulary = dispute_words(d)
    if DEATH in vocabulary:
        vocabulary |= DEATH_WORDS
    return points, min(points), max(points), vocabulary


# How a unit's text names a month: in full or shortened ("Sept. 1958", "Dec 1958").
_MONTH_WORDS = tuple(re.compile(rf"\b{m[:3]}({m[3:]}|t|\.)?\b", re.IGNORECASE) for m in MONTH_NAMES)


class Tutor:
    def __init__(
        self,
        kb: KnowledgeBase,
        settings: TutorSettings | None = None,
        memory: ConversationMemory | None = None,
        judge: Judge | None = None,
        embedder: Embedder | None = None,
    ):
        self.kb = kb
        self.settings = settings or TutorSettings()
        self.memory = memory if memory is not None else ConversationMemory()  # an empty memory is falsy (__len__)
        self._views = {d.id: compose.dispute_view(d) for d in kb.disputes.values()}  # as shown, built once
        self._dispute_figures = {  # each disputed amount's estimates, as plain numbers, and their span
            d.id: dispute_figures(d) for d in kb.disputes.values() if d.unit not in NON_COUNT_UNITS and d.unit != "percent"
        }
        self.units: tuple[Unit, ...] = tuple(
            replace(u, disputes=stated_disputes(u.text, self._dispute_figures))
            if u.kind in STATING_KINDS and not u.disputes else u
            for u in build_units(kb)
        )
        self.retriever = Retriever(self.units, embedder if embedder is not None else load_model(), self.settings.retrieve)
        speller = Speller(self.retriever.vocabulary)
        self.understander = Understander(kb, speller, frozenset(self.retriever.index.postings))
        self.about = [self._about(u, doc.meta) for u, doc in zip(self.units, self.retriever.documents, strict=True)]
        self.retriever.link_entities(self.about)
        self._mentions: dict[int, tuple[str, ...]] = {}  # unit -> the entities its text names (read when first asked)
        self.understander.broad = self.retriever.broad
        self.judge = judge if judge is not None else Judge.load()
        self._by_key = {u.key: i for i, u in enumerate(self.units)}
        self._dispute_years = {  # the rival dates of a disputed date ("1960", "1961", "1962")
            d.id: frozenset(int(e.value) for e in d.estimates if e.value is not None and d.unit in NON_COUNT_UNITS)
            for d in kb.disputes.values()
        }
        self._estimators = {  # the glossary people who made a dispute's estimates
            d.id: frozenset(
                e.id for est in d.estimates for e in self.understander.find_entities(tokenize(est.by.split("(")[0]))
                if e.kind == "person"
            )
            for d in kb.disputes.values()
        }
        self._dispute_places = {  # the places a dispute is confined to ("xinyang-deaths": Xinyang, Henan)
            u.id: frozenset(e for e in about if self.understander.entities[e].kind == "place")
            for u, about in zip(self.units, self.about, strict=True) if u.kind == "dispute"
        }
        self._figure_years = {u.id: u.years for u in self.units if u.kind == "dispute"}  # the year(s) a figure is of
        self._dispute_terms = {d.id: dispute_words(d) for d in kb.disputes.values()}  # what each disputed figure counts
        self._timeline_by_year: dict[int, list[int]] = {}
        for i, u in enumerate(self.units):
            if u.kind == "timeline":
                self._timeline_by_year.setdefault(min(u.years), []).append(i)
        # Names in another script (大跃进, 责任田), longest first: what a question in that script may name.
        self._scripted_names = sorted(
            {n for g in kb.glossary for n in (g.chinese or "", *g.aliases) if _foreign(n)}
            | {n for p in kb.passages for n in p.aliases if _foreign(n)},
            key=len,
            reverse=True,
        )
        self._listed_terms = [frozenset(frozenset(tokenize(q)) for q in u.questions) for u in self.units]

    def _about(self, u: Unit, meta: tuple[str, ...]) -> tuple[str, ...]:
        """The glossary entities a unit is about: its own entry, or those its meta (title, questions,
        keywords, aliases; a timeline event's text) names."""
        if u.kind == "glossary":
            return (u.id,)
        return tuple(e.id for e in self.understander.find_entities(list(meta)))

    def __getstate__(self) -> dict:
        """What a snapshot keeps (snapshot.py): the built indexes, not the conversations (a new process has none)."""
        return {**self.__dict__, "memory": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.memory = ConversationMemory()

    def warm(self) -> None:
        """Build what is otherwise built on first need (the spelling dictionary, ~0.2 s), so that no
        student's question pays for it; a one-shot `ask` skips this."""
        self.understander.speller.warm()

    # ----- the pipeline ---------------------------------------------------------------------
    def ask(self, question: str, conversation: str | None = None) -> Answer:
        question = (question if isinstance(question, str) else str(question)).strip()[:MAX_QUESTION_CHARS]
        previous = self.memory.last(conversation) if conversation else None
        state = previous.state if previous else None
        answer, new_state = self.respond(question, state)
        if conversation:
            self.memory.add(conversation, Turn(question, new_state or DialogueState(), new_state is None))
        return answer

    def understand(self, question: str, state: DialogueState | None = None) -> Query:
        return self.understander.understand(question, state)

    def respond(self, question: str, state: DialogueState | None = None) -> tuple[Answer, DialogueState | None]:
        """The Answer, and the dialogue state after it (None when the tutor abstained)."""
        if not words(question):
            return self._abstain(question, None, None if _foreign(question) else compose.NO_QUESTION), None
        if _foreign(question) and self._beyond_names(question):  # "大跃进死了多少人": more than a name it knows
            return self._abstain(question, None), None
        q = self.understand(question, state)
        outside = self.outside(q, state)
        if outside:
            return self._abstain(question, None, compose.outside_scope(outside)), None
        q, r = self.retrieve(q, state)
        # Answerable by what the question names, whatever the judge estimates; never a request to invent.
        by_construction = not q.asks("invent") and (
            self._listed(r) or bool(self._year_events(r.query)) or self._asked_dispute(r) is not None
        )
        if (r.best is not None and any(e.kind == "person" for e in q.entities)
                and any(t in PRIVATE and t not in self.retriever.index.doc_terms[r.best.unit] for t in q.own)):
            return self._abstain(question, r), None
        # A page asked for is given only where the knowledge base records one: never a page guessed.
        if q.asks("page") and not any(ref.pages for c in r.candidates[:2] for ref in self.units[c.unit].sources):
            return self._abstain(question, r, compose.NO_PAGE), None
        # A request for words no unit near the top reports is told so, whatever the judge would say.
        if q.asks("quote") and not self._quoted(r):
            return self._abstain(question, r, compose.NO_QUOTE), None
        # A figure asked for a month ("how many sparrows were killed on 13 december 1958?") is answered only by a
        # unit near the top of that month: a figure for another date is not its answer.
        if q.months and q.asks("amount") and not by_construction and not any(
            all(self._of_month(c.unit, m) for m in q.months) for c in r.candidates[:2]
        ):
            return self._abstain(question, r), None
        if not by_construction and not self.judge.answers(self.features(r)):
            return self._abstain(question, r), None
        return self._answer(r, state, question)

    def _of_month(self, unit: int, month: int) -> bool:
        """Unit `unit` speaks of month `month` (1-12): a timeline event dated in it, or a unit naming it."""
        u = self.units[unit]
        if u.kind == "timeline" and self.kb.timeline_by_id[u.id].date[5:7] == f"{month:02d}":
            return True
        return bool(_MONTH_WORDS[month - 1].search(u.text))

    def _beyond_names(self, question: str) -> bool:
        """A question in another script says more than the names in it the knowledge base knows ("大跃进" alone is
        one; "大跃进死了多少人" asks something in Chinese, which the tutor does not read)."""
        rest = question
        for name in self._scripted_names:
            rest = rest.replace(name, " ")
        return any(ch.isalpha() for ch in rest)

    def _quoted(self, r: Retrieval) -> bool:
        """A request for someone's words is answered only by a unit near the top that reports words and holds
        most of what the question asks: a quotation is never pieced together from a passage on something else."""
        return any(
            self.units[c.unit].reports and c.coverage >= QUOTE_COVERAGE for c in r.candidates[:QUOTE_CANDIDATES]
        )

    def retrieve(self, q: Query, state: DialogueState | None) -> tuple[Query, Retrieval]:
        """The question's candidates, and the reading of it they are for. A question read afresh leans a little
        on what the conversation is about; a short one with words of its own ("who was responsible?") that
        so finds nothing the conversation is on is read on the conversation's subject, if that finds some."""
        context = () if state is None or q.followup else tuple(ids[0] for ids in state.entities.values() if ids)
        r = self.retriever.retrieve(q, context)
        if state is None or self._related(r, state):
            return q, r
        other = self.understander.in_context(q, state)  # read only when the first reading strays
        if other is not None and self._related(found := self.retriever.retrieve(other), state):
            return other, found
        return q, r

    @staticmethod
    def outside(q: Query, state: DialogueState | None) -> str | None:
        """The out-of-scope subject the question is about, if any. The conversation can anchor a question
        that points back to it ("and in the cultural revolution?" after Liu Shaoqi), not a new one ("how
        many in the holodomor?" after the famine's toll)."""
        return scope.outside(q.own, state.subject if state is not None and q.points_back else ())

    def _asked_dispute(self, r: Retrieval) -> str | None:
        """The disputed figure a question asks about by what it names, answerable by construction: a
        follow-up asking why the figures just shown disagree ("why do sources disagree on that?"), a figure
        one of the estimates gives or falls among ("is 55 million legit?"), or two of its estimators ("why
        is coale lower than yang?")."""
        q = r.query
        if q.followup and q.asks("disagree") and q.inherited_disputes:
            return q.inherited_disputes[0]
        named = {e.id for e in q.entities}
        found = self._figure_disputes(q.text, q.asks("deaths"))
        if not found:  # two of its estimators: one named, another at least by a word of the name ("yang")
            terms = q.terms.keys()
            found = [
                d for d, people in self._estimators.items()
                if people & named and sum(1 for p in people if not terms.isdisjoint(self.understander.entities[p].terms)) >= 2
            ]
        if not found:
            return None
        # A dispute over one place's toll is asked about when the question names that place, else not.
        found = [d for d in found if self._places_named(d, named)] or found
        most = max(self._places_in(d, named) for d in found)
        found = [d for d in found if self._places_in(d, named) == most]
        if r.best is not None and (stated := [d for d in self.units[r.best.unit].disputes if d in found]):
            return stated[0]  # the best unit states one of them: that one
        ranked = [d for c in r.candidates for d in (self.units[c.unit].disputes or (self.units[c.unit].id,)) if d in found]
        return ranked[0] if ranked else found[0]

    def _related(self, r: Retrieval, state: DialogueState) -> bool:
        """The best unit is on what the conversation is about: shown in it, on the topic of a unit shown in it,
        or about an entity it named."""
        if r.best is None:
            return False
        u = self.units[r.best.unit]
        if u.key in state.units:
            return True
        if u.topic and u.topic in {self.units[self._by_key[k]].topic for k in state.units if k in self._by_key}:
            return True
        talked = {e for ids in state.entities.values() for e in ids}
        return not talked.isdisjoint(self.about[r.best.unit])

    def _elsewhere(self, unit: int, q: Query) -> bool:
        """Unit `unit` is a disputed figure confined to places the question names none of (Sichuan's toll,
        asked China's)."""
        u = self.units[unit]
        places = self._dispute_places.get(u.id, frozenset()) if u.kind == "dispute" else frozenset()
        named = {e.id for e in q.entities}  # by name, or by the distinctive word of it ("the xinyang incident")
        return bool(places) and not any(p in named or self.understander.names_place(q.own, p) for p in places)

    def _places_named(self, d: str, named: set[str]) -> bool:
        """The question names every place dispute `d` is confined to (none, for China's toll)."""
        return self._dispute_places[d] <= named

    def _places_in(self, d: str, named: set[str]) -> int:
        """How many of the places dispute `d` is confined to the question names."""
        return len(self._dispute_places[d] & named)

    def _figure_disputes(self, text: str, deaths: bool = False) -> list[str]:
        """Disputes a figure in the text belongs to ("55 million", "26,000 died"), by its size and the word
        after it: those with an estimate of it first, then those whose estimates span it (loosely: a figure
        quoted from memory is rough). In a question about deaths, only tolls ("26,000 or 240,000 deaths": not
        the 26,000 communes)."""
        exact, within = [], []
        for f, after in figures_in(text):
            for d, (points, low, high, vocabulary) in self._dispute_figures.items():
                if after in self.understander.known_terms and after not in vocabulary:
                    continue  # "36,956 jin per mu" is not a death toll; "55 million legit?" may be
                if deaths and DEATH not in vocabulary:
                    continue
                if _is_estimate(points, f):
                    exact.append(d)
                elif low / FIGURE_SLACK <= f <= high * FIGURE_SLACK:
                    within.append(d)
        return list(dict.fromkeys(exact + within))

    def _dispute_lead(self, r: Retrieval, d: str | None) -> int | None:
        """The unit the asked-about dispute `d` is answered with: the best unit if it states it, else its own."""
        if d is None:
            return None
        q = r.query
        why = q.followup and q.asks("disagree") and d in q.inherited_disputes  # the dispute's own explanation
        if not why and r.best is not None and d in self.units[r.best.unit].disputes:
            return r.best.unit
        return self._by_key.get(f"dispute:{d}")

    def _year_events(self, q: Query) -> list[int]:
        """A question asking only about a year ("what happened in 1960?", "and in 1961?"): the timeline's
        key events of that year (its milestones), else events spread from its first to its last."""
        # Its own terms are all the year: a subject the conversation lends it lightly ("what happened in 1959?"
        # after "give me a timeline of the glf") does not make it a question about that subject.
        if not q.years or len(q.years) > 1 or q.parts or not all(t.isdigit() for t, w in q.terms.items() if w > CONTEXT_WEIGHT):
            return []
        if q.points_back and not q.followup:  # "and in 1961?" with nothing before it: and what, in 1961?
            return []
        events = self._timeline_by_year.get(next(iter(q.years)), [])  # in date order, as the timeline is
        milestones = [i for i in events if self.kb.timeline_by_id[self.units[i].id].milestone]
        return (milestones or compose.spread(events, self.settings.max_units))[: self.settings.max_units]

    def _listed(self, r: Retrieval) -> bool:
        """The question is one the best unit lists as answering, bar case, punctuation and stop words (a
        suggested follow-up asked as printed): answerable by construction, whatever the judge estimates."""
        return r.best is not None and frozenset(tokenize(r.query.text)) in self._listed_terms[r.best.unit]

    def features(self, r: Retrieval) -> dict[str, float]:
        best, q = r.best, r.query
        entity = best is not None and any(e.id in self.about[best.unit] for e in q.entities)
        year = not q.years or (best is not None and bool(self.units[best.unit].years & q.years))
        index = self.retriever.index
        named = {t for e in q.entities for t in e.terms} | set(q.refers) | set(q.aliases)
        rest = {t: w for t, w in q.focus().items() if t not in named and not t.isdigit()}
        rest_weight = sum(w * index.weight(t) for t, w in rest.items())
        held = sum(w * index.weight(t) for t, w in rest.items() if best is not None and t in index.doc_terms[best.unit])
        specific = math.log1p(sum(q.specificity.get(t, 1.0) * index.weight(t) for t in q.own))
        present = not q.asks("present") or (best is not None and self.units[best.unit].speaks_of_present)
        # What the question asks beyond the names it gives ("peng dehuai's blood type" -> "blood type"),
        # read by the semantic model against the best unit.
        rest_words = [w for w in content_words(q.text) if stem(w) not in named]
        rest_semantic = self.retriever.best_similarity(" ".join(rest_words), best.unit) if best and rest_words else 1.0
        rest_coverage = held / rest_weight if rest_weight else 1.0
        precedents = self.judge.precedents  # none for the permissive judge: no vector to compute
        near = precedents.near(self.question_vector(r)) if precedents is not None else (0.0, 0.0)
        return features(r, entity, year, rest_coverage, specific, present, rest_semantic, near)

    def question_vector(self, r: Retrieval) -> np.ndarray:
        """The question as the semantic model reads it (what the judge's precedents are compared with): the
        retrieval's own vector, unless that read a follow-up together with what it refers to."""
        q = r.query
        if r.vector is not None and (not q.followup or (q.semantic_text or q.text).strip().lower() == q.text.strip().lower()):
            return r.vector
        return self.retriever.embedder.embed_one(q.text)

    # ----- choosing what to show --------------------------------------------------------------
    def _pick(self, r: Retrieval, asked: str | None) -> list[Candidate]:
        """The units to show; `asked`: the dispute the question asks about by what it names, if any."""
        s = self.settings
        if (own := self._dispute_lead(r, asked)) is not None and own != r.candidates[0].unit:
            return [next((c for c in r.candidates if c.unit == own), Candidate(own, 0, 0, 0, 0, None, None, frozenset()))]
        if events := self._year_events(r.query):
            scores = {c.unit: c for c in r.candidates}
            return [scores.get(i, Candidate(i, 0, 0, 0, 0, None, None, frozenset())) for i in events]
        # A place's disputed toll does not lead a question naming no place of it ("how many died in total?").
        best = next((c for c in r.candidates if not self._elsewhere(c.unit, r.query)), r.candidates[0])
        picked = [best]
        if r.part_candidates:  # a comparison: the best unit for each part
            for part in r.part_candidates:
                c = next((c for c in part if c.unit not in {p.unit for p in picked}), None)
                if c is not None and len(picked) < s.max_units:
                    picked.append(c)
            return picked
        # One year against another ("grain in 1958 vs 1960"): the series' points for each year asked.
        series_hit = next((c for c in r.candidates[:5] if self.units[c.unit].kind == "series"), None)
        if series_hit is not None and len(r.query.years) > 1 and r.query.intents & {"amount", "compare"}:
            series = self.units[series_hit.unit].id.split(":")[0]
            for y in sorted(r.query.years):
                i = self._by_key.get(f"series:{series}:{y}")
                if i is not None and i != best.unit and len(picked) < s.max_units:
                    picked.append(
                        next((c for c in r.candidates if c.unit == i), Candidate(i, 0, 0, 0, 0, None, None, frozenset()))
                    )
            return picked
        # One year ("how much grain in 1960"): that year's point of the series leads, beside it the units
        # holding every term it holds (not a unit on another measure that shares the verb).
        if series_hit is not None and len(r.query.years) == 1 and r.query.asks("amount") and best.unit != series_hit.unit:
            series = self.units[series_hit.unit].id.split(":")[0]
            if self._by_key.get(f"series:{series}:{next(iter(r.query.years))}") == series_hit.unit:
                beside = [
                    c for c in r.candidates
                    if c.unit != series_hit.unit and c.matched >= series_hit.matched
                    and (not (years := self.units[c.unit].years) or years & r.query.years)
                ]
                return [series_hit, *beside[: s.max_units - 1]]
        for c in r.candidates[1:]:
            if len(picked) >= s.max_units:
                break
            if c.unit == best.unit or self._elsewhere(c.unit, r.query):
                continue
            if c.fused >= s.extra_ratio * best.fused and c.coverage >= s.extra_coverage:
                picked.append(c)
        return picked

    def _disputes(self, r: Retrieval, units: list[Unit], asked: str | None) -> tuple[list[Dispute], dict[str, set[str]]]:
        """Disputed figures shown: a dispute unit chosen, one a chosen unit states, or one the question asks a
        figure of or names; "is that the highest?" keeps the last one. With them, the disputes there only
        because a unit below the lead states them, each with the units that do (shown only beside one of them)."""
        q = r.query
        ids = [u.id for u in units if u.kind == "dispute"]
        owners: dict[str, set[str]] = {}
        asks_amount = bool(q.intents & {"amount", "deaths", "high", "low", "compare"})
        best = r.candidates[0].fused
        near = {
            self.units[c.unit].id for c in r.candidates
            if self.units[c.unit].kind == "dispute" and c.fused >= DISPUTE_NEAR * best and not self._elsewhere(c.unit, q)
        }
        stating = list(units)
        if asks_amount and not any(u.disputes for u in stating[:2]):  # the amount asked may be stated just below
            stating += [self.units[c.unit] for c in r.candidates[:3]]
        weight = self.retriever.index.weight
        for i, u in enumerate(stating):
            # Of two disputes a unit states, the one the question asks about by what it counts first (it is the one
            # kept when both do not fit): "explain the birth deficit" -> the lost births, before the deaths.
            for d in sorted(u.disputes, key=lambda d: -sum(weight(t) for t in q.terms.keys() & self._dispute_terms[d])):
                is_date = self.kb.disputes[d].unit in NON_COUNT_UNITS
                # A unit shown states this disputed amount: the rival estimates go beside it, always (Cao's 6.3
                # million for Anhui is one estimate, wherever it is quoted). A disputed date goes beside it
                # when the question asks when, or the lead names one of the rival dates.
                stated = i < len(units) and not is_date
                dated = is_date and (q.asks("date") or (i == 0 and bool(q.years & self._dispute_years[d])))
                if i > 0 and q.years and self._figure_years[d] and not self._figure_years[d] & q.years:
                    continue  # stated below the lead, another year's figure is not the one asked ("in 1960?": not 1958's)
                # (a third unit shown, often cut for room, counts only by stating it)
                third = 2 <= i < len(units)
                other_reason = i == 0 or (not third and ((asks_amount and not is_date) or dated)) or d in near
                if stated and not other_reason and (d not in ids or d in owners):
                    owners.setdefault(d, set()).add(u.key)
                if d not in ids and (stated or other_reason):
                    ids.append(d)
        for d in q.inherited_disputes:
            if d not in ids and q.intents & {"high", "low", "disagree"}:
                ids.append(d)
        if asked is not None and asked not in ids:
            ids.insert(0, asked)
        if asks_amount:  # "chen yizi estimate": the dispute over an amount an estimator the question names is part of
            named = {e.id for e in q.entities}
            extra = [
                d for d, people in self._estimators.items()
                if people & named and d not in ids and self.kb.disputes[d].unit not in NON_COUNT_UNITS
                and self._places_named(d, named)
            ]
            # The place the question names first, then what it counts ("death toll": a count of deaths).
            terms = q.terms.keys()
            extra.sort(key=lambda d: (
                -self._places_in(d, named),
                d not in self._dispute_figures or terms.isdisjoint(self._dispute_figures[d][3]),
            ))
            ids += extra
        kept = ids[:2]
        return [self.kb.disputes[d] for d in kept], {d: keys for d, keys in owners.items() if d in kept}

    def _answer(self, r: Retrieval, state: DialogueState | None, question: str | None = None) -> tuple[Answer, DialogueState]:
        asked = self._asked_dispute(r)
        picked = self._pick(r, asked)
        units = [self.units[c.unit] for c in picked]
        disputes, owners = self._disputes(r, units, asked)
        followups = self._followups(r, {u.key for u in units}, disputes)
        superlative = "high" if r.query.asks("high") else "low" if r.query.asks("low") else None

        def composed(disputes: list[Dispute], left_out: frozenset[str] = frozenset()) -> Answer:
            return compose.compose(
                self.kb,
                r.query.text if question is None else question,
                [(u, c.fused) for u, c in zip(units, picked, strict=True) if u.key not in left_out],
                [self._views[d.id] for d in disputes],
                followups,
                superlative if disputes else None,
                explain=r.query.asks("disagree"),
                compared=bool(r.part_candidates),
            )

        answer = composed(disputes)
        shown = tuple(f"{p.kind}:{p.id}" for p in answer.passages)
        # A dispute there only because a further unit states it goes if that unit did not fit, unless the question
        # names what it counts; so do the units stating it, which the room it leaves might otherwise fit (an
        # amount stated without its rivals).
        terms = r.query.terms.keys()
        if orphans := {d for d, keys in owners.items() if keys.isdisjoint(shown) and terms.isdisjoint(self._dispute_terms[d])}:
            stating = frozenset(k for d in orphans for k in owners[d])
            answer = composed([d for d in disputes if d.id not in orphans], stating)
            shown = tuple(f"{p.kind}:{p.id}" for p in answer.passages)
        # Every unit shown names what "he" or "there" may mean next, the lead's entities first.
        entities = self._entities_shown(r.query, units)
        new_state = self.understander.state_after(r.query, entities, shown, tuple(d.id for d in answer.disputes), state)
        return answer, new_state

    def _entities_shown(self, q: Query, units: list[Unit]) -> tuple[str, ...]:
        """What "he" or "there" may mean next: every shown unit's entities, the lead's first. After a "who"
        question, the entries shown and then the people the lead's text names come before the others' entities:
        the answer to "who was the leader there?" is whom "what happened to him?" asks about."""
        about = [self.about[self._by_key[u.key]] for u in units]
        if not q.asks("person"):
            # Then the people and places their texts name: the next question may call them by a name that alone
            # is ambiguous ("peng", after the Lushan conference).
            named = [e for u in units[:1] for e in self._mentioned(self._by_key[u.key])]
            return tuple(dict.fromkeys([*(e for ids in about for e in ids), *named]))
        entries = [u.id for u in units[1:] if u.kind == "glossary"]
        named = self._mentioned(self._by_key[units[0].key])
        return tuple(dict.fromkeys([*about[0], *entries, *named, *(e for ids in about[1:] for e in ids)]))

    def _mentioned(self, unit: int) -> tuple[str, ...]:
        """The entities a unit's text names, in the order it names them: who "he" may be once it is shown (the
        Anhui entry names Zeng Xisheng, its first secretary; its meta names only Anhui). Read on first need:
        only the lead of a "who" answer needs it, and reading every unit's text would cost each start."""
        if unit not in self._mentions:
            self._mentions[unit] = tuple(e.id for e in self.understander.find_entities(tokenize(self.units[unit].text)))
        return self._mentions[unit]

    def _followups(self, r: Retrieval, shown: set[str], disputes: list[Dispute]) -> list[str]:
        """Questions the tutor can answer next: other units' own questions, never the one just asked."""
        out: list[str] = []
        seen = {r.query.text.casefold().strip(" ?!.")}
        if any(d.unit not in NON_COUNT_UNITS for d in disputes):
            out.append(WHY_ESTIMATES)
            seen.add(WHY_ESTIMATES.casefold().strip(" ?!."))
        for c in r.candidates[1:]:
            u = self.units[c.unit]
            if u.key in shown or u.kind != "passage" or not u.questions:
                continue
            q = u.questions[0]
            key = q.casefold().strip(" ?!.")
            if key not in seen:
                seen.add(key)
                out.append(q)
            if len(out) >= self.settings.n_followups:
                break
        return out

    def _abstain(self, question: str, r: Retrieval | None, reason: str | None = None) -> Answer:
        """No sourced answer: say so, and offer the nearest topics the knowledge base does cover."""
        topics: list[str] = []
        if r is not None:
            topics = list(dict.fromkeys(u.topic for c in r.candidates[:8] if (u := self.units[c.unit]).topic))[:3]
        topics = topics or [t for t in DEFAULT_TOPICS if t in self.kb.topics] or self.kb.topics[:3]
        suggestions = [q for t in topics if (q := self._topic_question(t))]
        if reason is None and _foreign(question):
            reason = compose.NOT_ENGLISH  # "大跃进死了多少人": the limit is the language, not the knowledge base
        return compose.abstain(question, topics, suggestions, reason)

    def _topic_question(self, topic: str) -> str | None:
        return next((p.question for p in self.kb.passages if p.topic == topic and p.question), None)
