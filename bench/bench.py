"""Throughput and memory of claimgraph against a bare spaCy parse, in one process.

    .venv/bin/python bench/bench.py [--n 500] [--corpus PATH] [--json FILE]

Loads the pipeline once, reads the first N articles of a JSON-lines corpus
(default ``../shared/corpora/bbc-2004-2005.jsonl`` beside the repository), and
measures in this order:

    warm-up    one batch parsed and analyzed (not counted)
    parse      bare ``nlp.pipe`` over the texts (same model, same batch size)
    analyze    ``Pipeline.analyze_many`` (clean + parse + attribute + places + events)
    stages     clean, parse, attribution, places, events (times and quantities
               included) timed one after the other, batch by batch
    store      analyze + save into a fresh temporary SQLite store (when available)

and prints words per second for each, the analyze/parse time ratio, each
stage's time relative to the parse, and the peak resident memory. See
bench/README.md for how to read the numbers.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from claimgraph.attribution import attribute
from claimgraph.clean import clean
from claimgraph.errors import ClaimgraphError
from claimgraph.events import detect_events
from claimgraph.model import Document
from claimgraph.nlp import DEFAULT_MODEL, paragraph_doc
from claimgraph.pipeline import PIPE_BATCH_SIZE, Pipeline
from claimgraph.places import locate
from claimgraph.quantities import find_quantities
from claimgraph.times import resolve_times

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
DEFAULT_N = 500
# Documents parsed and analyzed before any clock starts. With no warm-up the
# first nlp.pipe pass over 100 BBC articles took 30% longer than the next three
# (which agreed within 4%); one full batch through both paths removes that.
WARMUP_DOCS = PIPE_BATCH_SIZE


@dataclass(slots=True)
class Measurement:
    name: str
    docs: int
    words: int
    seconds: float

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "docs": self.docs,
            "words": self.words,
            "seconds": round(self.seconds, 4),
            "words_per_s": round(self.words_per_s, 1),
        }


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def count_words(documents: Iterable[Document]) -> int:
    """Whitespace-separated words: the same count for every measurement."""
    return sum(len(d.text.split()) for d in documents)


def load_documents(corpus: Path, n: int) -> list[Document]:
    """The first ``n`` readable articles of ``corpus`` (unreadable records are passed over)."""
    try:
        from claimgraph.ingest import iter_inputs
    except ImportError:
        return list(islice(_read_jsonl(corpus), n))
    stream = (item for item in iter_inputs([str(corpus)]) if isinstance(item, Document))
    return list(islice(stream, n))


def _read_jsonl(corpus: Path) -> Iterator[Document]:
    """Fallback reader for a checkout without ``claimgraph.ingest``."""
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str) and record["text"].strip():
                yield Document(text=record["text"], title=record.get("title"), outlet=record.get("outlet"))


def fresh(documents: Sequence[Document]) -> list[Document]:
    """Copies with no removed ranges, so each measurement cleans from scratch."""
    return [dataclasses.replace(d, removed=[]) for d in documents]


def batches(items: Sequence[Document], size: int) -> Iterator[Sequence[Document]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def measure_parse(pipeline: Pipeline, documents: Sequence[Document], words: int) -> Measurement:
    texts = [d.text for d in documents]
    start = time.perf_counter()
    for _ in pipeline.nlp.pipe(texts, batch_size=PIPE_BATCH_SIZE):
        pass
    return Measurement("bare nlp.pipe", len(texts), words, time.perf_counter() - start)


def measure_analyze(pipeline: Pipeline, documents: Sequence[Document], words: int) -> Measurement:
    docs = fresh(documents)
    start = time.perf_counter()
    for _ in pipeline.analyze_many(docs):
        pass
    return Measurement("analyze_many", len(docs), words, time.perf_counter() - start)


def measure_stages(pipeline: Pipeline, documents: Sequence[Document]) -> dict[str, float]:
    """Seconds spent in clean, parse and attribute, each timed on its own, one batch at a time.

    Batches of ``PIPE_BATCH_SIZE`` keep at most one batch of parses in memory,
    as the real pipeline does.
    """
    seconds = {"clean": 0.0, "parse": 0.0, "attribution": 0.0, "places": 0.0, "events": 0.0}
    for batch in batches(fresh(documents), PIPE_BATCH_SIZE):
        t0 = time.perf_counter()
        cleaned = [clean(d, pipeline.noise) for d in batch]
        t1 = time.perf_counter()
        parsed = list(
            pipeline.nlp.pipe(
                [paragraph_doc(pipeline.nlp, d.text) for d in cleaned], batch_size=PIPE_BATCH_SIZE
            )
        )
        seconds["clean"] += t1 - t0
        seconds["parse"] += time.perf_counter() - t1
        for document, doc in zip(cleaned, parsed, strict=True):
            t = time.perf_counter()
            _sources, claims = attribute(document, doc, pipeline.lexicons)
            t_attr = time.perf_counter()
            places = locate(document, doc, pipeline.gazetteer)
            t_places = time.perf_counter()
            times = resolve_times(doc, document)
            detect_events(
                document, doc, claims, places, times, find_quantities(doc), pipeline.taxonomy, pipeline.acled
            )
            t_events = time.perf_counter()
            seconds["attribution"] += t_attr - t
            seconds["places"] += t_places - t_attr
            seconds["events"] += t_events - t_places
    return seconds


def measure_store(pipeline: Pipeline, documents: Sequence[Document], words: int) -> Measurement | str:
    """Analyze and save every document into a new SQLite store; a reason string when not possible."""
    try:
        store_module = importlib.import_module("claimgraph.store")
    except ImportError as exc:
        return f"claimgraph.store cannot be imported ({exc})"
    open_store = getattr(store_module, "open_store", None)
    if open_store is None:
        return "claimgraph.store.open_store is not available"
    docs = fresh(documents)
    with tempfile.TemporaryDirectory(prefix="claimgraph-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        start = time.perf_counter()
        with open_store(url) as store:
            for analysis in pipeline.analyze_many(docs):
                store.save(analysis)
        return Measurement("analyze + store (SQLite)", len(docs), words, time.perf_counter() - start)


def fastest(runs: Sequence[Measurement]) -> Measurement:
    return min(runs, key=lambda m: m.seconds)


def run(corpus: Path, n: int, model: str, *, with_store: bool, repeat: int = 1) -> dict[str, Any]:
    """All measurements as one JSON-ready dict."""
    t0 = time.perf_counter()
    pipeline = Pipeline.load(model)
    load_seconds = time.perf_counter() - t0
    rss = {"after_load": peak_rss_mib()}

    documents = load_documents(corpus, n)
    if not documents:
        raise SystemExit(f"bench: no readable articles in {corpus}")
    words = count_words(documents)

    warmup = documents[:WARMUP_DOCS]
    measure_parse(pipeline, warmup, 0)
    measure_analyze(pipeline, warmup, 0)

    # Interleaved repeats, fastest kept: other load on the machine only ever adds time.
    parse_runs: list[Measurement] = []
    analyze_runs: list[Measurement] = []
    for _ in range(repeat):
        parse_runs.append(measure_parse(pipeline, documents, words))
        analyze_runs.append(measure_analyze(pipeline, documents, words))
    measurements = [fastest(parse_runs), fastest(analyze_runs)]
    rss["after_analyze"] = peak_rss_mib()
    stages = measure_stages(pipeline, documents)
    store: Measurement | str = "skipped (--no-store)"
    if with_store:
        store = measure_store(pipeline, documents, words)
        if isinstance(store, Measurement):
            measurements.append(store)
    rss["peak"] = peak_rss_mib()

    parse_s, analyze_s = measurements[0].seconds, measurements[1].seconds
    return {
        "corpus": str(corpus),
        "model": pipeline.produced_by.get("parser", model),
        "batch_size": PIPE_BATCH_SIZE,
        "repeat": repeat,
        "docs": len(documents),
        "words": words,
        "load_seconds": round(load_seconds, 3),
        "measurements": [m.to_json() for m in measurements],
        "analyze_over_parse": round(analyze_s / parse_s, 3) if parse_s > 0 else None,
        # the figure the project tracks: pipeline throughput over bare-parse throughput (≥ 0.6)
        "throughput_ratio": round(parse_s / analyze_s, 3) if analyze_s > 0 else None,
        "stages_seconds": {k: round(v, 4) for k, v in stages.items()},
        "stages_share_of_parse": {
            k: round(v / stages["parse"], 4) if stages["parse"] > 0 else None for k, v in stages.items()
        },
        "store": None if isinstance(store, Measurement) else store,
        "rss_mib": {k: round(v, 1) for k, v in rss.items()},
    }


def format_result(result: dict[str, Any]) -> str:
    """The compact table printed on stdout."""
    lines = [
        f"claimgraph bench: {result['docs']} docs, {result['words']:,} words, "
        f"model {result['model']}, batch {result['batch_size']}, fastest of {result['repeat']}",
        f"corpus {result['corpus']}",
        f"pipeline load {result['load_seconds']:.2f} s",
        "",
        f"{'measurement':<26}{'docs':>6}{'words':>10}{'seconds':>10}{'words/s':>10}",
    ]
    for m in result["measurements"]:
        lines.append(
            f"{m['name']:<26}{m['docs']:>6}{m['words']:>10}{m['seconds']:>10.2f}{m['words_per_s']:>10.0f}"
        )
    if result["store"]:
        lines.append(f"{'analyze + store':<26}{result['store']}")
    lines.append("")
    ratio = result["analyze_over_parse"]
    throughput = result["throughput_ratio"]
    if ratio is not None and throughput is not None:
        lines.append(f"throughput ratio (analyze words/s over bare parse words/s): {throughput:.2f}")
        lines.append(f"analyze / bare parse time: {ratio:.2f}x")
    else:
        lines.append("analyze / parse: n/a")
    share = result["stages_share_of_parse"]
    stage_parts = [
        f"{name} {seconds:.2f} s" + (f" ({share[name]:.1%})" if name != "parse" and share[name] else "")
        for name, seconds in result["stages_seconds"].items()
    ]
    lines.append("stages, timed one by one (share of parse time): " + " · ".join(stage_parts))
    rss = result["rss_mib"]
    lines.append(
        f"peak RSS: {rss['peak']:.1f} MiB (after load {rss['after_load']:.1f}, "
        f"after analyze {rss['after_analyze']:.1f})"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"articles to read (default {DEFAULT_N})")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON-lines corpus")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy model package")
    parser.add_argument("--no-store", action="store_true", help="skip the analyze + store measurement")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run parse and analyze this many times, keep the fastest"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not args.corpus.is_file():
        print(
            f"bench: corpus not found: {args.corpus}\n"
            "Pass --corpus PATH to a JSON-lines file (one object a line with a 'text' field), "
            "or place the shared corpora beside the repository.",
            file=sys.stderr,
        )
        return 2
    try:
        result = run(args.corpus, args.n, args.model, with_store=not args.no_store, repeat=args.repeat)
    except ClaimgraphError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    print(format_result(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
