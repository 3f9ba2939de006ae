"""The Ray engine: the local pipeline's stage functions, one loaded pipeline per worker.

``RayEngine.start`` connects to a cluster (``address``) or starts a local one with
``workers`` CPUs, then starts one ``BatchAnalyzer`` actor per worker; each loads
``Pipeline.load()`` once and runs ``Pipeline.analyze_many`` on the batches it is sent.
``RayEngine.analyze_many`` has the signature of ``Pipeline.analyze_many``: it sends
lightweight ``Document`` batches (text and metadata, never spaCy objects), keeps
``TASKS_PER_WORKER`` batches queued on every actor so none waits for the driver, and
yields the results in input order. Plain actors were chosen over Ray Data's
``map_batches``: documents and analyses are nested objects, not columns, and the driver
must write results in order as they come (see bench/ray_bench.py).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from claimgraph.distributed.driver import OnError
from claimgraph.errors import ClaimgraphError, first_line
from claimgraph.model import Document, DocumentAnalysis
from claimgraph.nlp import DEFAULT_MODEL

# Documents per task. Calibrated on BBC articles (about 370 words each): 32 documents take
# a worker 2-3 s, so Ray's per-task cost (a few ms) is under 1%, and a batch still fills
# one nlp.pipe batch (pipeline.PIPE_BATCH_SIZE).
BATCH_DOCUMENTS = 32
# Batches queued on each actor: two, so the next one is waiting when one finishes.
TASKS_PER_WORKER = 2
# Batches in flight or finished but held back for input order, at most this many per
# worker. When one worker is slowed (another process on its core), the others run this far
# ahead of it before they wait; with 4 the fast worker stalled on a loaded 2-core machine.
# 16 x 32 documents x about 15 KB of analysis each is under 10 MB per worker.
REORDER_BATCHES_PER_WORKER = 16
# Each worker is given one CPU: BLAS, OpenMP and tokenizer threads beyond it only contend.
WORKER_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
# Object store of a local cluster: batches are small (32 documents, about 100 KB each way),
# so a small store leaves the memory to the workers' spaCy pipelines.
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024
# Seconds to wait for every actor to load its pipeline (about 15 s each on a busy 2-core
# machine); longer means the cluster has fewer free CPUs than workers asked for.
ACTOR_START_TIMEOUT_S = 300
# Times Ray restarts a worker that died (e.g. killed for memory) before giving up on it.
MAX_RESTARTS = 3


class RayError(ClaimgraphError):
    """Ray is missing, or the cluster could not be started or reached."""


class RemoteAnalysisError(ClaimgraphError):
    """A document's analysis raised in a worker; ``kind`` names the original exception class."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class RayOptions:
    """How to run on Ray. ``address`` None starts a local cluster of ``workers`` CPUs."""

    workers: int = 2
    address: str | None = None
    batch_size: int = BATCH_DOCUMENTS
    model: str = DEFAULT_MODEL


class BatchAnalyzer:
    """Runs inside a Ray worker: loads the pipeline once, analyzes batches of documents."""

    def __init__(self, model: str) -> None:
        from claimgraph.pipeline import Pipeline

        self.pipeline = Pipeline.load(model)

    def ready(self) -> dict[str, str]:
        """What produced the results (the pipeline's ``produced_by``), once loaded."""
        return dict(self.pipeline.produced_by)

    def analyze(self, documents: list[Document]) -> tuple[list[DocumentAnalysis], list[tuple[str, str, str]]]:
        """The analyses of ``documents`` in order, and (document id, error class, message)
        for each document whose analysis raised."""
        failures: list[tuple[str, str, str]] = []

        def failed(document: Document, error: Exception) -> None:
            failures.append((document.id, type(error).__name__, str(error)))

        return list(self.pipeline.analyze_many(documents, on_error=failed)), failures


def _ray() -> Any:
    try:
        import ray
    except ImportError as error:
        raise RayError("the Ray engine needs Ray: pip install 'claimgraph[ray]'") from error
    return ray


@dataclass(slots=True)
class _Task:
    seq: int
    actor: int
    batch: list[Document]


