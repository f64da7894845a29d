"""BM25 over fields, scoring only candidates, coverage and typo correction."""

import random

import numpy as np

from bot.engine.index import Document, Index, Query, _FieldScores, _LuceneBM25


def make_index():
    docs = [
        Document(body=("famin", "death", "million"), meta=("death", "toll")),
        Document(body=("steel", "furnac", "pot"), meta=("backyard", "furnac")),
        Document(body=("famin", "grain", "export"), meta=("export",)),
        Document(body=("famin", "sparrow"), meta=("pest",)),
    ]
    return Index(docs)


def test_only_matching_documents_are_returned():
    idx = make_index()
    assert idx.search(Query.of((["unknownword"], 1.0))) == []
    hits = idx.search(Query.of((["steel"], 1.0)))
    assert [h.doc for h in hits] == [1]


def test_common_terms_keep_positive_idf():
    # "famin" is in 3 of 4 documents: BM25Okapi would give it zero or negative idf.
    idx = make_index()
    hits = idx.search(Query.of((["famin"], 1.0)))
    assert {h.doc for h in hits} == {0, 2, 3}
    assert all(h.score > 0 for h in hits)


def test_meta_field_outranks_body():
    idx = Index([Document(body=("export",), meta=()), Document(body=(), meta=("export",))])
    hits = idx.search(Query.of((["export"], 1.0)))
    assert hits[0].doc == 1


def test_coverage_is_idf_weighted_share():
    idx = make_index()
    [hit] = idx.search(Query.of((["death", "toll"], 1.0)), k=1)
    assert hit.coverage == 1.0
    hits = idx.search(Query.of((["grain", "zzzunknown"], 1.0)))
    assert 0 < hits[0].coverage < 1


def test_term_rows_are_rank_bm25_scores():
    # Every precomputed row is what rank-bm25's get_batch_scores gives for that term alone.
    rng = random.Random(1958)
    vocab = [f"w{i}" for i in range(40)]
    corpus = [[rng.choice(vocab) for _ in range(rng.randint(1, 30))] for _ in range(60)]
    rows = _FieldScores(corpus).rows
    reference = _LuceneBM25(corpus)
    assert set(rows) == {t for doc in corpus for t in doc}
    for term, (docs, scores) in rows.items():
        expected_docs = [i for i, doc in enumerate(corpus) if term in doc]
        assert docs.tolist() == expected_docs
        np.testing.assert_allclose(scores, reference.get_batch_scores([term], expected_docs), rtol=1e-6)


def test_one_pass_gives_the_coverage_of_every_document():
    # matches() reads coverage off the same pass as the scores; it must be what coverages() computes alone,
    # for documents ranked or not, and the hits must carry it.
    rng = random.Random(1962)
    vocab = [f"w{i}" for i in range(30)]
    docs = [Document(tuple(rng.choices(vocab, k=rng.randint(1, 12))), tuple(rng.choices(vocab, k=2))) for _ in range(200)]
    idx = Index(docs)
    for _ in range(20):
        query = Query({t: rng.choice([0.4, 1.0]) for t in rng.sample(vocab, 4)} | {"unknownword": 1.0})
        focus = {t: w * rng.random() for t, w in query.terms.items()}
        hits, coverage = idx.matches(query, k=10, focus=focus)
        expected = idx.coverages([(t, w * idx.weight(t)) for t, w in focus.items()])
        np.testing.assert_allclose(coverage, expected, rtol=1e-9, atol=1e-12)
        assert hits and all(h.coverage == coverage[h.doc] for h in hits)
        assert [h.doc for h in hits] == [h.doc for h in idx.search(query, k=10, focus=focus)]
