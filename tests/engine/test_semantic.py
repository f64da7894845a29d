"""The semantic model loads offline from the wordllama wheel, without touching logging."""

import subprocess
import sys

import numpy as np

from bot.engine.semantic import VectorIndex, load_model


def test_vectors_are_unit_length_and_empty_text_is_zero_not_nan():
    vectors = load_model().embed(["the people's communes", "", "   "])
    assert vectors.shape == (3, 256) and not np.isnan(vectors).any()
    assert abs(np.linalg.norm(vectors[0]) - 1.0) < 1e-5
    assert not vectors[1].any() and not vectors[2].any()


def test_one_text_embeds_as_it_does_in_a_batch():
    m = load_model()
    texts = ["How many people died?", "", "   ", "Xinyang 信阳", "\x00", "famine " * 80]
    for text, batched in zip(texts, m.embed(texts), strict=True):
        one = m.embed_one(text)
        assert one.dtype == np.float32 and one.shape == (256,)
        np.testing.assert_allclose(one, batched, atol=1e-6)


def test_related_phrasings_are_nearer_than_unrelated_ones():
    m = load_model()
    q, near, far = m.embed(["why did so many people starve", "causes of the famine and hunger", "the capital of France"])
    assert q @ near > q @ far


def test_loading_the_model_leaves_logging_alone():
    code = (
        "import logging, sys; from bot.engine.semantic import load_model; load_model().embed(['x']);"
        "print(len(logging.getLogger().handlers), 'wordllama' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "False"]  # no basicConfig handler, and wordllama's __init__ never ran


def test_clustered_index_finds_what_the_exact_scan_finds():
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(40, 16))
    data = centers[rng.integers(0, 40, 6000)] + 0.05 * rng.normal(size=(6000, 16))
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    index = VectorIndex(data.astype(np.float32))
    assert index.centroids is not None  # past the exact limit, clusters are probed
    hits = 0
    for i in range(0, 6000, 300):
        ids, _ = index.search(data[i].astype(np.float32), 1)
        hits += int(np.argmax(data @ data[i]) == ids[0])
    assert hits >= 18  # of 20
