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
Events come from a second cheap rule: each claim sentence with a number gives an event
(one of ``EVENT_TYPES``, chosen by the article's title, so copies agree) reported by that
claim, with that number as its quantity, the word after it as its equipment, and a place
chosen by the title among ``BENCH_PLACES`` towns of ``BENCH_COUNTRIES`` countries;
perturbed copies change numbers, so some copies' events conflict and stay apart.

Each size runs in a fresh process (so peak RSS is its own): ``Linker.add`` over the first
N documents, then ``stories()`` and ``assess()``. Prints seconds per phase, TF-IDF
comparisons (``StoryIndex.comparisons``), candidate signature checks, peak RSS, and the
LARGE/N ratios of wall-clock and CPU time (the project's target: ≤ 12 for 2,000 -> 20,000;
on a shared machine the CPU-time ratio is the steadier one). Nothing is asserted.

Incremental (``--add 200``, 0 to skip): in a third process, LARGE documents are linked and
their states kept (``linking.incremental.link_all``, as a store keeps them), then ADD more
are linked from those states (``relink``: restore, add, assess what changed, loading old
analyses from memory), against a full relink of all LARGE + ADD documents (``Linker``,
as above). Prints both times and whether the results are equal.
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
import zlib
from pathlib import Path

from claimgraph.model import Claim, Document, DocumentAnalysis, Event, Place, Source, Span

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc-2004-2005.jsonl"
CLAIMS_PER_DOC = 3
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
SPEAKER = re.compile(
    r"\b([A-Z][a-z]+ [A-Z][a-z]+)\b[^.]*?\b(?:said|says)\b|\b(?:said|says)\s+([A-Z][a-z]+ [A-Z][a-z]+)"
)
SEED = 2005
EVENT_TYPES = ("deployment", "protest", "attack", "arrest_detention", "agreement", "accident")
BENCH_COUNTRIES = 30
BENCH_PLACES = 600
WORD_AFTER = re.compile(r"\s+([A-Za-z]+)")


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
        number = NUMBER.search(sentence)
        if number is not None:
            _add_event(
                da, m.start() + number.start(), sentence[number.end() :], number.group(0), len(da.claims)
            )
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


def _add_event(da: DocumentAnalysis, at: int, rest: str, number: str, claim_index: int) -> None:
    """One event at ``at`` reported by claim ``claim_index`` (see the module docstring)."""
    doc = da.document
    key = zlib.crc32((doc.title or doc.text[:80]).encode("utf-8"))
    town = key % BENCH_PLACES
    place = Place(
        id=f"{doc.id}-p{len(da.places)}",
        document=doc.id,
        mention=Span(at, at + len(number)),
        name=f"Town {town}",
        country=f"C{town % BENCH_COUNTRIES}",
        admin1=f"C{town % BENCH_COUNTRIES}-{town % 7}",
        feature="PPL",
        gazetteer_id=f"bench:{town}",
        lat=(town % 120) - 60.0,
        lon=(town * 7 % 340) - 170.0,
    )
    da.places.append(place)
    after = WORD_AFTER.match(rest)
    try:
        quantity = float(number.replace(",", ""))
    except ValueError:
        quantity = None
    da.events.append(
        Event(
            id=f"{doc.id}-e{len(da.events)}",
            document=doc.id,
            type=EVENT_TYPES[key % len(EVENT_TYPES)],
            trigger=Span(at, at + len(number)),
            equipment=[after.group(1).lower()] if after else [],
            quantity=quantity,
            places=[place.id],
            claims=[f"{doc.id}-c{claim_index}"],
        )
    )


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
        "events": len(linker.event_index.events),
        "event_comparisons": linker.event_index.comparisons,
        "event_edges": len(linker.event_index.edges),
        "pairs": len(linker.index.pairs),
        "story_count": len(stories),
        "multi_stories": sum(1 for s in stories if len(s.documents) > 1),
        "assessments": len(assessments),
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_incremental(corpus: Path, n: int, extra: int) -> dict[str, float]:
    """Link ``n`` analyses keeping their states, then time adding ``extra`` more from those
    states against linking all ``n + extra`` at once (in this process)."""
    from claimgraph.attribution.lexicon import load_lexicons
    from claimgraph.linking import Linker
    from claimgraph.linking.grading import load_reliability_table
    from claimgraph.linking.incremental import link_all, relink

    analyses = build(read_corpus(corpus), n + extra)
    lex = load_lexicons()
    table = load_reliability_table(lex)
    first = link_all(analyses[:n], table, lex)
    states = [first.states[d] for d in first.linker.index.docs]
    stored = (first.stories, first.assessments)
    del first
    by_id = {da.document.id: da for da in analyses}
    c0, t0 = time.process_time(), time.perf_counter()
    result = relink(states, analyses[n:], lambda ids: [by_id[i] for i in ids], stored, table, lex)
    c1, t1 = time.process_time(), time.perf_counter()
    linker = Linker(table=table, lexicons=lex)
    linker.add(analyses)
    stories = linker.stories()
    assessments = linker.assess(stories)
    c2, t2 = time.process_time(), time.perf_counter()
    return {
        "documents": n,
        "added": len(result.new),
        "incremental": t1 - t0,
        "incremental_cpu": c1 - c0,
        "full": t2 - t1,
        "full_cpu": c2 - c1,
        "loaded": len(result.loaded),
        "recomputed": result.recomputed,
        "state_mib": sum(map(len, states)) / 2**20,
        "equal": float(result.stories == stories and result.assessments == assessments),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--add", type=int, default=200, help="documents added incrementally (0: skip)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--incremental-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    if args.child:
        print(json.dumps(run_one(args.corpus, args.child)))
        return 0
    if args.incremental_child:
        print(json.dumps(run_incremental(args.corpus, args.incremental_child, args.add)))
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
            f"events {r['events']:>6} (comparisons {r['event_comparisons']:>7}, links {r['event_edges']:>6})  "
            f"peak RSS {r['rss_mib']:.0f} MiB"
        )
    small, large = results
    ratio = large["total"] / small["total"] if small["total"] else float("inf")
    cpu = large["cpu"] / small["cpu"] if small["cpu"] else float("inf")
    print(
        f"ratio {large['documents']}/{small['documents']}: time {ratio:.1f}x, CPU time {cpu:.1f}x "
        f"(target <= 12), comparisons {large['comparisons'] / max(small['comparisons'], 1):.1f}x, "
        f"event comparisons {large['event_comparisons'] / max(small['event_comparisons'], 1):.1f}x"
    )
    if args.add > 0:
        me = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--corpus",
            str(args.corpus),
            "--add",
            str(args.add),
        ]
        done = subprocess.run(
            [*me, "--incremental-child", str(args.large)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"incremental: link {r['documents']:.0f} then add {r['added']:.0f} more: {r['incremental']:.2f}s "
            f"(CPU {r['incremental_cpu']:.2f}s; {r['loaded']:.0f} earlier analyses loaded, {r['recomputed']:.0f} "
            f"assessment units recomputed, states {r['state_mib']:.0f} MiB) vs full relink of "
            f"{r['documents'] + r['added']:.0f}: {r['full']:.2f}s (CPU {r['full_cpu']:.2f}s): "
            f"{r['full_cpu'] / max(r['incremental_cpu'], 1e-9):.1f}x less CPU, results "
            f"{'equal' if r['equal'] else 'DIFFERENT'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
