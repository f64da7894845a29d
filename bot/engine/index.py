"""BM25 retrieval over two fields (title, questions, keywords above body text).

rank-bm25 does the scoring; three of its pitfalls are avoided here:
- BM25Okapi's idf is zero or negative for a term in half the documents or more, which on a small
  corpus silences common subject words ("famine"); we use Lucene's always-positive idf instead.
- get_scores / get_top_n score every document and return documents even when nothing matched; only
  documents that contain a query term are returned here.
- get_batch_scores loops in Python over documents for every term of every query. BM25 is a sum over
  the query's terms of a term-document score that does not depend on the query, so each term's
  scores (rank-bm25's own, for the documents that contain it) are computed once, at index time, as
  bm25s does; a query adds up its terms' rows in numpy, and its cost grows with the matches only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rank_bm25 import BM25Okapi


class _LuceneBM25(BM25Okapi):
    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75):
        super().__init__([list(doc) for doc in corpus], k1=k1, b=b)
        # rank-bm25 rebuilds np.array(doc_len) on every batch call; an array makes that a cheap copy.
        self.doc_len = np.asarray(self.doc_len, dtype=float)
        self.avgdl = self.avgdl or 1.0

    def _calc_idf(self, nd: dict[str, int]) -> None:
        n = self.corpus_size
        self.idf = {word: math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for word, df in nd.items()}


class _FieldScores:
    """One field's BM25 scores, term by term: (documents containing the term, their scores).

    rank-bm25 fits the statistics (idf, document lengths, k1, b); its per-term score formula is then
    applied to every (term, document) pair at once, which is what get_batch_scores([term], docs)
    returns for each term (tests/engine/test_index.py checks it), in one pass instead of one call
    per term (a tenth of a second at start)."""

    def __init__(self, corpus: Sequence[Sequence[str]]):
        bm25 = _LuceneBM25(corpus)
        terms: dict[str, int] = {}
        term_of, doc_of, tf = [], [], []
        for i, freqs in enumerate(bm25.doc_freqs):
            for t, n in freqs.items():
                term_of.append(terms.setdefault(t, len(terms)))
                doc_of.append(i)
                tf.append(n)
        term_ids, docs, freq = np.asarray(term_of), np.asarray(doc_of, dtype=np.int32), np.asarray(tf, dtype=float)
        idf = np.asarray([bm25.idf[t] for t in terms])
        norm = bm25.k1 * (1 - bm25.b + bm25.b * bm25.doc_len[docs] / bm25.avgdl)
        score = (idf[term_ids] * (freq * (bm25.k1 + 1) / (freq + norm))).astype(np.float32)
        order = np.argsort(term_ids, kind="stable")  # each term's documents together, in document order
        bounds = np.searchsorted(term_ids[order], np.arange(len(terms) + 1))
        docs, score = docs[order], score[order]
        self.rows = {t: (docs[bounds[k] : bounds[k + 1]], score[bounds[k] : bounds[k + 1]]) for t, k in terms.items()}


@dataclass(frozen=True)
class Document:
    """What the index sees of one answer unit: body terms and weighted meta terms."""

    body: tuple[str, ...]
    meta: tuple[str, ...]


class Hit(NamedTuple):  # a tuple, not a frozen dataclass: built for every match, five times faster
    doc: int
    score: float
    coverage: float  # share of the query's weight that this document contains
    matched: frozenset[str]


@dataclass(frozen=True)
class Query:
    """Query terms with weights: the question's own terms weigh 1, conversation context less."""

    terms: dict[str, float]

    @classmethod
    def of(cls, *groups: tuple[Sequence[str], float]) -> Query:
        terms: dict[str, float] = {}
        for group, weight in groups:
            for t in group:
                terms[t] = max(terms.get(t, 0.0), weight)
        return cls(terms)


