"""Run the pipeline over inputs into a store: the library function behind ``analyze``.

Reads paths (files, directories, ``-``), skips what cannot be read (and says
why), analyzes each new document, stores it in its own transaction, and
returns everything analyzed or found already stored. A document whose text
is already stored is not analyzed again unless ``reanalyze`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from claimgraph.ingest import iter_inputs
from claimgraph.model import Analysis, Document, DocumentAnalysis, Skipped
from claimgraph.pipeline import Pipeline
from claimgraph.store.base import Store

# Progress callback: (documents done, documents expected or None, errors so far).
Progress = Callable[[int, int | None, int], None]


@dataclass(slots=True)
class RunResult:
    analysis: Analysis
    skipped: list[Skipped] = field(default_factory=list)
    analyzed: int = 0  # documents analyzed in this run
    reused: int = 0  # documents found already stored
    run_id: str | None = None


def count_inputs(paths: Sequence[str]) -> int | None:
    """A cheap estimate of how many documents ``paths`` hold (None when unknown, e.g. stdin)."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        if os.path.isdir(path):
            for _root, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    if name.startswith("."):
                        continue
                    full = os.path.join(_root, name)
                    total += _count_file(full)
        elif os.path.isfile(path):
            total += _count_file(path)
    return total


def _count_file(path: str) -> int:
    if path.endswith(".jsonl"):
        try:
            with open(path, "rb") as fh:
                return sum(1 for line in fh if line.strip())
        except OSError:
            return 1
    return 1 if path.rsplit(".", 1)[-1].lower() in ("txt", "md", "html", "htm", "json") else 0


def analyze_inputs(
    paths: Sequence[str],
    pipeline: Pipeline,
    store: Store | None,
    *,
    stdin: TextIO | None = None,
    reanalyze: bool = False,
    progress: Progress | None = None,
    command: str = "analyze",
    keep: bool = True,
    load_stored: bool = True,
    on_document: Callable[[DocumentAnalysis], None] | None = None,
) -> RunResult:
    """Analyze every readable document in ``paths`` and store it (one transaction each).

    ``keep=False`` leaves ``result.analysis`` empty so memory stays flat however many
    documents pass (each still goes to ``on_document``); ``load_stored=False`` skips
    documents already in the store without loading them back (resuming a long run).
    """
    result = RunResult(analysis=Analysis())
    expected = None if progress is None else count_inputs(paths)
    run_id = store.start_run(command, {"paths": list(paths)}) if store is not None else None
    result.run_id = run_id
    documents = unique_documents(
        iter_inputs(paths, stdin=stdin), lambda item: record_skip(result, store, item)
    )
    done = 0
    status = "failed"
    try:
        for doc in _reuse_or_analyze(documents, pipeline, store, reanalyze, result, load_stored):
            if keep:
                result.analysis.documents.append(doc)
            if on_document is not None:
                on_document(doc)
            done += 1
            if progress is not None:
                progress(done + len(result.skipped), expected, len(result.skipped))
        status = "done"
    finally:
        if store is not None and run_id is not None:
            store.finish_run(run_id, status)
    return result


def record_skip(result: RunResult, store: Store | None, item: Skipped) -> None:
    """Count a skipped input in ``result`` and, when there is a store, in the run's failures."""
    result.skipped.append(item)
    if store is not None and result.run_id is not None:
        store.record_failure(result.run_id, item)


def analysis_failed(document: Document, error: Exception) -> Skipped:
    """The skip entry of a document whose analysis raised ``error``."""
    kind = getattr(error, "kind", type(error).__name__)  # a Ray worker's error names the original class
    return Skipped(document.path or document.id, f"analysis failed: {kind}: {error}")


def unique_documents(
    items: Iterable[Document | Skipped], skip: Callable[[Skipped], None]
) -> Iterator[Document]:
    """The documents of ``items``, each text once per run; what could not be read goes to ``skip``."""
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Skipped):
            skip(item)
            continue
        if item.id in seen:
            continue  # the same text twice in one run
        seen.add(item.id)
        yield item


def _reuse_or_analyze(
    documents: Iterator[Document],
    pipeline: Pipeline,
    store: Store | None,
    reanalyze: bool,
    result: RunResult,
    load_stored: bool = True,
) -> Iterator[DocumentAnalysis]:
    pending: list[Document] = []

    def fresh() -> Iterator[Document]:
        for doc in documents:
            if store is not None and not reanalyze and store.has_document(doc.hash):
                result.reused += 1
                if load_stored:
                    pending.append(doc)
                continue
            yield doc

    def failed(doc: Document, exc: Exception) -> None:
        record_skip(result, store, analysis_failed(doc, exc))

    for da in pipeline.analyze_many(fresh(), on_error=failed):
        # documents found in the store while the batch filled come out first, in order
        yield from _flush_reused(pending, store)
        if store is not None:
            store.save(da, run_id=result.run_id, replace=reanalyze)
        result.analyzed += 1
        yield da
    yield from _flush_reused(pending, store)


def _flush_reused(pending: list[Document], store: Store | None) -> Iterator[DocumentAnalysis]:
    if store is None or not pending:
        return
    ids = [d.id for d in pending]
    pending.clear()
    yield from store.load(ids).documents
