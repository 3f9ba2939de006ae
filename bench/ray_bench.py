"""Ray throughput on a local cluster against the single-process pipeline, same articles.

    .venv/bin/python bench/ray_bench.py [--n 1000] [--corpus PATH] [--workers 2] [--batch-size 32]

Reads the first N articles of a JSON-lines corpus (default
``../shared/corpora/bbc-2004-2005.jsonl`` beside the repository) and measures:

    single      ``Pipeline.analyze_many`` in one fresh process, after a one-batch warm-up,
                twice: with the thread settings it inherits (numpy/BLAS may use more
                than one thread) and with OMP/OPENBLAS/MKL_NUM_THREADS=1
    ray start   ``ray.init`` of a local cluster with ``--workers`` CPUs, then the actors'
                ``Pipeline.load`` (timed apart, not counted in the throughput)
    ray         ``RayEngine.analyze_many`` over the same articles after a warm-up batch
                per worker, results shipped back to this process

Prints words per second for each, the ratio ray / single (both single figures), and the
start times. Words are whitespace-separated tokens of ``Document.text``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from claimgraph.ingest import iter_inputs
from claimgraph.model import Document

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
THREADS_1 = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Documents analyzed before the clock starts (one nlp.pipe batch: the first pass is slower).
WARMUP_DOCS = 32


def load_documents(corpus: Path, n: int) -> list[Document]:
    """The first ``n`` readable articles of ``corpus``."""
    return list(islice((d for d in iter_inputs([str(corpus)]) if isinstance(d, Document)), n))


def fresh(documents: Sequence[Document]) -> list[Document]:
    """Copies, so no run sees another's cleaning results."""
    return [dataclasses.replace(d, removed=[], meta=dict(d.meta)) for d in documents]


def count_words(documents: Sequence[Document]) -> int:
    return sum(len(d.text.split()) for d in documents)


def single(corpus: Path, n: int) -> dict[str, Any]:
    """One process: load, warm up, then time ``analyze_many`` over the articles."""
    from claimgraph.pipeline import Pipeline

    documents = load_documents(corpus, n)
    pipeline = Pipeline.load()
    list(pipeline.analyze_many(fresh(documents[:WARMUP_DOCS])))
    began = time.perf_counter()
    done = sum(1 for _ in pipeline.analyze_many(fresh(documents)))
    seconds = time.perf_counter() - began
    words = count_words(documents)
    return {"docs": done, "words": words, "seconds": seconds, "words_per_s": words / seconds}


