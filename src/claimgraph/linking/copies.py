"""Near-duplicate documents (wire copies, light rewrites): MinHash over word shingles, LSH banding.

A document's body words are cut into ``SHINGLE_SIZE``-word shingles; each shingle is
hashed (CRC-32, stable across processes) and ``NUM_PERM`` universal hash functions
``(a·x + b) mod p`` give the MinHash signature. The share of equal signature positions
estimates the Jaccard similarity of the shingle sets.

LSH: the signature is cut into ``BANDS`` bands of ``ROWS`` rows; two documents are
candidates when any band is identical. The chance of that for Jaccard ``J`` is
``1 - (1 - J^ROWS)^BANDS`` (about 0.42 at J = 0.3, 0.93 at J = 0.5, 0.999 at J = 0.7).

Cost: hashing is linear in document length; ``LshIndex.add`` looks up ``BANDS`` buckets
and compares with at most ``BUCKET_LIMIT`` members of each, so adding one document costs
O(BANDS · BUCKET_LIMIT) signature comparisons whatever the index size.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from claimgraph.linking.features import shingles, words

SHINGLE_SIZE = 3
NUM_PERM = 60
BANDS = 20
ROWS = NUM_PERM // BANDS
# Estimated shingle Jaccard from which two documents are copies of one text. Calibrated on
# the linking fixtures (light rewrites of one wire story: 0.48-0.8; different reports of one
# story: <= 0.25) and on PolNeAR train+dev (924 articles: six pairs at 0.47-0.92, all one
# text re-run by its outlet or successive AP "The Latest" updates; every other pair <= 0.12).
COPY_JACCARD = 0.35
# Members of one LSH bucket a new document is compared with (the most recent ones): keeps the
# cost per document bounded when boilerplate fills a bucket. 8 (was 20): copies of one text
# share most bands, so 8 recent members of a band already reach the copy group; PolNeAR dev,
# the fixtures and the seeds come out the same with 4, 8 or 20 (bench/linking.py for the cost).
BUCKET_LIMIT = 8

_PRIME = (1 << 61) - 1
_MASK = np.uint64(0xFFFFFFFF)

Signature = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class MinHasher:
    """The ``NUM_PERM`` hash functions; the same seed gives the same signatures in every process."""

    a: npt.NDArray[np.uint64]
    b: npt.NDArray[np.uint64]

    @classmethod
    def create(cls, seed: int = 1, num_perm: int = NUM_PERM) -> MinHasher:
        rng = np.random.default_rng(seed)
        # a, b < 2^31 and x < 2^32 keep a·x + b below 2^64: no overflow in uint64.
        a = rng.integers(1, 1 << 31, size=num_perm, dtype=np.uint64)
        b = rng.integers(0, 1 << 31, size=num_perm, dtype=np.uint64)
        return cls(a=a, b=b)

    def signature(self, items: Iterable[str]) -> Signature:
        """MinHash signature of a set of strings (all-ones signature for the empty set)."""
        hashes = np.fromiter((zlib.crc32(s.encode("utf-8")) for s in set(items)), dtype=np.uint64)
        if hashes.size == 0:
            return np.full(self.a.size, _MASK, dtype=np.uint64)
        values = (np.outer(hashes, self.a) + self.b) % np.uint64(_PRIME) & _MASK
        result: Signature = values.min(axis=0)
        return result

    def text_signature(self, text: str) -> Signature:
        """Signature of the ``SHINGLE_SIZE``-word shingles of ``text``."""
        return self.signature(shingles(words(text), SHINGLE_SIZE))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the sets behind two signatures."""
    return float(np.mean(a == b))


@dataclass(slots=True)
class LshIndex:
    """Banded LSH over MinHash signatures; documents are added one at a time."""

    bands: int = BANDS
    rows: int = ROWS
    buckets: dict[tuple[int, bytes], list[str]] = field(default_factory=lambda: defaultdict(list))
    signatures: dict[str, Signature] = field(default_factory=dict)

    def _keys(self, sig: Signature) -> list[tuple[int, bytes]]:
        return [(i, sig[i * self.rows : (i + 1) * self.rows].tobytes()) for i in range(self.bands)]

    def neighbours(self, sig: Signature) -> set[str]:
        """Ids sharing at least one band with ``sig`` (at most ``BUCKET_LIMIT`` per bucket)."""
        found: set[str] = set()
        for key in self._keys(sig):
            members = self.buckets.get(key)
            if members:
                found.update(members[-BUCKET_LIMIT:])
        return found

    def add(self, doc_id: str, sig: Signature) -> set[str]:
        """Index ``doc_id`` and return the ids already indexed that share a band with it."""
        found = self.neighbours(sig)
        found.discard(doc_id)
        for key in self._keys(sig):
            self.buckets[key].append(doc_id)
        self.signatures[doc_id] = sig
        return found

    def copies_of(self, doc_id: str, candidates: Iterable[str], threshold: float = COPY_JACCARD) -> list[str]:
        """Those ``candidates`` whose estimated Jaccard with ``doc_id`` reaches ``threshold``."""
        sig = self.signatures[doc_id]
        return [c for c in candidates if similarity(sig, self.signatures[c]) >= threshold]
