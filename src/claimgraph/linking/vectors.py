"""Per-document term vectors kept as arrays, weighted by TF-IDF at scoring time.

``StoryIndex`` scores a pair with the document frequencies as they stand when the pair is
scored, so a document's TF-IDF weights change with every document added. What does not
change is kept once per document, on ``add``: the term ids (sorted) and the sublinear term
frequencies ``1 + log(count)``. Weighting is then one vectorised step over the document's
distinct terms (``Vocabulary.weights``), and the cosine one binary search of sorted ids, with
the same formulas as ``features.weigh`` and ``features.cosine`` (results can differ from
them only in the last bits of floating-point rounding).

Document frequencies live in a growing integer array indexed by term id: updating them
for a new document costs O(its distinct terms), never O(vocabulary) or O(documents).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from math import log

import numpy as np
import numpy.typing as npt

Ids = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

_INITIAL_CAPACITY = 1024


@dataclass(slots=True)
class TermVector:
    """One bag of terms: sorted term ids and their sublinear frequencies (``1 + log count``)."""

    ids: Ids
    tf: Floats


@dataclass(slots=True)
class Vocabulary:
    """Term ids and document frequencies; ``df`` grows by doubling."""

    ids: dict[str, int] = field(default_factory=dict)
    df: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(_INITIAL_CAPACITY, dtype=np.int64))
    logs: Floats = field(default_factory=lambda: np.zeros(1))  # count -> 1 + log(count), grown on use

    def _id(self, term: str) -> int:
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.ids)
            if i >= self.df.size:
                grown = np.zeros(self.df.size * 2, dtype=np.int64)
                grown[: self.df.size] = self.df
                self.df = grown
        return i

    def _ids(self, terms: Iterable[str]) -> Ids:
        """The ids of ``terms`` (new terms get the next ids, in order)."""
        get = self.ids.get
        out = []
        for t in terms:
            i = get(t)
            out.append(self._id(t) if i is None else i)
        return np.array(out, dtype=np.int64)

    def _tf(self, counts: Ids) -> Floats:
        """``1 + log(count)`` of each count, by ``math.log`` (the same bits as ``features.weigh``)."""
        top = int(counts.max(initial=0))
        if top >= self.logs.size:
            self.logs = np.array([0.0, *(1.0 + log(c) for c in range(1, 2 * top + 1))])
        tf: Floats = self.logs[counts]
        return tf

    def vector(self, counts: Mapping[str, int]) -> TermVector:
        """The vector of ``counts`` (terms with a count of zero or less left out, as in ``weigh``)."""
        kept = [(t, c) for t, c in counts.items() if c > 0]
        ids = self._ids(t for t, _ in kept)
        return self._vector(ids, np.fromiter((c for _, c in kept), dtype=np.int64, count=len(kept)))

    def add(self, counts: Mapping[str, int], by_count: bool = True) -> TermVector:
        """``vector``, adding in the same pass to the document frequencies: each term adds its count to the
        document frequencies (one when not ``by_count``); returns the vector of ``counts``."""
        ids = self._ids(counts)  # first: it may grow ``df``
        values = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        self.df[ids] += values if by_count else 1
        if not (values > 0).all():
            ids, values = ids[values > 0], values[values > 0]
        return self._vector(ids, values)

    def _vector(self, ids: Ids, values: Ids) -> TermVector:
        """The vector of terms ``ids`` with positive counts ``values``, in id order."""
        order = np.argsort(ids)
        return TermVector(ids=ids[order], tf=self._tf(values)[order])

    def weights(self, v: TermVector, n: int) -> Floats:
        """TF-IDF weights of ``v`` over ``n`` documents (``n == 0``: term frequency alone)."""
        if n == 0:
            return v.tf
        idf: Floats = np.log((1 + n) / (1 + self.df[v.ids])) + 1.0
        weighted: Floats = v.tf * idf
        return weighted


def cosine(a: TermVector, wa: Floats, b: TermVector, wb: Floats) -> float:
    """Cosine of two weighted vectors (0.0 when they share no term or either is empty).

    Shared terms are found by binary search of ``b``'s ids in ``a``'s (both sorted).
    """
    if a.ids.size == 0 or b.ids.size == 0:
        return 0.0
    at = np.searchsorted(a.ids, b.ids)
    at[at == a.ids.size] = 0
    shared = a.ids[at] == b.ids
    if not shared.any():
        return 0.0
    dot = float(np.dot(wa[at[shared]], wb[shared]))
    if dot == 0.0:
        return 0.0
    na = float(np.sqrt(np.dot(wa, wa)))
    nb = float(np.sqrt(np.dot(wb, wb)))
    return dot / (na * nb) if na and nb else 0.0
