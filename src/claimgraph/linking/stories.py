"""Story grouping: which documents report the same story, found incrementally and by blocking.

``StoryIndex.add`` takes one document's features and compares it only with *candidates*:

- its LSH neighbours (``copies.LshIndex``: shared MinHash bands of word shingles), and
- the documents sharing one of its ``BLOCK_NAMES`` rarest names (capitalised phrases, named
  source keys, resolved places) or ``BLOCK_TERMS`` heaviest content words, at most
  ``BUCKET_LIMIT`` most recent per key,

keeping those published within ``WINDOW_DAYS`` of it when both dates are known. Each
candidate pair is scored ``TERM_WEIGHT · cos(content words) + NAME_WEIGHT · cos(names) +
TITLE_WEIGHT · cos(title words)``
(TF-IDF, with document frequencies as the index holds them when the pair is scored) and
joined by union-find when the score reaches ``STORY_THRESHOLD``. Copies (estimated shingle
Jaccard ≥ ``copies.COPY_JACCARD``) are always joined, and also kept apart as copy groups.

Cost of adding one document: O(length) to build its features, then at most
``BANDS·copies.BUCKET_LIMIT + (BLOCK_NAMES + BLOCK_TERMS)·BUCKET_LIMIT`` candidates, each
checked by a 60-value signature comparison (all candidates in one array operation);
TF-IDF scores only for candidates not yet in its story, at most ``GROUP_TRIES`` per
existing story. A score reads the vectors kept on add (``vectors``: sorted term ids and
sublinear term frequencies) and weights them in one array step, linear in the two
documents' distinct terms; document frequencies are updated in O(the new document's
terms). Constant in the index size once buckets fill, so n documents cost O(n); nothing is
compared with all documents, and adding documents later compares only the new ones.
Memory: each document's term and name counts, their id/frequency arrays, and its
60-value signature (one row of ``StoryIndex.signatures``).
Scores use document frequencies as they stand when the pair is scored, so the grouping
can depend on input order (weakly).

Events: ``Story.events`` stays empty here; ``Linker.stories`` fills it from the event
clusters of ``events.EventIndex``, which blocks on the story root kept here (the earliest
document of a story).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from claimgraph.linking.copies import COPY_JACCARD, NUM_PERM, LshIndex, MinHasher, Signature
from claimgraph.linking.features import weigh
from claimgraph.linking.vectors import Floats, TermVector, Vocabulary, cosine
from claimgraph.model import Story

# Pair score from which two documents report the same story. Calibrated on PolNeAR dev
# (dev_stories.json: 84 articles, 5 gold stories, 7 gold pairs; text only, input sorted by
# name): pairwise F1 0.36 at 0.22, 0.46 at 0.26, 0.55 at 0.28, 0.60 at 0.30, 0.44 at 0.32.
# 0.28 keeps the two seed articles (gold: one story; they score 0.29) together; the linking
# fixtures' same-story pairs score >= 0.46 and different-story pairs <= 0.11.
STORY_THRESHOLD = 0.28
TERM_WEIGHT = 0.5
NAME_WEIGHT = 0.3
TITLE_WEIGHT = 0.2
# Below this many documents, document frequencies say nothing (in two documents IDF only
# penalizes the words they share): terms are weighted by frequency alone.
MIN_IDF_DOCS = 20
# Publication days two reports of one story may lie apart (PolNeAR dev: at most 3).
WINDOW_DAYS = 7
# Blocking keys per document (its heaviest names and words by TF-IDF), and the members of one key's bucket a new document meets.
BLOCK_NAMES = 8
BLOCK_TERMS = 8
# Calibrated with bench/linking.py (BBC, 2,000 -> 20,000 documents with perturbed copies):
# 20 -> 8 cuts TF-IDF comparisons at 20,000 by 28% (604k -> 434k); PolNeAR dev groups, the
# linking fixtures and the seeds come out the same with any of 4, 8 or 20.
BUCKET_LIMIT = 8
# Members of one existing story a new document is scored against (most recent first) before
# the rest of that story is passed over: with many copies of one text, candidates are mostly
# one story, and scoring each of them would grow the cost with the corpus. Was 2: with copies
# filling the buckets a second try per story doubled the comparisons at 20,000 documents
# (bench/linking.py: 434k -> 313k with 1, comparison ratio 2,000 -> 20,000 18.3x -> 14.1x);
# PolNeAR dev groups, fixtures and seeds are the same with 1 or 2.
GROUP_TRIES = 1


@dataclass(slots=True)
class DocFeatures:
    """What the index keeps about one document."""

    id: str
    order: int  # input order, the tie-break after the publication day
    day: date | None
    outlet: str | None  # outlet key ("outlet:daily ledger") or None
    title: str
    title_terms: Counter[str]
    terms: Counter[str]
    names: Counter[str]
    signature: Signature


@dataclass(slots=True)
class _Vectors:
    """What ``StoryIndex`` keeps of one document's features for scoring (built once, on add)."""

    terms: TermVector
    names: TermVector
    title: TermVector
    row: int  # row of its signature in ``StoryIndex.signatures``


