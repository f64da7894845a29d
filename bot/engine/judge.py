"""Judge: is there a sourced answer? One calibrated model over query-time features.

A logistic regression (trained by `glf-tutor calibrate` on labelled questions: the tune sets plus
negatives written for it) turns the retrieval's features into the probability that the best unit answers
the question. It reads each feature and each product of two (coverage x entity match, follow-up x
what the question asks beyond its names...): a word the knowledge base lacks means one thing in a
follow-up and another in a fresh question, which a sum of single features cannot say (measured in
cross-validation on the training files: 0.78 of the negatives refused at 1% false abstention,
against 0.75 for the features alone; on the first, smaller training set 0.84 against 0.75).
Its coefficients ship as a small JSON file beside this module; at run time the judge is one dot
product. The threshold is chosen on the training side at ≤ 1% false abstention, out of fold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from bot.engine.retrieve import Retrieval

MODEL_FILE = Path(__file__).with_name("judge.json")
PRECEDENTS_FILE = Path(__file__).with_name("judge_precedents.npz")
PRECEDENT_DIMS = 64  # the first 64 of the 256 dimensions: a quarter of the work, and as good out of fold (0.860 against 0.853)
NEAREST = 5  # how many of the nearest training questions of each label a question is compared with
# In a follow-up that refers back ("did they reach it?"), the subject is the referent and the
# question's own unknown words are mostly its verbs: they say less about being off-topic.
FOLLOWUP_UNKNOWN = 0.5
FEATURES = (
    "coverage",  # share of the question's specific-term weight in the best unit
    "bm25",  # the best unit's BM25 score over the query's idf mass (log)
    "semantic",  # cosine similarity of question and best unit
    "top_semantic",  # the best cosine similarity of any unit
    "known_share",  # share of the question's own words the knowledge base uses
    "unknown_common",  # how ordinary the most ordinary unknown word is ("france" high, a typo low)
    "entity",  # the question names a glossary entity
    "entity_match",  # ...and the best unit is about it
    "margin",  # how far the best unit leads the second (fused score)
    "terms",  # how many specific terms the question has (log)
    "invent",  # asks to invent, role-play or ignore instructions
    "followup",  # read against the conversation
    "year_match",  # the question names no year, or the best unit speaks of one it names
    "rest_coverage",  # share of what the question asks beyond the entities it names that the best unit holds
    "specific_weight",  # how much specific vocabulary the question has at all (log): "ok cool" has none
    "agreement",  # both rankings put the best unit near the top: 1/(1 + lexical rank) + 1/(1 + semantic rank)
    "present_match",  # the question asks about today, and the best unit speaks of today (1 when it does not ask)
    "rest_semantic",  # semantic similarity of what is asked beyond the names given to the best unit
    "dangling",  # it points back ("did they reach it?") with no conversation to point to
    "near_answerable",  # mean similarity of the question to its nearest answerable training questions
    "near_unanswerable",  # ...and to its nearest unanswerable ones ("how do i get rid of bed bugs in my dorm")
    "near_lean",  # the second less the first: which kind of question it reads like
)
_PAIRS = tuple(combinations(range(len(FEATURES)), 2))
TERMS = FEATURES + tuple(f"{FEATURES[a]}*{FEATURES[b]}" for a, b in _PAIRS)  # what the model weighs
_LEFT, _RIGHT = (np.array(side, dtype=np.intp) for side in zip(*_PAIRS, strict=True))


def expand(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """The model's inputs from the features (in FEATURES order; one row, or a matrix of rows):
    each feature, then each product of two."""
    x = np.asarray(values, dtype=float)
    return np.concatenate([x, x[..., _LEFT] * x[..., _RIGHT]], axis=-1)



def features(
    r: Retrieval,
    entity_match: bool,
    year_match: bool,
    rest_coverage: float,
    specific_weight: float,
    present_match: bool,
    rest_semantic: float,
    near: tuple[float, float] = (0.0, 0.0),
) -> dict[str, float]:
    q, best = r.query, r.best
    if best is None:
        return dict.fromkeys(FEATURES, 0.0) | near_features(near) | {
            "known_share": r.known_share,
            "unknown_common": q.unknown_common * (FOLLOWUP_UNKNOWN if q.refers else 1.0),
            "entity": float(bool(q.entities)),
            "invent": float(q.asks("invent")),
            "followup": float(q.followup),
            "terms": math.log1p(len(q.own)),
            "year_match": float(not q.years),
            "specific_weight": specific_weight,
            "agreement": 0.0,
            "present_match": float(not q.asks("present")),
            "rest_semantic": 0.0,
            "dangling": float(q.points_back and not q.followup),
        }
    second = r.candidates[1].fused if len(r.candidates) > 1 else 0.0
    return {
        "coverage": best.coverage,
        "bm25": math.log1p(best.lexical / max(r.query_weight, 1e-6)),
        "semantic": best.semantic,
        "top_semantic": r.top_semantic,
        "known_share": r.known_share,
        "unknown_common": q.unknown_common * (FOLLOWUP_UNKNOWN if q.refers else 1.0),
        "entity": float(bool(q.entities)),
        "entity_match": float(entity_match),
        "margin": (best.fused - second) / best.fused if best.fused > 0 else 0.0,
        "terms": math.log1p(len(q.own)),
        "invent": float(q.asks("invent")),
        "followup": float(q.followup),
        "year_match": float(year_match),
        "rest_coverage": rest_coverage,
        "specific_weight": specific_weight,
        "agreement": sum(1.0 / (1 + rank) for rank in (best.lexical_rank, best.semantic_rank) if rank is not None),
        "present_match": float(present_match),
        "rest_semantic": rest_semantic,
        "dangling": float(q.points_back and not q.followup),
    } | near_features(near)


@dataclass(frozen=True)
class Precedents:
    """The training questions as the semantic model reads them, with their labels: a question is compared
    with the nearest of each kind. What sounds like "how do I get rid of bed bugs in my dorm" is off-topic
    however many words it shares with the knowledge base; measured on tune3, a set the judge never saw,
    this refused 0.67 -> 0.77 of its unanswerable questions at lower false abstention (0.025 -> 0.007)."""

    vectors: np.ndarray  # one unit-length row per training question (float32)
    answerable: np.ndarray  # bool per row

    @classmethod
    def load(cls, path: Path = PRECEDENTS_FILE) -> Precedents:
        with np.load(path) as data:
            return cls(data["vectors"].astype(np.float32), data["answerable"].astype(bool))

    def save(self, path: Path = PRECEDENTS_FILE) -> None:
        np.savez_compressed(path, vectors=self.vectors.astype(np.float16), answerable=self.answerable)

    @classmethod
    def of(cls, vectors: np.ndarray, answerable: np.ndarray, dims: int = PRECEDENT_DIMS) -> Precedents:
        """From full question vectors: their first `dims` components (the model is trained so that a
        prefix is itself an embedding), at unit length."""
        return cls(_unit(np.asarray(vectors, dtype=np.float32)[:, :dims]), np.asarray(answerable, dtype=bool))

    def __post_init__(self) -> None:
        # The answerable rows first, once: an answer then costs one product and no indexing.
        order = np.argsort(~self.answerable, kind="stable")
        object.__setattr__(self, "_sorted", np.ascontiguousarray(self.vectors[order]))
        object.__setattr__(self, "_split", int(self.answerable.sum()))

    def near(self, vec: np.ndarray, exclude: int | None = None) -> tuple[float, float]:
        """(mean similarity of the NEAREST answerable rows, of the NEAREST unanswerable rows); `exclude`: a
        row left out (a training question is not its own precedent)."""
        if not vec.any() or not len(self.vectors):
            return 0.0, 0.0
        vec = _unit(vec[: self.vectors.shape[1]])
        if exclude is not None:
            sims = self.vectors @ vec
            sims[exclude] = -np.inf
            return _top_mean(sims[self.answerable]), _top_mean(sims[~self.answerable])
        sims = self._sorted @ vec
        return _top_mean(sims[: self._split]), _top_mean(sims[self._split :])


def _unit(x: np.ndarray) -> np.ndarray:
    if x.ndim == 1:  # one question: the cheap way
        norm = float(np.sqrt(x @ x))
        return x / norm if norm > 0 else x
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def _top_mean(sims: np.ndarray, k: int = NEAREST) -> float:
    if not len(sims):
        return 0.0
    k = min(k, len(sims))
    top = np.partition(sims, len(sims) - k)[len(sims) - k :]
    if top[0] == -np.inf:  # the row left out (the smallest of the k, if it is among them)
        top = top[1:]
    return float(top.sum()) / len(top) if len(top) else 0.0


def near_features(near: tuple[float, float]) -> dict[str, float]:
    answerable, unanswerable = near
    return {"near_answerable": answerable, "near_unanswerable": unanswerable, "near_lean": unanswerable - answerable}


@dataclass(frozen=True)
class Judge:
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float
    precedents: Precedents | None = None  # None: every question has no precedent (the permissive judge)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Judge:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES or len(data["coef"]) != len(TERMS):
            raise ValueError(
                f"{path}: trained on features {data['features']}, this code reads {list(FEATURES)}; run glf-tutor calibrate"
            )
        beside = path.with_name(PRECEDENTS_FILE.name)
        found = Precedents.load(beside) if beside.is_file() else None
        if found is None or len(found.vectors) != data.get("precedents"):
            have = "is missing" if found is None else f"has {len(found.vectors)}"
            raise ValueError(
                f"{path}: trained with {data.get('precedents')} precedents, {beside.name} {have}; run glf-tutor calibrate"
            )
        return cls(
            tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]), float(data["intercept"]), float(data["threshold"]),
            found,
        )

    @classmethod
    def permissive(cls) -> Judge:
        """Answers everything: what `calibrate` reads the training questions with."""
        n = len(TERMS)
        return cls((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, 0.0)

    def __post_init__(self) -> None:
        # Folded once: coef / scale, and the intercept less each mean's share, so that z = w . x + b.
        coef, mean, scale = (np.asarray(v, dtype=float) for v in (self.coef, self.mean, self.scale))
        object.__setattr__(self, "_w", coef / scale)
        object.__setattr__(self, "_b", self.intercept - float((coef * mean / scale).sum()))

    def probability(self, x: dict[str, float]) -> float:
        z = float(self._w @ expand([x[f] for f in FEATURES])) + self._b
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def answers(self, x: dict[str, float]) -> bool:
        return self.probability(x) >= self.threshold
