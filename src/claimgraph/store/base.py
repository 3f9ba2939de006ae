"""The one storage interface every backend implements.

A store keeps analyzed documents (with their sources, claims, events and
places), the cross-document results (stories, assessments), the runs that
produced them and the inputs that failed. ``SqlStore`` implements it for
SQLite and PostgreSQL; the contract tests in ``tests/test_store.py`` run
against every backend.

Idempotency: a document is identified by the hash of its text. Saving a
document whose hash is already stored does nothing and returns False, unless
``replace=True``, which swaps the stored analysis (document row and all its
children) for the new one in one transaction.

Incremental linking: ``link_state`` and ``save_link`` keep, per linked document, the
linker's compact state (``claimgraph.linking.state``), so that ``claimgraph stories``
links only the documents saved since (``claimgraph.linking.incremental``); ``load_cross``
and ``load_documents`` read the stored results and chosen analyses alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from claimgraph.model import Analysis, Assessment, DocumentAnalysis, Skipped, Story


@dataclass(frozen=True, slots=True)
class Run:
    """One invocation that wrote to the store."""

    id: str
    command: str
    status: str  # "running" until finish_run
    started_at: datetime
    finished_at: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LinkState:
    """What a store keeps for incremental linking (``claimgraph.linking.incremental``)."""

    fingerprint: str | None  # what the states and cross rows were made with; None: never, or stale
    linked: list[tuple[str, bytes]]  # (document id, linking state), in the order saved
    unlinked: list[str]  # documents without a state, in the order saved
    in_order: bool  # every linked document was saved before every unlinked one
    generation: str | None = None  # changes with every ``save_link``


class Store(ABC):
    """Where analyses live between runs. Use as a context manager, or call ``close``."""

    @abstractmethod
    def has_document(self, content_hash: str) -> bool:
        """True when a document with this text hash (``Document.hash``) is stored."""

    @abstractmethod
    def save(self, analysis: DocumentAnalysis, *, run_id: str | None = None, replace: bool = False) -> bool:
        """Store one document's analysis in one transaction.

        Returns True when this call wrote the document, False when a document
        with the same text was already stored and ``replace`` is False. With
        ``replace=True`` the stored analysis of that text is replaced
        atomically. Either the whole document is stored or none of it.
        """

    @abstractmethod
    def save_cross(
        self, stories: Sequence[Story], assessments: Sequence[Assessment], *, run_id: str | None = None
    ) -> None:
        """Replace all stored stories and assessments with these, in one transaction.

        Cross-document results are recomputed over the whole store, so the
        new set supersedes the old one rather than adding to it.
        """

    @abstractmethod
    def load(self, document_ids: Sequence[str] | None = None) -> Analysis:
        """Rebuild stored analyses: all documents (in the order saved), or these ids in this order.

        With ids, the stories returned are those naming any of the documents,
        and the assessments those whose subject names one of the loaded
        documents, claims, events or stories. Unknown ids raise StoreError.
        """

    @abstractmethod
    def load_documents(self, document_ids: Sequence[str]) -> list[DocumentAnalysis]:
        """The analyses of these documents only (no stories or assessments), in this order.

        Unknown ids raise StoreError.
        """

    @abstractmethod
    def load_cross(self) -> tuple[list[Story], list[Assessment]]:
        """Every stored story and assessment, in order, without any document."""

    @abstractmethod
    def link_state(self) -> LinkState:
        """The linking states kept per document and which documents have none."""

    @abstractmethod
    def save_link(
        self,
        states: Mapping[str, bytes],
        stories: Sequence[Story],
        assessments: Sequence[Assessment],
        fingerprint: str,
        *,
        previous: tuple[Sequence[Story], Sequence[Assessment]] | None = None,
        generation: str | None = None,
        run_id: str | None = None,
    ) -> int:
        """Store linking results in one transaction; returns the story and assessment rows written.

        ``states`` (document id -> state) are added or replaced. With ``previous`` (what
        ``load_cross`` returned before linking) only the stories and assessments that differ
        from it are rewritten (and the order of the others updated), and StoreError is raised
        when another run saved results since ``link_state`` returned ``generation``; without
        it every state, story and assessment is replaced. ``save_cross`` clears the
        fingerprint, so results stored by other means make the next incremental run start
        from scratch.
        """

    @abstractmethod
    def document_ids(self) -> list[str]:
        """Ids of the stored documents, in the order saved."""

    @abstractmethod
    def count_documents(self) -> int:
        """How many documents are stored."""

    @abstractmethod
    def start_run(self, command: str, settings: dict[str, Any]) -> str:
        """Record the start of a run; returns its id. Settings are stored as JSON (others as str)."""

    @abstractmethod
    def finish_run(self, run_id: str, status: str) -> None:
        """Record how a run ended (e.g. "ok", "failed", "interrupted")."""

    @abstractmethod
    def runs(self) -> list[Run]:
        """Every recorded run, oldest first."""

    @abstractmethod
    def record_failure(self, run_id: str | None, skipped: Skipped) -> None:
        """Remember an input that could not be analyzed."""

    @abstractmethod
    def failures(self, run_id: str | None = None) -> list[Skipped]:
        """Failures of one run, or of all runs when ``run_id`` is None, in the order recorded."""

    @abstractmethod
    def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