class Index:
    def __init__(self, docs: Sequence[Document], meta_weight: float = 1.5, oov_weight: float = 0.8):
        if not docs:
            raise ValueError("cannot index an empty knowledge base")
        self.size = len(docs)
        body, meta = _FieldScores([d.body for d in docs]), _FieldScores([d.meta for d in docs])
        postings: dict[str, list[int]] = {}
        self.doc_terms: list[frozenset[str]] = []
        for i, d in enumerate(docs):
            terms = frozenset(d.body) | frozenset(d.meta)
            self.doc_terms.append(terms)
            for t in terms:
                postings.setdefault(t, []).append(i)
        self.postings = {t: np.asarray(p, dtype=np.int32) for t, p in postings.items()}  # term -> documents
        # A query weighs a term's body and meta scores alike (meta times meta_weight): one row per term, its
        # documents as in `postings`, the two fields' scores added.
        # (The fields' own rows are not kept: nothing reads them after this.)
        self.rows = {t: (docs, _merged(t, docs, body, meta, meta_weight)) for t, docs in self.postings.items()}
        n = self.size
        self.idf = {t: math.log(1.0 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}
        self.max_idf = math.log(1.0 + (n - 0.5) / 1.5)
        # An unknown word weighs like a fairly rare one: it is probably what the question is about.
        self.oov_idf = oov_weight * self.max_idf

    def weight(self, term: str) -> float:
        """How rare a term is here (idf); an unknown term weighs like a fairly rare one."""
        return self.idf.get(term, self.oov_idf)

    def known(self, term: str) -> bool:
        return term in self.postings

    def search(self, query: Query, k: int = 10, focus: dict[str, float] | None = None, limit: int = 64) -> list[Hit]:
        """Top k documents containing a query term; coverage is of `focus` (term -> weight, default:
        the query's weights), each term also weighted by its idf."""
        return self.matches(query, k, focus, limit)[0]

    def matches(
        self, query: Query, k: int = 10, focus: dict[str, float] | None = None, limit: int = 64
    ) -> tuple[list[Hit], np.ndarray]:
        """search's hits, and every document's coverage of `focus` (the retriever reads it for the units
        the semantic side finds too): both from one pass over the query terms' rows.

        Beyond `limit` matches, only the `limit` whose matched terms weigh most (idf times query
        weight) are ranked: a document matching several of the question's terms is preferred to one
        matching a single common term many times (measured: without this, follow-ups whose context
        terms widen the query fare worse)."""
        focus = query.terms if focus is None else focus
        found = [(t, w, self.rows[t]) for t, w in query.terms.items() if t in self.rows]
        same_terms = focus.keys() == query.terms.keys()  # the retriever's case: coverage from the same pass
        if not (found and same_terms):
            coverage = self.coverage_of(focus)
            if not found:
                return [], coverage
        lengths = [len(row[0]) for _, _, row in found]
        docs = np.concatenate([row[0] for _, _, row in found])
        scores = np.bincount(docs, np.concatenate([row[1] * w for _, w, row in found]), minlength=self.size)
        if same_terms:
            total = sum(w * self.weight(t) for t, w in focus.items())
            coverage = self._spread(docs, lengths, [focus[t] * self.idf[t] / total for t, _, _ in found])
        # Every document with a query term scores above zero (a boolean array's nonzero is several times faster).
        matched = np.flatnonzero(scores > 0)
        if len(matched) > limit:
            weight = self._spread(docs, lengths, [w * self.idf[t] for t, w, _ in found])
            matched = matched[(-weight[matched]).argpartition(limit)[:limit]]
        if len(matched) > k:
            matched = matched[(-scores[matched]).argpartition(k - 1)[:k]]
        matched = matched[np.lexsort((matched, -scores[matched]))]  # best first; ties by document order
        terms = frozenset(query.terms)
        at = matched.tolist()
        hits = [
            Hit(doc, score, cover, self.doc_terms[doc] & terms)
            for doc, score, cover in zip(at, scores[matched].tolist(), coverage[matched].tolist(), strict=True)
        ]
        return hits, coverage

    def coverage_of(self, focus: dict[str, float]) -> np.ndarray:
        """Every document's coverage of `focus` (term -> weight), each term also weighted by its idf."""
        return self.coverages([(t, w * self.weight(t)) for t, w in focus.items()])

    def coverages(self, weighted: list[tuple[str, float]]) -> np.ndarray:
        """Every document's share of the weighted query terms' weight: how much of the question it contains."""
        total = sum(w for _, w in weighted)
        return self._matched_weight([(t, w / total) for t, w in weighted]) if total else np.zeros(self.size)

    def _matched_weight(self, weighted: list[tuple[str, float]]) -> np.ndarray:
        """Every document's sum of the weights of the terms it contains."""
        known = [(self.postings[t], w) for t, w in weighted if t in self.postings]
        if not known:
            return np.zeros(self.size)
        return self._spread(np.concatenate([p for p, _ in known]), [len(p) for p, _ in known], [w for _, w in known])

    def _spread(self, docs: np.ndarray, lengths: list[int], per_term: list[float]) -> np.ndarray:
        """Each document's sum of a weight per term over the terms' concatenated postings (`lengths`: each term's)."""
        return np.bincount(docs, np.repeat(per_term, lengths), minlength=self.size)


def _merged(term: str, docs: np.ndarray, body: _FieldScores, meta: _FieldScores, meta_weight: float) -> np.ndarray:
    """A term's body score plus meta_weight times its meta score, for each of `docs` (those having it)."""
    out = np.zeros(len(docs), dtype=np.float64)
    for field, weight in ((body, 1.0), (meta, meta_weight)):
        row = field.rows.get(term)
        if row is not None:
            out[np.searchsorted(docs, row[0])] += row[1] * weight
    return out
