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
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
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
