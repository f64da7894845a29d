"""Retrieve: candidates from every kind of answer unit, BM25 (rank-bm25) fused with semantic similarity.

Lexical and semantic rankings are joined by reciprocal rank fusion (as Haystack's hybrid retriever
does), then weighed by what the question asks for: a "when" question leans to timeline events, a
"how many" question to disputes and series, a "why" question to units that explain, "what did
liu say?" to units that report someone's words, a question naming a year to units that speak of it, a
question naming a person or place to the units about them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bot.engine.index import Document, Index
from bot.engine.index import Query as TermQuery
from bot.engine.semantic import Embedder, VectorIndex
from bot.engine.text import content_words, stem
from bot.engine.understand import Query
from bot.engine.units import Unit


@dataclass(frozen=True)
class RetrieveSettings:
    lexical_k: int = 20
    semantic_k: int = 20
    mode: str = "hybrid"  # "hybrid", or for an ablation "lexical" (BM25 alone) or "semantic" (the model alone)
    rrf_k: float = 8.0  # small: our lists are short, and the top ranks should count most
    semantic_weight: float = 0.8  # the semantic list's share in the fusion (lexical: 1)
    undated: float = 0.5  # a unit silent on the year the question names
    about_entity: float = 1.4  # a unit about an entity the question names...
    entity_spread: float = 0.04  # ...unless that entity is the subject of more than this share of all units
    faq_similarity: float = 0.92  # a question this near one a unit lists is that question, reworded...
    faq_boost: float = 1.5  # ...and that unit ranks up
    coverage_floor: float = 0.5  # fused score times (floor + coverage): a unit must hold what is asked
    kind_prior: tuple[tuple[str, float], ...] = (
        ("passage", 1.0),
        ("glossary", 0.9),
        ("timeline", 0.75),
        ("dispute", 0.9),
        ("series", 0.6),
    )
    intent_prior: tuple[tuple[str, str, float], ...] = (
        ("date", "timeline", 1.5),
        ("amount", "dispute", 1.5),
        ("amount", "series", 1.6),
        ("deaths", "dispute", 1.3),
        ("definition", "glossary", 1.4),
    )
    person_prior: float = 1.8  # a "who" question: a person's own entry
    amount_prior: tuple[float, float] = (1.3, 0.75)  # a "how many" question: units that give a figure / that don't
    conversation_prior: float = 1.1  # a unit about what the conversation is about, for a question not pointing back
    summary_topic: str = "overview"
    summary_prior: float = 1.6
    cause_prior: float = 1.6  # a why question: units that explain (titled or asked why) rank up
    said_prior: float = 1.3  # "what did liu say?": units that report someone's words rank up...
    quoted_prior: float = 1.5  # ...the more so those that quote them
    present_prior: float = 1.2  # "how is it remembered today?": units that speak of the present rank up


REPORTS, QUOTES = 1, 2  # how a unit gives someone's words: a verb of saying, or a quotation of them


class Candidate(NamedTuple):  # a tuple, not a frozen dataclass: some forty are built per question, five times faster
    unit: int  # position in Retriever.units
    fused: float
    lexical: float  # BM25 score (0 when only the semantic side found it)
    coverage: float  # share of the question's specific-term weight the unit contains
    semantic: float  # cosine similarity of question and unit
    lexical_rank: int | None
    semantic_rank: int | None
    matched: frozenset[str]


@dataclass(frozen=True)
class Retrieval:
    query: Query
    candidates: tuple[Candidate, ...]  # best first
    query_weight: float  # sum of idf over the query's terms (for normalising BM25)
    known_share: float  # share of the question's own terms that some unit has
    top_semantic: float  # the best semantic similarity of any unit
    part_candidates: tuple[tuple[Candidate, ...], ...] = ()  # per part of a comparison
    vector: np.ndarray | None = None  # the semantic model's reading of query.semantic_text (or its text)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def unit_words(u: Unit) -> tuple[list[str], list[str]]:
    """A unit's body and meta words, before stemming (read once: they feed the index and the speller)."""
    return content_words(f"{u.text} {u.quote}"), content_words(f"{u.meta} {(u.topic or '').replace('_', ' ')}")


