"""API latency on a large store under concurrent clients.

    .venv/bin/python bench/api_latency.py [--docs 10000] [--seed-docs 500] [--clients 20] [--requests 2000]
                                          [--workers 1] [--stories/--no-stories] [--reuse-store PATH]

1. Builds a store of --docs documents: the first --seed-docs BBC articles are analyzed
   for real, then copied with a perturbed text (a numbered sentence appended, so each
   copy is its own document with its own content hash) until the store holds --docs.
   With --stories (the default) the store's stories and grades are then computed
   (`claimgraph stories`), so the pages and listings that show them have work to do.
   With --reuse-store PATH the store is kept at PATH, and a later run reuses it.
2. Serves it with uvicorn (`claimgraph serve --workers N`, default 1) on 127.0.0.1,
   in a separate process.
3. --clients threads send --requests GET requests in all, round-robin over the main
   endpoints (first pages and a few pages further on through the cursor, full-text
   searches), and the latency of each is recorded. Prints p50 / p95 / max per
   endpoint and overall.
Traffic stays on loopback and the run is bounded in requests and time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
# Issue 6's target: p95 latency of every main endpoint under --clients concurrent clients.
TARGET_P95_MS = 100.0


def link_stories(url: str) -> float:
    """Compute and store stories and assessments over the whole store, as `claimgraph stories` does."""
    from claimgraph.linking import link
    from claimgraph.store import open_store

    started = time.perf_counter()
    with open_store(url) as store:
        analysis = link(store.load())
        store.save_cross(analysis.stories, analysis.assessments)
    return time.perf_counter() - started


def has_stories(url: str) -> bool:
    """True when the store (migrated on the way) already holds stories."""
    from sqlalchemy import create_engine, func, select

    from claimgraph.store import open_store, resolve_url, schema

    open_store(url).close()  # bring an older store to the current schema first
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return bool(connection.execute(select(func.count()).select_from(schema.stories)).scalar_one())
    finally:
        engine.dispose()


def build_store(url: str, corpus: Path, docs: int, seed_docs: int) -> float:
    from claimgraph.model import Document, DocumentAnalysis
    from claimgraph.pipeline import Pipeline
    from claimgraph.store import open_store

    started = time.perf_counter()
    pipeline = Pipeline.load()
    with corpus.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for _, line in zip(range(seed_docs), fh, strict=False)]
    documents = [Document(text=r["text"], title=r.get("title"), outlet=r.get("outlet")) for r in rows]
    seeds = list(pipeline.analyze_many(documents))
    with open_store(url) as store:
        for n in range(docs):
            base = seeds[n % len(seeds)]
            if n < len(seeds):
                store.save(base)
                continue
            text = base.document.text + f"\n\nCopy {n} for the latency benchmark."
            doc = dataclasses.replace(base.document, text=text, id="", removed=list(base.document.removed))
            doc.__post_init__()

            def moved(item_id: str, new_doc: str = doc.id, old: str = base.document.id) -> str:
                return item_id.replace(old, new_doc, 1)

            sources = [dataclasses.replace(s, id=moved(s.id), document=doc.id) for s in base.sources]
            claims = [
                dataclasses.replace(
                    c,
                    id=moved(c.id),
                    document=doc.id,
                    source=moved(c.source) if c.source else None,
                    chain=[moved(i) for i in c.chain],
                )
                for c in base.claims
            ]
            places = [dataclasses.replace(p, id=moved(p.id), document=doc.id) for p in base.places]
            events = [
                dataclasses.replace(
                    e,
                    id=moved(e.id),
                    document=doc.id,
                    places=[moved(i) for i in e.places],
                    claims=[moved(i) for i in e.claims],
                )
                for e in base.events
            ]
            store.save(DocumentAnalysis(doc, sources, claims, events, places, dict(base.produced_by)))
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its live children so far; None without psutil."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        total = 0.0
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    return time.perf_counter() - started, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed-docs", type=int, default=500)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--reuse-store",
        type=Path,
        default=None,
        help="keep the built store at this path and reuse it on the next run (skips the build)",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for the server")
    parser.add_argument(
        "--search",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="include the full-text search endpoints (--no-search: to compare with a build without them)",
    )
    parser.add_argument(
        "--stories",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compute stories and grades over the store before serving (kept in a reused store)",
    )
    parser.add_argument(
        "--access-log", action=argparse.BooleanOptionalAction, default=True, help="server logs each request"
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = str(args.reuse_store or Path(tmp) / "store.db")
        if args.reuse_store is not None and args.reuse_store.is_file():
            print(f"store: reusing {db} (--docs is ignored)")
        else:
            built = build_store(db, args.corpus, args.docs, args.seed_docs)
            print(f"store: {args.docs} documents built in {built:.0f} s")
        if args.stories and not has_stories(db):
            print(f"store: stories linked in {link_stories(db):.0f} s")
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from claimgraph.cli import main; main()",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--access-log" if args.access_log else "--no-access-log",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    get(base + "/api/documents?limit=1")
                    break
                except OSError:
                    time.sleep(0.1)
            first = json.loads(get(base + "/api/documents?limit=5")[1])
            some_id = first["items"][0]["id"]
            # A word of the first title: the longest, as the least likely to be common.
            rare_word = max((first["items"][0].get("title") or "election").split(), key=len)
            deep = base + "/api/claims?limit=100"
            for _ in range(20):  # walk 20 pages in, to time a cursor far into the store
                page = json.loads(get(deep)[1])
                if not page.get("next"):
                    break
                deep = base + "/api/claims?limit=100&cursor=" + urllib.parse.quote(page["next"])
            endpoints = {
                "GET /api/documents": base + "/api/documents?limit=100",
                "GET /api/claims": base + "/api/claims?limit=100",
                "GET /api/claims (page 20)": deep,
                "GET /api/sources": base + "/api/sources?limit=100",
                "GET /api/events": base + "/api/events?limit=100",
                "GET /api/stories": base + "/api/stories?limit=100",
                "GET /api/documents/{id}": base + f"/api/documents/{some_id}",
                "GET / (stories page)": base + "/",
                "GET /documents/{id} (page)": base + f"/documents/{some_id}",
            }
            if args.search:
                endpoints["GET /api/search (common words)"] = base + "/api/search?q=government+said"
                endpoints["GET /api/search (rare word)"] = (
                    base + "/api/search?q=" + urllib.parse.quote(rare_word)
                )
                endpoints["GET /search (page)"] = base + "/search?q=minister"
            names = list(endpoints)
            timings: dict[str, list[float]] = {n: [] for n in names}
            lock = threading.Lock()
            counter = iter(range(args.requests))

            def client() -> None:
                for i in counter:
                    name = names[i % len(names)]
                    seconds, _ = get(endpoints[name])
                    with lock:
                        timings[name].append(seconds)

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            cpu_before = cpu_seconds(server.pid)
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=600)
            wall = time.perf_counter() - started
            cpu_after = cpu_seconds(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    every = sorted(x for v in timings.values() for x in v)
    log = "" if args.access_log else " --no-access-log"
    print(f"server: claimgraph serve --workers {args.workers}{log} on {os.cpu_count()} CPU cores")
    print(f"{args.clients} clients, {len(every)} requests in {wall:.1f} s ({len(every) / wall:.0f} req/s)")
    if cpu_before is not None and cpu_after is not None and every:
        # CPU time is what the server spends, whatever else runs on the machine: the
        # figure to compare between runs on a busy machine (wall-clock latencies are not).
        per_request = (cpu_after - cpu_before) / len(every) * 1000
        print(
            f"server CPU: {per_request:.2f} ms per request "
            f"({(cpu_after - cpu_before) / wall:.0%} of one core over the run; "
            f"one free core would serve ~{1000 / per_request:.0f} req/s)"
        )
    print(f"{'endpoint':34s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    over = []
    for name in [*names, "all"]:
        values = sorted(timings[name]) if name != "all" else every
        if not values:
            continue
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        if name != "all" and p95 * 1000 >= TARGET_P95_MS:
            over.append(name)
        print(
            f"{name:34s} {len(values):5d} {statistics.median(values) * 1000:8.1f} "
            f"{p95 * 1000:8.1f} {values[-1] * 1000:8.1f}"
        )
    verdict = "met" if not over else "NOT met by " + ", ".join(over)
    print(f"target p95 < {TARGET_P95_MS:.0f} ms on every endpoint: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
