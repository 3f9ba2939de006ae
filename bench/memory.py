"""Peak memory of a long run: does it stay flat as the number of articles grows?

    .venv/bin/python bench/memory.py [--small 200] [--large 2000] [--corpus PATH]

Runs `claimgraph analyze` twice in fresh processes over the first SMALL and LARGE
articles of the corpus (JSON lines, streamed out with --format jsonl and stored in
a temporary SQLite file), and prints each peak RSS and their ratio (the project
wants LARGE/SMALL ≤ 1.3). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
CHILD = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print('MAXRSS_KIB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
    " file=sys.stderr))\n"
    "from claimgraph.cli import main\n"
    "main()\n"
)


def peak_rss(corpus: Path, n: int, workdir: Path) -> tuple[float, float, int]:
    """(peak RSS in MiB, seconds, documents) of one analyze run over the first ``n`` articles."""
    subset = workdir / f"first_{n}.jsonl"
    with corpus.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        dst.writelines(itertools.islice(src, n))
    args = [sys.executable, "-c", CHILD, "analyze", str(subset), "--db", str(workdir / f"store_{n}.db")]
    args += ["--format", "jsonl", "-o", str(workdir / f"out_{n}.jsonl"), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    rss = re.search(r"MAXRSS_KIB (\d+)", done.stderr)
    docs = re.search(r"(\d+) documents", done.stderr)
    if rss is None or docs is None:
        raise SystemExit(f"could not read the child's report:\n{done.stderr}")
    return int(rss.group(1)) / 1024, seconds, int(docs.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        small = peak_rss(args.corpus, args.small, Path(tmp))
        large = peak_rss(args.corpus, args.large, Path(tmp))
    for label, (mib, seconds, docs) in (("small", small), ("large", large)):
        print(f"{label:6s} {docs:6d} docs  peak RSS {mib:8.1f} MiB  {seconds:7.1f} s")
    print(f"peak RSS ratio large/small: {large[0] / small[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