def unit_semantic_text(u: Unit) -> str:
    return f"{u.title}. {' '.join(u.questions)} {u.text}"


class Retriever:
    def __init__(self, units: tuple[Unit, ...], embedder: Embedder, settings: RetrieveSettings | None = None):
        self.units = units
        self.settings = settings or RetrieveSettings()
        words = [unit_words(u) for u in units]
        # Surface words with their counts, in reading order (the speller's ties then break the same way every run).
        self.vocabulary = Counter(w for body, meta in words for w in (*body, *meta))
        self.documents = [Document(tuple(map(stem, body)), tuple(map(stem, meta))) for body, meta in words]
        self.index = Index(self.documents)
        self.embedder = embedder
        # Each unit is embedded whole and, separately, each question it answers: a student's phrasing
        # is often nearest one of those questions (an FAQ match) rather than the unit's prose.
        texts, starts = [], []
        for u in units:  # each unit's vectors side by side: its text, then its questions
            starts.append(len(texts))
            texts += [unit_semantic_text(u), *u.questions]
        self.vectors = VectorIndex(self.embedder.embed(texts))
        self._starts = np.asarray(starts, dtype=np.int64)
        self._ends = np.append(self._starts[1:], len(texts))  # each unit's vectors: rows _starts[i] to _ends[i]
        self._owner = np.repeat(np.arange(len(units)), self._ends - self._starts)
        self._prior_key = [self._key(u) for u in units]  # what a unit's prior depends on
        self._prior_keys = sorted(set(self._prior_key))  # the kinds of unit, as far as priors go
        self._prior_index = np.array([self._prior_keys.index(k) for k in self._prior_key], dtype=np.int64)
        self._entity_units: dict[str, set[int]] = {}
        self.broad: frozenset[str] = frozenset()  # entities too many units are about to mark a subject

    @property
    def settings(self) -> RetrieveSettings:
        return self._settings

    @settings.setter
    def settings(self, value: RetrieveSettings) -> None:
        """New settings (an ablation, a sweep) also start the priors afresh."""
        self._settings = value
        self._kind_prior = dict(value.kind_prior)
        self._prior_cache: dict[tuple[frozenset[str], bool], np.ndarray] = {}

    def __getstate__(self) -> dict:
        """A snapshot leaves the model out (snapshot.py attaches the one the new process loads)."""
        return {**self.__dict__, "embedder": None}

    def link_entities(self, about: list[tuple[str, ...]]) -> None:
        """`about[i]`: the entity ids unit i is about (computed once by the tutor)."""
        self._entity_units = {}
        for i, ids in enumerate(about):
            for e in ids:
                self._entity_units.setdefault(e, set()).add(i)
        spread = max(3, int(self.settings.entity_spread * len(self.units)))
        self.broad = frozenset(e for e, units in self._entity_units.items() if len(units) > spread)

    def retrieve(self, q: Query, context: tuple[str, ...] = ()) -> Retrieval:
        """`context`: the entities the conversation is about, for a question that does not point back to them
        (units about them rank a little higher: "who got purged?" after the Lushan conference)."""
        s = self.settings
        focus = q.focus()
        lexical = q.terms and s.mode != "semantic"
        if lexical:
            hits, coverages = self.index.matches(TermQuery(dict(q.terms)), k=s.lexical_k, focus=focus)
        else:
            hits, coverages = [], self.index.coverage_of(focus)
        qvec = self.embedder.embed_one(q.semantic_text or q.text)
        no_hits = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), None)
        sem_ids, sem_sims, every_unit = self._semantic(qvec, s.semantic_k) if s.mode != "lexical" else no_hits
        lex = {h.doc: (r, h) for r, h in enumerate(hits)}
        sem = {int(u): (r, float(v)) for r, (u, v) in enumerate(zip(sem_ids, sem_sims, strict=True))}
        fused = self._fuse(lex, sem)
        if every_unit is None:  # the clustered index scored only the nearest clusters: the rest, all at once
            every_unit = self._similarities(qvec, [doc for doc in fused if doc not in sem])
        terms = frozenset(q.terms)
        about = {u for e in q.entities if e.id not in self.broad for u in self._entity_units.get(e.id, ())}
        talked_of = {u for e in context if e not in self.broad for u in self._entity_units.get(e, ())} - about
        # Every candidate's score at once, in the order the factors were always applied (the same floats).
        docs = list(fused)
        at = np.fromiter(docs, dtype=np.int64, count=len(docs))
        score = np.fromiter(fused.values(), dtype=np.float64, count=len(docs))
        score *= self._priors(q)[self._prior_index[at]]
        if q.years:
            score[[not self.units[doc].years & q.years for doc in docs]] *= s.undated
        if about or talked_of:
            score *= [s.about_entity if doc in about else s.conversation_prior if doc in talked_of else 1.0 for doc in docs]
        cover = coverages[at]
        score *= s.coverage_floor + cover
        if isinstance(every_unit, np.ndarray):  # every unit scored: the semantic side's values are these
            semantic = every_unit[at].astype(np.float64)
        else:
            semantic = np.fromiter((sem[doc][1] if doc in sem else every_unit[doc] for doc in docs), np.float64, len(docs))
        found = np.fromiter((doc in sem for doc in docs), dtype=bool, count=len(docs))
        score[found & (semantic >= s.faq_similarity)] *= s.faq_boost
        candidates = []
        for doc, fused_score, coverage, similarity in zip(docs, score.tolist(), cover.tolist(), semantic.tolist(), strict=True):
            if doc in lex:
                lrank, h = lex[doc]
                lexical, matched = h.score, h.matched
            else:
                lrank, lexical, matched = None, 0.0, self.index.doc_terms[doc] & terms
            srank = sem[doc][0] if doc in sem else None
            candidates.append(Candidate(doc, fused_score, lexical, coverage, similarity, lrank, srank, matched))
        candidates.sort(key=lambda c: c.fused, reverse=True)
        own = [t for t in q.own if not t.isdigit()]
        known = sum(1 for t in own if self.index.known(t)) / len(own) if own else 0.0
        query_weight = sum(w * self.index.weight(t) for t, w in q.terms.items())
        parts = tuple(self._part(q, p) for p in q.parts)
        top = float(sem_sims[0]) if len(sem_sims) else 0.0
        return Retrieval(q, tuple(candidates), query_weight, known, top, parts, qvec)

    def _fuse(self, lex: dict, sem: dict) -> dict[int, float]:
        """Reciprocal rank fusion of the lexical and semantic rankings."""
        s = self.settings
        fused: dict[int, float] = {}
        for doc, (r, _) in lex.items():
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (s.rrf_k + r + 1)
        for doc, (r, _) in sem.items():
            fused[doc] = fused.get(doc, 0.0) + s.semantic_weight / (s.rrf_k + r + 1)
        return fused

    def best_similarity(self, text: str, unit: int) -> float:
        """How near a text is to a unit: the best of the unit's text and its questions (0 for no text)."""
        return self.unit_similarity(self.embedder.embed_one(text), unit)

    def unit_similarity(self, vec: np.ndarray, unit: int) -> float:
        """The best similarity of a vector to a unit's text and questions (0 for an empty vector)."""
        return self._similarities(vec, [unit])[unit]

    def _similarities(self, vec: np.ndarray, units: list[int]) -> dict[int, float]:
        """Each unit's best similarity to the vector (its text's or one of its questions'), in one product."""
        if not units or not vec.any():
            return dict.fromkeys(units, 0.0)
        at = np.asarray(units)
        lengths = self._ends[at] - self._starts[at]
        offsets = np.cumsum(lengths) - lengths  # where each unit's run starts among the rows read
        rows = np.repeat(self._starts[at] - offsets, lengths) + np.arange(int(lengths.sum()))
        best = np.maximum.reduceat(self.vectors.rows(rows) @ vec, offsets)
        return dict(zip(units, best.tolist(), strict=True))

    def _semantic(self, qvec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The k units nearest the question, each by its best vector (its text or one of its questions),
        and, when the index scores every vector, every unit's best similarity (else None)."""
        if not qvec.any():
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), None
        if self.vectors.exact:  # every vector scored: the best of each unit's run
            best = np.maximum.reduceat(self.vectors.similarities(qvec), self._starts)
            k = min(k, len(best))
            top = (-best).argpartition(k - 1)[:k]  # ndarray methods: numpy's function wrappers cost more here
            top = top[(-best[top]).argsort(kind="stable")]
            return top, best[top], best
        ids, sims = self.vectors.search(qvec, 4 * k)
        owners, first = np.unique(self._owner[ids], return_index=True)
        order = np.argsort(-sims[first], kind="stable")[:k]
        return owners[order], sims[first][order], None

    def _part(self, q: Query, terms: tuple[str, ...]) -> tuple[Candidate, ...]:
        """One part of a comparison, retrieved lexically with the question's years."""
        sub = Query(
            " ".join(terms),
            {t: q.terms.get(t, 1.0) for t in terms},
            terms,
            q.entities,
            q.intents - {"compare"},
            q.years,
            (),
            semantic_text=" ".join(terms),
            specificity=q.specificity,
        )
        hits = self.index.search(TermQuery(dict(sub.terms)), k=5, focus=sub.focus())
        out = []
        for r, h in enumerate(hits):
            unit = self.units[h.doc]
            dated = 1.0 if not q.years or unit.years & q.years else self.settings.undated
            score = h.score * self._prior(*self._prior_key[h.doc], sub) * dated
            out.append(Candidate(h.doc, score, h.score, h.coverage, 0.0, r, None, h.matched))
        return tuple(sorted(out, key=lambda c: c.fused, reverse=True))

    def _priors(self, q: Query) -> np.ndarray:
        """The prior of each kind of unit (`_prior_index` gives a unit's kind), for this question: what it asks
        and whether it names a year decide it, so it is computed once for each such kind of question."""
        asked = (q.intents, bool(q.years))
        priors = self._prior_cache.get(asked)
        if priors is None:
            priors = self._prior_cache[asked] = np.array([self._prior(*key, q) for key in self._prior_keys])
        return priors

    def _prior(
        self, kind: str, summary: bool, amount: bool, person: bool, explains: bool, reports: int, present: bool, q: Query
    ) -> float:
        s = self.settings
        prior = self._kind_prior.get(kind, 1.0)
        for intent, of_kind, factor in s.intent_prior:
            if of_kind == kind and q.asks(intent):
                if kind == "series" and not q.years:
                    continue
                prior *= factor
        if summary and q.asks("summary"):
            prior *= s.summary_prior
        if person and q.asks("person"):
            prior *= s.person_prior
        if q.intents & {"amount", "deaths"} and q.intents & {"amount", "high", "low"}:
            prior *= s.amount_prior[0] if amount else s.amount_prior[1]
        if explains and q.asks("cause"):
            prior *= s.cause_prior
        if present and q.asks("present"):
            prior *= s.present_prior
        if reports and q.asks("said"):
            prior *= s.said_prior * (s.quoted_prior if reports == QUOTES else 1.0)
        return prior

    def _key(self, unit: Unit) -> tuple[str, bool, bool, bool, bool, int, bool]:
        return (
            unit.kind, unit.topic == self.settings.summary_topic, unit.states_amount, unit.person, unit.explains,
            QUOTES if unit.quote else REPORTS if unit.reports else 0, unit.speaks_of_present,
        )
