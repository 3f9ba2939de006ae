"""A learned cue detector: is this word the head of an attribution cue?

Logistic regression over features of the dependency parse (the word, its
lemma and part of speech, its head, its dependents and their lemmas, its
subject and whether that subject can hold a view, its neighbours, and where
the nearest quotation is). Detector F1 on PolNeAR dev (is this word the head of a
gold cue?) at probability 0.4: 0.772 with the word, its lemma, dependents and
subject alone; 0.797 with the head, neighbours, subject agency and quotation
context added. The parser's context vectors (0.776) and lemma-by-frame
conjunctions (0.792) gave nothing more, so they are left out. Trained by
``scripts/train_cue_model.py`` on PolNeAR's train split (``make
train-attribution``); the weights ship as ``data/cue_model.json`` and are
read once by ``load_lexicons``.

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

    from claimgraph.attribution.quotes import Quotes

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


# Subjects and objects that can hold a view or be addressed: named people, bodies, peoples,
# places (as governments) and personal pronouns.
_AGENT_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
_AGENT_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you", "who"})
_PERSON_OBJECTS = frozenset({"him", "her", "them", "us", "me"})
# Dependents whose lemma says what kind of complement the word takes.
_LEXICAL_CHILDREN = frozenset({"dobj", "xcomp", "ccomp", "prep", "advcl", "attr", "acomp"})


def _subject_agency(tok: Token) -> str:
    subj = next((c for c in tok.children if c.dep_ in ("nsubj", "csubj")), None)
    if subj is None:
        return "none"
    if subj.lower_ in _AGENT_PRONOUNS or subj.ent_type_ in _AGENT_ENTS:
        return "agent"
    return "other"


# Characters either side of a word beyond which no quotation can share its sentence (a cheap
# test before finding the sentence; longer sentences are rare in news).
QUOTE_REACH = 600


def _quote_context(tok: Token, quotes: Quotes | None) -> str:
    """Where the nearest quotation is: around the word, elsewhere in its sentence, or nowhere."""
    if quotes is None or not quotes.overlapping(tok.idx - QUOTE_REACH, tok.idx + QUOTE_REACH):
        return "none"
    if quotes.region_at(tok.idx) is not None:
        return "in"
    sent = tok.sent
    for r in quotes.overlapping(sent.start_char, sent.end_char):
        return "sent_before" if r.end <= tok.idx else "sent_after"
    return "none"


def features(tok: Token, quotes: Quotes | None = None) -> list[str]:
    """The features of one candidate token (strings; unseen ones simply have no weight)."""
    lemma = tok.lemma_.lower()
    in_quote = quotes is not None and quotes.region_at(tok.idx) is not None
    deps = sorted({c.dep_ for c in tok.children})
    subj = _subject_class(tok)
    agency = _subject_agency(tok)
    where = _quote_context(tok, quotes)
    head_lemma = tok.head.lemma_.lower()
    out = [
        "bias",
        f"lemma={lemma}",
        f"lemma_pos={lemma}/{tok.pos_}",
        f"tag={tok.tag_}",
        f"dep={tok.dep_}",
        f"lemma_dep={lemma}/{tok.dep_}",
        f"head_pos={tok.head.pos_}",
        f"subj={subj}",
        f"lemma_subj={lemma}/{subj}",
        f"quote={in_quote}",
        f"lemma_quote={lemma}/{in_quote}",
        f"agency={agency}",
        f"lemma_agency={lemma}/{agency}",
        f"where={where}",
        f"lemma_where={lemma}/{where}",
        f"head_lemma={head_lemma}",
        f"head_dep={tok.head.dep_}/{tok.dep_}",
        f"suffix={lemma[-3:]}",
        f"tag_dep={tok.tag_}/{tok.dep_}",
    ]
    out += [f"child={d}" for d in deps]
    out += [
        f"lemma_child={lemma}/{d}" for d in deps if d in ("ccomp", "xcomp", "dobj", "prep", "agent", "dative")
    ]
    preps = sorted({c.lower_ for c in tok.children if c.dep_ == "prep"})
    out += [f"lemma_prep={lemma}/{p}" for p in preps]
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    prv = tok.nbor(-1) if tok.i > 0 else None
    nxt_text = nxt.text if nxt is not None else "<end>"
    prv_text = prv.text if prv is not None else "<start>"
    out += [
        f"next={nxt_text if not nxt_text.isalpha() else 'word'}",
        f"prev={prv_text if not prv_text.isalpha() else 'word'}",
        f"next_word={nxt.lower_ if nxt is not None else '<end>'}",
        f"prev_word={prv.lower_ if prv is not None else '<start>'}",
    ]
    for c in tok.children:
        if c.dep_ in _LEXICAL_CHILDREN:
            out.append(f"child_lemma={c.dep_}/{c.lemma_.lower()}")
        if c.dep_ == "dobj":
            person = c.ent_type_ in _AGENT_ENTS or c.lower_ in _PERSON_OBJECTS
            out.append(f"object_person={person}")
        elif c.dep_ == "ccomp":
            out.append(f"clause_marked={any(g.dep_ == 'mark' for g in c.children)}")
            out.append(f"lemma_clause_before={lemma}/{c.i < tok.i}")
    if any(c.dep_ == "ccomp" for c in tok.children):
        out.append("has_clause")
    if tok.pos_ == "NOUN":
        out.append(f"noun_possessed={any(c.dep_ == 'poss' for c in tok.children)}")
        out.append(f"lemma_head_lemma={lemma}/{head_lemma}")
    return out


@dataclass(slots=True)
class CueModel:
    """Feature weights of the logistic regression."""

    weights: dict[str, float] = field(default_factory=dict)

    def probability(self, feats: Iterable[str]) -> float:
        z = sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def score(self, tok: Token, quotes: Quotes | None = None) -> float:
        return self.probability(features(tok, quotes))

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
# L2 1e-5 with 600 passes beat 1e-4 with 300 on PolNeAR dev (detector F1 0.797 against
# 0.789; whole-stage cue exact F1 71.0 against 70.8) for a 3.8 MB weight file.
MIN_FEATURE_COUNT = 2
L2 = 1e-5
LEARNING_RATE = 0.5
EPOCHS = 600
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