@dataclass(slots=True)
class PairScore:
    a: str
    b: str
    score: float
    copy: float  # estimated shingle Jaccard


class _UnionFind:
    """Groups by union-find; a group's root is its earliest-added member, so the root of a
    group changes only when it joins an older group (event blocking keys on it)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.order: dict[str, int] = {}

    def add(self, x: str) -> None:
        if x not in self.parent:
            self.parent[x] = x
            self.order[x] = len(self.order)

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            older, newer = (ra, rb) if self.order[ra] <= self.order[rb] else (rb, ra)
            self.parent[newer] = older

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return list(out.values())


@dataclass(slots=True)
class StoryIndex:
    """Documents added so far, their blocking buckets, and the story and copy groups."""

    hasher: MinHasher = field(default_factory=MinHasher.create)
    threshold: float = STORY_THRESHOLD
    lsh: LshIndex = field(default_factory=LshIndex)
    docs: dict[str, DocFeatures] = field(default_factory=dict)
    term_df: Counter[str] = field(default_factory=Counter)
    name_df: Counter[str] = field(default_factory=Counter)
    buckets: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    stories: _UnionFind = field(default_factory=_UnionFind)
    copies: _UnionFind = field(default_factory=_UnionFind)
    pairs: list[PairScore] = field(default_factory=list)  # every pair scored (joined or not)
    comparisons: int = 0  # pairs scored by TF-IDF (copies and pairs already joined are not)
    terms: Vocabulary = field(default_factory=Vocabulary)  # ids and df of content words
    names: Vocabulary = field(default_factory=Vocabulary)  # ids and df (summed counts) of names
    vectors: dict[str, _Vectors] = field(default_factory=dict)
    blocks: dict[str, list[str]] = field(default_factory=dict)  # document -> its blocking keys (kept state)
    signatures: npt.NDArray[np.uint64] = field(
        default_factory=lambda: np.zeros((1024, NUM_PERM), dtype=np.uint64)
    )

    def _block_keys(self, f: DocFeatures) -> list[str]:
        n = len(self.docs)
        name_weights = weigh(f.names, self.name_df, n)
        names = sorted(name_weights, key=lambda x: (-name_weights[x], x))[:BLOCK_NAMES]
        weights = weigh(f.terms, self.term_df, n)
        terms = sorted(weights, key=lambda t: (-weights[t], t))[:BLOCK_TERMS]
        return [f"n:{x}" for x in names] + [f"t:{t}" for t in terms]

    def _in_window(self, a: DocFeatures, b: DocFeatures) -> bool:
        if a.day is None or b.day is None:
            return True
        return abs((a.day - b.day).days) <= WINDOW_DAYS

    def _vectors_of(self, f: DocFeatures) -> _Vectors:
        kept = self.vectors.get(f.id)
        if kept is not None and self.docs.get(f.id) is f:
            return kept
        return _Vectors(
            self.terms.vector(f.terms), self.names.vector(f.names), self.terms.vector(f.title_terms), -1
        )

    def _weighted(self, v: _Vectors) -> tuple[Floats, Floats, Floats]:
        n = len(self.docs)
        n = n if n >= MIN_IDF_DOCS else 0
        return self.terms.weights(v.terms, n), self.names.weights(v.names, n), self.terms.weights(v.title, n)

    def _score(self, a: _Vectors, wa: tuple[Floats, Floats, Floats], b: _Vectors) -> float:
        wb = self._weighted(b)
        terms = cosine(a.terms, wa[0], b.terms, wb[0])
        names = cosine(a.names, wa[1], b.names, wb[1])
        titles = cosine(a.title, wa[2], b.title, wb[2])
        return TERM_WEIGHT * terms + NAME_WEIGHT * names + TITLE_WEIGHT * titles

    def score(self, a: DocFeatures, b: DocFeatures) -> float:
        """Story similarity of two documents under the current document frequencies
        (uniform weights while the index holds fewer than ``MIN_IDF_DOCS`` documents).

        Reads the kept vectors of indexed documents; weighting costs O(distinct terms).
        """
        va = self._vectors_of(a)
        return self._score(va, self._weighted(va), self._vectors_of(b))

    def _keep(self, f: DocFeatures) -> _Vectors:
        """Count ``f`` into the document frequencies and keep its vectors and signature row."""
        self.term_df.update(f.terms.keys())
        self.name_df.update(f.names.elements())  # as update(f.names) for positive counts, in C
        terms = self.terms.add(f.terms, by_count=False)
        names = self.names.add(f.names)
        row = len(self.vectors)
        if row >= self.signatures.shape[0]:
            grown = np.zeros((self.signatures.shape[0] * 2, self.signatures.shape[1]), dtype=np.uint64)
            grown[:row] = self.signatures[:row]
            self.signatures = grown
        self.signatures[row] = f.signature
        v = _Vectors(terms, names, self.terms.vector(f.title_terms), row)
        self.vectors[f.id] = v
        return v

    def add(self, f: DocFeatures) -> list[PairScore]:
        """Index one document, compare it with its candidates, join groups; returns the pairs scored."""
        if f.id in self.docs:
            return []
        self.docs[f.id] = f
        mine = self._keep(f)
        self.stories.add(f.id)
        self.copies.add(f.id)
        candidates = self.lsh.add(f.id, f.signature)
        keys = self._block_keys(f)
        for key in keys:
            candidates.update(self.buckets.get(key, [])[-BUCKET_LIMIT:])
        for key in keys:
            self.buckets[key].append(f.id)
        self.blocks[f.id] = keys
        scored: list[PairScore] = []
        tried: Counter[str] = Counter()
        ordered = [
            c for c in sorted(candidates, key=self.sort_key, reverse=True) if self._in_window(f, self.docs[c])
        ]
        rows = np.fromiter((self.vectors[c].row for c in ordered), dtype=np.int64, count=len(ordered))
        # estimated Jaccard with every candidate at once (the share of equal MinHash values)
        copies = np.count_nonzero(self.signatures[rows] == f.signature, axis=1) / NUM_PERM
        weighted: tuple[Floats, Floats, Floats] | None = None  # f's weights, fixed during this add
        for other_id, copy_value in zip(ordered, copies.tolist(), strict=True):
            copy = float(copy_value)
            if copy >= COPY_JACCARD:
                self.copies.union(f.id, other_id)
                self.stories.union(f.id, other_id)
                scored.append(PairScore(other_id, f.id, 1.0, copy))
                continue
            group = self.stories.find(other_id)
            if group == self.stories.find(f.id) or tried[group] >= GROUP_TRIES:
                continue  # already one story, or enough of that story's members failed
            tried[group] += 1
            self.comparisons += 1
            if weighted is None:
                weighted = self._weighted(mine)
            pair = PairScore(other_id, f.id, self._score(mine, weighted, self.vectors[other_id]), copy)
            scored.append(pair)
            if pair.score >= self.threshold:
                self.stories.union(f.id, other_id)
        self.pairs.extend(scored)
        return scored

    def add_all(self, features: Iterable[DocFeatures]) -> None:
        for f in features:
            self.add(f)

    def sort_key(self, doc_id: str) -> tuple[date, int]:
        """Publication order: day (undated last), then input order."""
        f = self.docs[doc_id]
        return (f.day or date.max, f.order)

    def _ordered(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=self.sort_key)

    def story_groups(self) -> list[list[str]]:
        """Every group of documents (singletons included), each earliest first, groups by first member."""
        groups = [self._ordered(g) for g in self.stories.groups()]
        return sorted(groups, key=lambda g: self.sort_key(g[0]))

    def copy_groups(self) -> list[list[str]]:
        """Groups of two or more near-duplicate documents, earliest (the original) first."""
        return [g for g in (self._ordered(x) for x in self.copies.groups()) if len(g) > 1]

    def to_stories(self) -> list[Story]:
        """The groups as Story objects with stable ids (hash of the member ids)."""
        out: list[Story] = []
        for group in self.story_groups():
            digest = hashlib.sha256("\n".join(sorted(group)).encode("utf-8")).hexdigest()[:12]
            label = next((self.docs[d].title for d in group if self.docs[d].title), "")
            out.append(Story(id=f"story-{digest}", documents=group, label=label))
        return out