class RayEngine:
    """A pool of ``BatchAnalyzer`` actors on a Ray cluster. Use as a context manager."""

    def __init__(self, options: RayOptions) -> None:
        if options.workers < 1:
            raise RayError(f"workers must be at least 1, got {options.workers}")
        if options.batch_size < 1:
            raise RayError(f"batch size must be at least 1, got {options.batch_size}")
        self.options = options
        self.ray = _ray()
        self.actors: list[Any] = []
        self.started_cluster = False
        self.cluster_seconds = 0.0  # connecting to or starting the cluster
        self.load_seconds = 0.0  # starting the actors and loading their pipelines

    def start(self) -> Self:
        """Connect to (or start) the cluster, then start the actors and wait until all are loaded."""
        ray = self.ray
        began = time.perf_counter()
        if not ray.is_initialized():
            local = self.options.address is None
            try:
                ray.init(
                    address=self.options.address,
                    num_cpus=self.options.workers if local else None,
                    object_store_memory=LOCAL_OBJECT_STORE_BYTES if local else None,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                    runtime_env={"env_vars": dict(WORKER_ENV)},
                )
            except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError...
                where = self.options.address or "a local cluster"
                raise RayError(f"could not start Ray on {where}: {error}") from error
            self.started_cluster = True
        loaded = time.perf_counter()
        self.cluster_seconds = loaded - began
        actor_class = ray.remote(num_cpus=1, max_restarts=MAX_RESTARTS)(BatchAnalyzer)
        self.actors = [actor_class.remote(self.options.model) for _ in range(self.options.workers)]
        try:
            ray.get([actor.ready.remote() for actor in self.actors], timeout=ACTOR_START_TIMEOUT_S)
        except ray.exceptions.GetTimeoutError as error:
            self.stop()
            raise RayError(
                f"{self.options.workers} Ray workers did not start within {ACTOR_START_TIMEOUT_S} s: "
                "does the cluster have that many free CPUs?"
            ) from error
        except Exception as error:  # the pipeline could not be loaded in a worker
            self.stop()
            raise RayError(f"Ray workers could not load the pipeline: {first_line(error)}") from error
        self.load_seconds = time.perf_counter() - loaded
        return self

    def stop(self) -> None:
        """Stop the actors, and the cluster when this engine started it."""
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        if self.started_cluster:
            self.ray.shutdown()
            self.started_cluster = False

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def analyze_many(
        self, documents: Iterable[Document], on_error: OnError | None = None
    ) -> Iterator[DocumentAnalysis]:
        """Analyze ``documents`` on the actors; results come back in input order.

        As in ``Pipeline.analyze_many``, a document whose analysis raises goes to
        ``on_error`` (as a ``RemoteAnalysisError``) and the stream goes on, or raises when
        ``on_error`` is None. A batch lost with its worker fails each of its documents.
        """
        if not self.actors:
            self.start()
        stream = iter(documents)
        batches = iter(lambda: list(itertools.islice(stream, self.options.batch_size)), [])
        pending: dict[Any, _Task] = {}  # object ref -> task
        finished: dict[int, tuple[_Task, list[DocumentAnalysis], list[tuple[str, str, str]]]] = {}
        queued = [0] * len(self.actors)
        held_max = len(self.actors) * REORDER_BATCHES_PER_WORKER
        submitted = emitted = 0
        exhausted = False
        while True:
            while not exhausted and len(pending) + len(finished) < held_max:
                actor = min(range(len(self.actors)), key=queued.__getitem__)
                if queued[actor] >= TASKS_PER_WORKER:
                    break
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                pending[self.actors[actor].analyze.remote(batch)] = _Task(submitted, actor, batch)
                queued[actor] += 1
                submitted += 1
            if not pending and not finished:
                return
            if pending:
                ready, _ = self.ray.wait(list(pending), num_returns=1)
                for ref in ready:
                    task = pending.pop(ref)
                    queued[task.actor] -= 1
                    finished[task.seq] = (task, *self._collect(ref, task))
            while emitted in finished:
                task, results, failures = finished.pop(emitted)
                emitted += 1
                _report(task.batch, failures, on_error)
                yield from results

    def _collect(self, ref: Any, task: _Task) -> tuple[list[DocumentAnalysis], list[tuple[str, str, str]]]:
        try:
            results, failures = self.ray.get(ref)
        except self.ray.exceptions.RayError as error:  # the worker died or the task could not run
            problem = f"Ray worker failed: {first_line(error)}"
            return [], [(d.id, type(error).__name__, problem) for d in task.batch]
        return results, failures


def _report(batch: list[Document], failures: list[tuple[str, str, str]], on_error: OnError | None) -> None:
    by_id = {d.id: d for d in batch}
    for document_id, kind, message in failures:
        error = RemoteAnalysisError(kind, message)
        if on_error is None:
            raise error
        on_error(by_id[document_id], error)
