"""A learned cue detector: is this word the head of an attribution cue?

Logistic regression over features of the dependency parse (the word, its
lemma and part of speech, its dependents, its subject, whether it sits in a
quotation). The parser's context vectors were tried as extra features and
gave nothing on PolNeAR dev (detector F1 0.772 → 0.776), so they are left out. Trained by ``scripts/train_cue_model.py`` on PolNeAR's train
split (``make train-attribution``); the weights ship as
``data/cue_model.json`` and are read once by ``load_lexicons``.

Training is deterministic: features in a fixed order, a fixed number of
passes of full-batch gradient descent, no randomness.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.tokens import Token

# Words that can head a cue: verbs, nouns ('statement', 'criticism'), 'according'.
CANDIDATE_POS = frozenset({"VERB", "AUX", "NOUN"})
_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")


def is_candidate(tok: Token) -> bool:
    return tok.pos_ in CANDIDATE_POS or tok.lower_ == "according"


def _subject_class(tok: Token) -> str:
    subj = next((c for c in tok.children if c.dep_ in _SUBJECT_DEPS), None)
    if subj is None:
        return "none"
    if subj.pos_ == "PRON":
        return "pron:" + subj.lower_
    if subj.ent_type_:
        return "ent:" + subj.ent_type_
    return "pos:" + subj.pos_


def features(tok: Token, in_quote: bool) -> list[str]:
    """The features of one candidate token (strings; unseen ones simply have no weight)."""
    lemma = tok.lemma_.lower()
    deps = sorted({c.dep_ for c in tok.children})
    out = [
        "bias",
        f"lemma={lemma}",
        f"lemma_pos={lemma}/{tok.pos_}",
        f"tag={tok.tag_}",
        f"dep={tok.dep_}",
        f"lemma_dep={lemma}/{tok.dep_}",
        f"head_pos={tok.head.pos_}",
        f"subj={_subject_class(tok)}",
        f"lemma_subj={lemma}/{_subject_class(tok)}",
        f"quote={in_quote}",
        f"lemma_quote={lemma}/{in_quote}",
    ]
    out += [f"child={d}" for d in deps]
    out += [
        f"lemma_child={lemma}/{d}" for d in deps if d in ("ccomp", "xcomp", "dobj", "prep", "agent", "dative")
    ]
    preps = sorted({c.lower_ for c in tok.children if c.dep_ == "prep"})
    out += [f"lemma_prep={lemma}/{p}" for p in preps]
    nxt = tok.nbor(1).text if tok.i + 1 < len(tok.doc) else "<end>"
    prv = tok.nbor(-1).text if tok.i > 0 else "<start>"
    out += [f"next={nxt if not nxt.isalpha() else 'word'}", f"prev={prv if not prv.isalpha() else 'word'}"]
    if any(c.dep_ == "ccomp" for c in tok.children):
        out.append("has_clause")
    return out


@dataclass(slots=True)
class CueModel:
    """Feature weights of the logistic regression."""

    weights: dict[str, float] = field(default_factory=dict)

    def probability(self, feats: Iterable[str]) -> float:
        z = sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def score(self, tok: Token, in_quote: bool) -> float:
        return self.probability(features(tok, in_quote))

    def to_json(self) -> dict[str, object]:
        return {"weights": {k: round(v, 4) for k, v in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CueModel:
        raw = data.get("weights", {})
        if not isinstance(raw, dict):
            raise ValueError("cue model: 'weights' must be an object")
        return cls(weights={str(k): float(v) for k, v in raw.items()})


# Training settings, fixed so that training is reproducible. Features seen fewer than
# MIN_FEATURE_COUNT times are dropped; weights smaller than PRUNE are not written.
MIN_FEATURE_COUNT = 2
L2 = 1e-4
LEARNING_RATE = 0.5
EPOCHS = 300
PRUNE = 1e-3


def train(examples: Sequence[tuple[list[str], bool]]) -> CueModel:
    """Fit the weights on (features, is-cue) examples by full-batch gradient descent (Adagrad)."""
    counts: dict[str, int] = {}
    for feats, _ in examples:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    names = sorted(f for f, c in counts.items() if c >= MIN_FEATURE_COUNT)
    index = {f: i for i, f in enumerate(names)}
    rows, cols = [], []
    for r, (feats, _) in enumerate(examples):
        for f in sorted(set(feats)):
            if f in index:
                rows.append(r)
                cols.append(index[f])
    row_arr = np.asarray(rows, dtype=np.int64)
    col_arr = np.asarray(cols, dtype=np.int64)
    y = np.asarray([1.0 if label else 0.0 for _, label in examples])
    w = np.zeros(len(names))
    grad_sq = np.full(len(names), 1e-8)
    n = max(len(examples), 1)
    for _ in range(EPOCHS):
        z = np.bincount(row_arr, weights=w[col_arr], minlength=len(examples))
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        err = p - y
        grad = np.bincount(col_arr, weights=err[row_arr], minlength=len(names)) / n + L2 * w
        grad_sq += grad * grad
        w -= LEARNING_RATE * grad / np.sqrt(grad_sq)
    return CueModel(weights={f: float(w[i]) for f, i in index.items() if abs(w[i]) >= PRUNE})
