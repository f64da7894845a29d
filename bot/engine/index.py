"""BM25 retrieval over two fields (title, questions, keywords above body text), scoring only candidates.

rank-bm25 is used for scoring; two of its pitfalls are avoided here:
- BM25Okapi's idf is zero or negative for a term in half the documents or more, which on a small
  corpus silences common subject words ("famine"); we use Lucene's always-positive idf instead.
- get_scores / get_top_n score every document and return documents even when nothing matched; we
  score only the documents that share a term with the query (an inverted index feeds
  get_batch_scores), so nothing unmatched is returned and cost grows with the matches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Document:
    """What the index sees of one answer unit: body terms and weighted meta terms."""

    body: tuple[str, ...]
    meta: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
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
        self.meta_weight = meta_weight
        self.body = _LuceneBM25([d.body for d in docs])
        self.meta = _LuceneBM25([d.meta for d in docs])
        postings: dict[str, list[int]] = {}
        self.doc_terms: list[frozenset[str]] = []
        self.meta_terms: list[frozenset[str]] = [frozenset(d.meta) for d in docs]
        for i, d in enumerate(docs):
            terms = frozenset(d.body) | frozenset(d.meta)
            self.doc_terms.append(terms)
            for t in terms:
                postings.setdefault(t, []).append(i)
        self.postings = postings
        self._posting_arrays = {t: np.asarray(p, dtype=np.int32) for t, p in postings.items()}
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

    def _coverage(self, doc: int, weighted: list[tuple[str, float]]) -> float:
        """Share of the weighted query terms' weight that the document contains."""
        total = sum(w for _, w in weighted)
        have = self.doc_terms[doc]
        return sum(w for t, w in weighted if t in have) / total if total else 0.0

    def candidates(self, query: Query, limit: int) -> list[int]:
        """Documents sharing a term with the query; beyond `limit`, those whose shared terms weigh most.

        The accumulation runs in numpy over the posting lists, so the work is in proportion to the
        matches, and BM25 (the expensive part) scores a bounded set however large the corpus grows.
        """
        weight = np.zeros(self.size)
        for t, w in query.terms.items():
            postings = self._posting_arrays.get(t)
            if postings is not None:
                weight[postings] += w * self.idf[t]
        matched = np.flatnonzero(weight)
        if len(matched) > limit:
            matched = matched[np.argpartition(-weight[matched], limit)[:limit]]
            matched.sort()
        return matched.tolist()

    def search(self, query: Query, k: int = 10, focus: dict[str, float] | None = None, limit: int = 64) -> list[Hit]:
        """Top k documents sharing a term with the query; coverage is of `focus` (term -> weight,
        default: the query's weights), each term also weighted by its idf."""
        focus = query.terms if focus is None else focus
        terms = [t for t in query.terms if t in self.postings]
        candidates = self.candidates(query, limit)
        if not candidates:
            return []
        scores = np.zeros(len(candidates))
        by_weight: dict[float, list[str]] = {}
        for t in terms:
            by_weight.setdefault(query.terms[t], []).append(t)
        for weight, group in by_weight.items():
            # rank-bm25 loops over candidates per term: only ask each field for terms it has.
            body = [t for t in group if t in self.body.idf]
            meta = [t for t in group if t in self.meta.idf]
            if body:
                scores += weight * np.asarray(self.body.get_batch_scores(body, candidates))
            if meta:
                scores += (weight * self.meta_weight) * np.asarray(self.meta.get_batch_scores(meta, candidates))
        weighted = [(t, w * self.weight(t)) for t, w in focus.items()]
        hits = []
        for i in np.argsort(-scores, kind="stable")[:k]:
            doc = candidates[int(i)]
            have = self.doc_terms[doc]
            hits.append(Hit(doc, float(scores[i]), self._coverage(doc, weighted), frozenset(t for t in terms if t in have)))
        return hits

