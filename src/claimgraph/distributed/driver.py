"""The run loop behind ``claimgraph run``: inputs -> engine -> sink, whatever the engine.

Reads paths (JSONL, WARC, HTML, text, directories) in this process, drops repeated texts
and documents the sink already holds, hands the rest to an engine (anything with the
signature of ``Pipeline.analyze_many``: the local pipeline, or ``RayEngine``), and writes
each result to the sink (a store, or Parquet) as it comes back, in input order. Nothing is
kept in memory beyond the batches in flight. Inputs that cannot be read and documents
whose analysis fails become ``Skipped`` (recorded in the store when there is one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from claimgraph.ingest import iter_inputs
from claimgraph.model import Analysis, Document, DocumentAnalysis, Skipped
from claimgraph.runner import Progress, RunResult, analysis_failed, record_skip, unique_documents
from claimgraph.store.base import Store

OnError = Callable[[Document, Exception], None]
# An engine: Pipeline.analyze_many, or RayEngine.analyze_many.
Engine = Callable[[Iterable[Document], OnError], Iterator[DocumentAnalysis]]


class Sink(Protocol):
    """Where results go: ``StoreSink`` or ``ParquetSink``."""

    def has(self, document: Document) -> bool: ...

    def write(self, analysis: DocumentAnalysis) -> None: ...


class StoreSink:
    """Saves each result in the store, in its own transaction, under one run."""

    def __init__(self, store: Store, run_id: str | None = None) -> None:
        self.store = store
        self.run_id = run_id

    def has(self, document: Document) -> bool:
        return self.store.has_document(document.hash)

    def write(self, analysis: DocumentAnalysis) -> None:
        self.store.save(analysis, run_id=self.run_id)


def run_documents(
    paths: Sequence[str],
    engine: Engine,
    sink: Sink | None,
    *,
    store: Store | None = None,
    progress: Progress | None = None,
    expected: int | None = None,
    command: str = "run",
    settings: dict[str, object] | None = None,
) -> RunResult:
    """Analyze every readable document in ``paths`` with ``engine`` and write it to ``sink``.

    Documents the sink already has are counted in ``result.reused`` and not analyzed. When
    ``store`` is given, the run and its failures are recorded there (and ``sink`` should be
    a ``StoreSink`` on it). ``result.analysis`` stays empty: results live in the sink.
    """
    result = RunResult(analysis=Analysis())
    run_id = (
        store.start_run(command, {"paths": list(paths), **(settings or {})}) if store is not None else None
    )
    result.run_id = run_id
    if isinstance(sink, StoreSink):
        sink.run_id = run_id

    def skip(item: Skipped) -> None:
        record_skip(result, store, item)
        report()

    def report() -> None:
        if progress is not None:
            progress(result.analyzed + result.reused + len(result.skipped), expected, len(result.skipped))

    def fresh() -> Iterator[Document]:
        for document in unique_documents(iter_inputs(paths), skip):
            if sink is not None and sink.has(document):
                result.reused += 1
                report()
                continue
            yield document

    def failed(document: Document, error: Exception) -> None:
        skip(analysis_failed(document, error))

    status = "failed"
    try:
        for analysis in engine(fresh(), failed):
            if sink is not None:
                sink.write(analysis)
            result.analyzed += 1
            report()
        status = "done"
    finally:
        if store is not None and run_id is not None:
            store.finish_run(run_id, status)
    return result
