"""Learn how often each word is an attribution cue, from PolNeAR's train split.

    python scripts/train_cue_lexicon.py ../shared/eval/polnear/train \
        -o src/claimgraph/data/cue_lexicon.json

For every token of the parsed training articles (the same spaCy model and
paragraph splitting as the pipeline) it counts, per (lemma, coarse POS), how
often the token occurs and how often it is the syntactic head of a gold cue.
The output is deterministic (sorted keys, no timestamps): running the script
twice on the same data gives the same file. Only counts are written, never
article text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from claimgraph.evaluate.polnear import load_polnear
from claimgraph.nlp import DEFAULT_MODEL, load_nlp, paragraph_doc

# Keep a lemma when it heads at least this many gold cues (rarer ones are noise).
MIN_CUES = 2
POS_KEPT = ("VERB", "AUX", "NOUN", "ADP", "ADJ")


def count_cues(
    split_dir: Path, model: str = DEFAULT_MODEL, limit: int | None = None
) -> dict[str, dict[str, int]]:
    """Per 'lemma/POS': how often seen, how often the head of a gold cue."""
    corpus = load_polnear(split_dir, limit=limit)
    nlp = load_nlp(model)
    seen: Counter[str] = Counter()
    cue: Counter[str] = Counter()
    texts = [(paragraph_doc(nlp, a.document.text), a) for a in corpus.articles]
    for doc, article in nlp.pipe(texts, as_tuples=True, batch_size=32):
        heads: set[int] = set()
        for att in article.attributions:
            cue_spans = att.of("cue")
            if not cue_spans:
                continue
            span = doc.char_span(cue_spans[0].start, cue_spans[-1].end, alignment_mode="expand")
            if span is not None:
                heads.add(span.root.i)
        for tok in doc:
            if tok.pos_ not in POS_KEPT:
                continue
            key = f"{tok.lemma_.lower()}/{tok.pos_}"
            seen[key] += 1
            if tok.i in heads:
                cue[key] += 1
    return {k: {"cue": cue[k], "seen": seen[k]} for k in sorted(cue) if cue[k] >= MIN_CUES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split_dir", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    counts = count_cues(args.split_dir, limit=args.limit)
    payload = {
        "_about": "Cue statistics learned by scripts/train_cue_lexicon.py from PolNeAR train: "
        "per lemma/POS, how often it heads a gold attribution cue and how often it occurs.",
        "min_cues": MIN_CUES,
        "lemmas": counts,
    }
    args.output.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(counts)} lemmas written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
