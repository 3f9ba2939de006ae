"""Linking cost as the corpus grows: does ``Linker`` stay near-linear?

    .venv/bin/python bench/linking.py [--n 2000] [--large 20000] [--corpus PATH]

Builds ``DocumentAnalysis`` objects without the spaCy pipeline: one ``Document`` per BBC
article (undated, outlet "BBC News"), then perturbed copies until there are LARGE
documents. Copy k of an article (k = 1, 2, ...) is made by a seeded random choice of:
shuffling its sentences, dropping one sentence, changing every number, or two or three of
these together, so copies are near-duplicates of different degrees (some above the copy
threshold, some only the same story). Sources and claims come from one cheap rule: each
sentence with "said" or "says" and a capitalised two-word run before it gives a named
``person`` source (that run) and a paraphrase claim whose content is the sentence, at most
``CLAIMS_PER_DOC`` per document; a bare "said" sentence gives an anonymous source.

Each size runs in a fresh process (so peak RSS is its own): ``Linker.add`` over the first
N documents, then ``stories()`` and ``assess()``. Prints seconds per phase, TF-IDF
comparisons (``StoryIndex.comparisons``), candidate signature checks, peak RSS, and the
LARGE/N ratios of wall-clock and CPU time (the project's target: ≤ 12 for 2,000 -> 20,000;
on a shared machine the CPU-time ratio is the steadier one). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from claimgraph.model import Claim, Document, DocumentAnalysis, Source, Span

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
CLAIMS_PER_DOC = 3
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
SPEAKER = re.compile(
    r"\b([A-Z][a-z]+ [A-Z][a-z]+)\b[^.]*?\b(?:said|says)\b|\b(?:said|says)\s+([A-Z][a-z]+ [A-Z][a-z]+)"
)
SEED = 2005


def read_corpus(path: Path) -> list[dict[str, str]]:
    """Title, text and outlet of every article in a JSON-lines corpus."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("text"):
                out.append(
                    {"title": row.get("title") or "", "text": row["text"], "outlet": row.get("outlet") or ""}
                )
    return out


def perturb(text: str, rng: random.Random) -> str:
    """A near-copy of ``text``: sentences shuffled, one dropped and/or numbers changed."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    sentences = [s.strip() for p in paragraphs for s in SENTENCE.findall(p) if s.strip()]
    ops = rng.sample(["shuffle", "drop", "numbers"], rng.randint(1, 3))
    if "drop" in ops and len(sentences) > 2:
        sentences.pop(rng.randrange(len(sentences)))
    if "shuffle" in ops:
        rng.shuffle(sentences)
    out = " ".join(sentences)
    if "numbers" in ops:
        out = NUMBER.sub(lambda m: str(rng.randint(2, 999)), out)
    return out


def synthetic(doc: Document) -> DocumentAnalysis:
    """``doc`` with sources and claims from the "X said" rule (see the module docstring)."""
    da = DocumentAnalysis(document=doc)
    named: dict[str, Source] = {}
    for m in SENTENCE.finditer(doc.text):
        if len(da.claims) >= CLAIMS_PER_DOC:
            break
        sentence = m.group(0)
        if " said" not in sentence and " says" not in sentence:
            continue
        who = SPEAKER.search(sentence)
        if who:
            name = who.group(1) or who.group(2)
            start = m.start() + (who.start(1) if who.group(1) else who.start(2))
            source = named.get(name)
            if source is None:
                source = Source(
                    id=f"{doc.id}-s{len(da.sources)}",
                    document=doc.id,
                    kind="person",
                    anonymous=False,
                    name=name,
                )
                named[name] = source
                da.sources.append(source)
            source.mentions.append(Span(start, start + len(name)))
        else:
            source = Source(
                id=f"{doc.id}-s{len(da.sources)}",
                document=doc.id,
                kind="anonymous",
                anonymous=True,
                descriptor="officials",
            )
            da.sources.append(source)
        content = Span(m.start(), m.end())
        da.claims.append(
            Claim(
                id=f"{doc.id}-c{len(da.claims)}",
                document=doc.id,
                content=[content],
                cue=[],
                source_mentions=list(source.mentions[-1:]),
                chain=[source.id],
                mode="paraphrase",
                hedged=False,
                source=source.id,
            )
        )
    return da


def build(articles: list[dict[str, str]], n: int) -> list[DocumentAnalysis]:
    """``n`` analyses: the articles in order, then perturbed copies round-robin (seeded)."""
    rng = random.Random(SEED)
    out: list[DocumentAnalysis] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        art = articles[i % len(articles)]
        text = art["text"] if i < len(articles) else perturb(art["text"], rng)
        i += 1
        doc = Document(text=text, title=art["title"], outlet=art["outlet"] or None)
        if doc.id in seen:
            continue
        seen.add(doc.id)
        out.append(synthetic(doc))
    return out


def run_one(corpus: Path, n: int) -> dict[str, float]:
    """Build ``n`` analyses and time the linker over them (in this process)."""
    from claimgraph.attribution.lexicon import load_lexicons
    from claimgraph.linking import Linker
    from claimgraph.linking.grading import load_reliability_table

    analyses = build(read_corpus(corpus), n)
    lex = load_lexicons()
    linker = Linker(table=load_reliability_table(lex), lexicons=lex)
    c0 = time.process_time()
    t0 = time.perf_counter()
    linker.add(analyses)
    t1 = time.perf_counter()
    stories = linker.stories()
    t2 = time.perf_counter()
    assessments = linker.assess(stories)
    t3 = time.perf_counter()
    c3 = time.process_time()
    return {
        "cpu": c3 - c0,
        "documents": len(analyses),
        "claims": sum(len(a.claims) for a in analyses),
        "add": t1 - t0,
        "stories": t2 - t1,
        "assess": t3 - t2,
        "total": t3 - t0,
        "comparisons": linker.index.comparisons,
        "pairs": len(linker.index.pairs),
        "story_count": len(stories),
        "multi_stories": sum(1 for s in stories if len(s.documents) > 1),
        "assessments": len(assessments),
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    if args.child:
        print(json.dumps(run_one(args.corpus, args.child)))
        return 0
    results = []
    for n in (args.n, args.large):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--corpus", str(args.corpus), "--child", str(n)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(r)
        print(
            f"{r['documents']:>6} docs {r['claims']:>6} claims  add {r['add']:7.2f}s  stories {r['stories']:5.2f}s  "
            f"assess {r['assess']:6.2f}s  total {r['total']:7.2f}s (CPU {r['cpu']:7.2f}s)  comparisons {r['comparisons']:>7}  "
            f"pairs {r['pairs']:>7}  stories {r['story_count']:>6} ({r['multi_stories']} multi)  "
            f"peak RSS {r['rss_mib']:.0f} MiB"
        )
    small, large = results
    ratio = large["total"] / small["total"] if small["total"] else float("inf")
    cpu = large["cpu"] / small["cpu"] if small["cpu"] else float("inf")
    print(
        f"ratio {large['documents']}/{small['documents']}: time {ratio:.1f}x, CPU time {cpu:.1f}x "
        f"(target <= 12), comparisons {large['comparisons'] / max(small['comparisons'], 1):.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