def single_in_subprocess(corpus: Path, n: int, env: dict[str, str]) -> dict[str, Any]:
    """``single`` in a fresh interpreter with ``env`` added (thread limits must precede numpy)."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import ray_bench as b; from pathlib import Path; "
    )
    code += "print(json.dumps(b.single(Path(sys.argv[2]), int(sys.argv[3]))))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(corpus), str(n)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def distributed(corpus: Path, n: int, workers: int, batch_size: int) -> dict[str, Any]:
    """A local Ray cluster: start time, pipeline load time, then throughput over the articles."""
    from claimgraph.distributed.ray_engine import RayEngine, RayOptions

    documents = load_documents(corpus, n)
    engine = RayEngine(RayOptions(workers=workers, batch_size=batch_size)).start()
    try:
        warmup = fresh(documents[: WARMUP_DOCS * workers])
        list(engine.analyze_many(warmup))
        began, cpu = time.perf_counter(), time.process_time()
        done = sum(1 for _ in engine.analyze_many(fresh(documents)))
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        engine.stop()
    words = count_words(documents)
    return {
        "docs": done,
        "words": words,
        "seconds": seconds,
        "words_per_s": words / seconds,
        "cluster_start_s": engine.cluster_seconds,
        "pipelines_load_s": engine.load_seconds,
        "driver_cpu_s": cpu,
    }


class _DataAnalyzer:
    """Ray Data ``map_batches`` callable: one pipeline per actor, contract JSON out (columns)."""

    def __init__(self) -> None:
        from claimgraph.pipeline import Pipeline

        self.pipeline = Pipeline.load()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        from claimgraph.model import Analysis

        documents = [pickle.loads(blob) for blob in batch["document"]]  # the Documents the actors get
        results = list(self.pipeline.analyze_many(documents))
        return {
            "id": [da.document.id for da in results],
            "analysis": [json.dumps(Analysis(documents=[da]).to_json()) for da in results],
        }


def end_to_end(corpus: Path, n: int, workers: int, batch_size: int, *, ray_data: bool) -> float:
    """Seconds from a running cluster to the last result, actors' pipeline loads included:
    the actor pool (``RayEngine``) or Ray Data ``map_batches`` with an actor class."""
    import ray

    from claimgraph.distributed.ray_engine import LOCAL_OBJECT_STORE_BYTES, WORKER_ENV, RayEngine, RayOptions

    documents = load_documents(corpus, n)
    ray.init(
        num_cpus=workers,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        # Ray Data's workers import this script's _DataAnalyzer by module name.
        runtime_env={"env_vars": {**WORKER_ENV, "PYTHONPATH": str(Path(__file__).resolve().parent)}},
    )
    try:
        began = time.perf_counter()
        if ray_data:
            items = [{"document": pickle.dumps(d)} for d in fresh(documents)]
            dataset = ray.data.from_items(items).map_batches(
                _DataAnalyzer, batch_size=batch_size, concurrency=workers, num_cpus=1
            )
            done = sum(1 for _ in dataset.iter_rows())
        else:
            with RayEngine(RayOptions(workers=workers, batch_size=batch_size)) as engine:
                done = sum(1 for _ in engine.analyze_many(fresh(documents)))
        assert done == len(documents), (done, len(documents))
        return time.perf_counter() - began
    finally:
        ray.shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--compare-ray-data",
        action="store_true",
        help="Also time actors against Ray Data map_batches end to end (pipeline loads included).",
    )
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"ray_bench: no corpus at {args.corpus}", file=sys.stderr)
        return 2
    try:
        import ray  # noqa: F401
    except ImportError:
        print("ray_bench: Ray is not installed (pip install 'claimgraph[ray]')", file=sys.stderr)
        return 2
    base = single_in_subprocess(args.corpus, args.n, {})
    base_1 = single_in_subprocess(args.corpus, args.n, THREADS_1)
    ray_result = distributed(args.corpus, args.n, args.workers, args.batch_size)
    result = {
        "n": base["docs"],
        "words": base["words"],
        "workers": args.workers,
        "batch_size": args.batch_size,
        "single": base,
        "single_1_thread": base_1,
        "ray": ray_result,
        "ratio": ray_result["words_per_s"] / base["words_per_s"],
        "ratio_vs_1_thread": ray_result["words_per_s"] / base_1["words_per_s"],
    }
    print(
        f"claimgraph ray bench: {result['n']} docs, {result['words']:,} words, "
        f"{args.workers} workers, batch {args.batch_size}"
    )
    print(f"{'measurement':34s} {'docs':>6s} {'seconds':>9s} {'words/s':>9s}")
    for name, figures in (
        ("single process (inherited threads)", base),
        ("single process (1 thread)", base_1),
        (f"ray, {args.workers} workers", ray_result),
    ):
        print(f"{name:34s} {figures['docs']:6d} {figures['seconds']:9.1f} {figures['words_per_s']:9.0f}")
    print(
        f"ray start: cluster {ray_result['cluster_start_s']:.1f} s, "
        f"pipelines {ray_result['pipelines_load_s']:.1f} s (not counted); "
        f"driver CPU while analyzing {ray_result['driver_cpu_s']:.1f} s"
    )
    print(
        f"throughput ratio ray/single {result['ratio']:.2f} (vs 1-thread single {result['ratio_vs_1_thread']:.2f})"
    )
    if args.compare_ray_data:
        actors = end_to_end(args.corpus, args.n, args.workers, args.batch_size, ray_data=False)
        data = end_to_end(args.corpus, args.n, args.workers, args.batch_size, ray_data=True)
        result["end_to_end"] = {"actors_s": actors, "ray_data_s": data}
        print(
            f"end to end (actor loads included): actor pool {actors:.1f} s, Ray Data map_batches {data:.1f} s"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
