"""Semantic similarity from the model that ships inside the wordllama wheel (256 dimensions, offline).

We read the wheel's two files ourselves instead of calling `WordLlama.load()`: importing wordllama
calls `logging.basicConfig` (it would take over the bot's logging) and its loader looks for the
tokenizer in the wrong folder and then tries a download. The model is a token-embedding table:
a text's vector is the mean of its tokens' vectors, normalised to unit length; an empty text (or one
of no known token) has no vector and scores 0 rather than NaN.

Names split into sub-words ("Xinyang" is near "Xinjiang"), so the semantic score never decides alone:
the retriever fuses it with BM25, and spelling and aliases are handled on the lexical side.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import tokenizers
from safetensors import safe_open
from tokenizers import Tokenizer

MODEL = "l2_supercat"
DIM = 256
BATCH = 128
EXACT_LIMIT = 4096  # up to this many units every one is scored; beyond, only the nearest clusters


class ModelMissing(RuntimeError):
    pass


def _package_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")  # finds the folder without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the wordllama package is not installed (pip install wordllama)")
    return Path(next(iter(spec.submodule_search_locations)))


@lru_cache(maxsize=1)
def load_model() -> Embedder:
    root = _package_dir()
    weights = root / "weights" / f"{MODEL}_{DIM}.safetensors"
    tokenizer = root / "tokenizers" / f"{MODEL}_tokenizer_config.json"
    for path in (weights, tokenizer):
        if not path.is_file():
            raise ModelMissing(f"wordllama model file not found: {path}")
    with safe_open(str(weights), framework="np") as f:
        table = f.get_tensor(next(iter(f.keys())))
    # Which model this is, for the snapshot (snapshot.py): its files' names, sizes and times, the tokenizer's version.
    files = ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in (weights, tokenizer))
    fingerprint = f"{files};tokenizers {tokenizers.__version__}"
    return Embedder(table, Tokenizer.from_file(str(tokenizer)), fingerprint)


class Embedder:
    def __init__(self, table: np.ndarray, tokenizer: Tokenizer, fingerprint: str | None = None):
        self.table = table  # kept in its stored precision (float16): half the memory
        self.tokenizer = tokenizer
        self.fingerprint = fingerprint  # identifies the model files (None: a tutor using it is never snapshotted)
        self._foreign_ids = tokenizer.get_vocab_size(with_added_tokens=True) > table.shape[0]
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32); a row of zeros where a text has no tokens."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), BATCH):  # in batches: the tokenizer's encodings are large objects
            chunk = [t.strip().lower() for t in texts[start : start + BATCH]]
            for i, enc in enumerate(self.tokenizer.encode_batch(chunk, add_special_tokens=False), start=start):
                pooled = self._pooled(enc.ids, chunk[i - start])
                if pooled is not None:
                    out[i] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def embed_one(self, text: str) -> np.ndarray:
        """embed([text])[0] without the batch set-up, which was a third of its time (it runs twice an answer)."""
        text = text.strip().lower()
        pooled = self._pooled(self.tokenizer.encode(text, add_special_tokens=False).ids, text)
        if pooled is None:
            return np.zeros(self.table.shape[1], dtype=np.float32)
        norm = float(np.sqrt(pooled @ pooled))  # what np.linalg.norm computes for a vector, without its overhead
        return pooled / norm if norm > 0 else pooled

    def _pooled(self, token_ids: list[int], text: str) -> np.ndarray | None:
        """The mean of a (lowercased, stripped) text's known token vectors; None for no text or no known token."""
        ids = np.asarray(token_ids, dtype=np.int64)
        if self._foreign_ids:  # a tokenizer with ids the table lacks (not the shipped one: its 32,000 are the table's)
            ids = ids[(ids >= 0) & (ids < self.table.shape[0])]
        if not (text and ids.size):
            return None
        return np.add.reduce(self.table[ids], axis=0, dtype=np.float32) / ids.size  # their mean, without np.mean's overhead


class VectorIndex:
    """Cosine similarity of a query to every vector; past EXACT_LIMIT vectors, to those in the query's
    nearest clusters (an inverted-file index: k-means centroids, a few probed per query). Clustered
    vectors are stored cluster by cluster, so a probe reads one contiguous block."""

    def __init__(self, vectors: np.ndarray, probes: int = 8, seed: int = 0):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.size = len(vectors)
        self.centroids: np.ndarray | None = None
        self.probes = probes
        self.order = np.arange(self.size)  # stored position -> original row
        self.bounds = np.array([0, self.size])
        if self.size > EXACT_LIMIT:
            assign = self._cluster(vectors, int(np.sqrt(self.size)), np.random.default_rng(seed))
            self.order = np.argsort(assign, kind="stable")
            self.bounds = np.searchsorted(assign[self.order], np.arange(len(self.centroids) + 1))
        self.vectors = vectors[self.order] if self.centroids is not None else vectors
        self.position = np.argsort(self.order)  # original row -> stored position

    def _cluster(self, vectors: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 6) -> np.ndarray:
        centroids = vectors[rng.choice(self.size, k, replace=False)].copy()
        for _ in range(rounds):
            assign = np.argmax(vectors @ centroids.T, axis=1)
            for c in range(k):
                members = vectors[assign == c]
                if len(members):
                    mean = members.mean(axis=0)
                    centroids[c] = mean / (np.linalg.norm(mean) or 1.0)
        self.centroids = centroids
        return np.argmax(vectors @ centroids.T, axis=1)

    @property
    def exact(self) -> bool:
        return self.centroids is None

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Every vector's similarity, in original row order (the exact index only)."""
        return self.vectors @ query

    def rows(self, rows: np.ndarray | range) -> np.ndarray:
        """The vectors of these original rows."""
        return self.vectors[self.position[np.asarray(rows)]]

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(original rows, similarities), best first, at most k."""
        if not query.any():
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if self.exact:
            ids, sims = np.arange(self.size), self.vectors @ query
        else:
            near = np.argpartition(-(self.centroids @ query), self.probes)[: self.probes]
            blocks = [(self.bounds[c], self.bounds[c + 1]) for c in near]
            sims = np.concatenate([self.vectors[a:b] @ query for a, b in blocks])
            ids = np.concatenate([self.order[a:b] for a, b in blocks])
        k = min(k, len(ids))
        top = np.argpartition(-sims, k - 1)[:k] if k < len(ids) else np.arange(len(ids))
        top = top[np.argsort(-sims[top], kind="stable")]
        return ids[top], sims[top]
