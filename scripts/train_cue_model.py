"""Train the cue detector (claimgraph.attribution.cue_model) on PolNeAR's train split.

    python scripts/train_cue_model.py ../shared/eval/polnear/train -o src/claimgraph/data/cue_model.json

Every candidate word of the parsed training articles (same spaCy model and
paragraph splitting as the pipeline) is an example; it is positive when it
heads a gold cue. The output holds feature weights only, never article text,
and is the same on every run over the same data.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from claimgraph.attribution.cue_model import features as cue_features
from claimgraph.attribution.cue_model import is_candidate, train
from claimgraph.attribution.quotes import find_quotes
from claimgraph.evaluate.polnear import load_polnear
from claimgraph.nlp import DEFAULT_MODEL, load_nlp, paragraph_doc


def examples_from(
    split_dir: Path, model: str = DEFAULT_MODEL, limit: int | None = None
) -> list[tuple[list[str], bool]]:
    """(features, is the head of a gold cue) for every candidate word of the split."""
    corpus = load_polnear(split_dir, limit=limit)
    nlp = load_nlp(model)
    out: list[tuple[list[str], bool]] = []
    docs = [(paragraph_doc(nlp, a.document.text), a) for a in corpus.articles]
    for doc, article in nlp.pipe(docs, as_tuples=True, batch_size=32):
        heads: set[int] = set()
        for att in article.attributions:
            cue = att.of("cue")
            if cue:
                span = doc.char_span(cue[0].start, cue[-1].end, alignment_mode="expand")
                if span is not None:
                    heads.add(span.root.i)
        quotes = find_quotes(doc.text)
        for tok in doc:
            if is_candidate(tok):
                out.append((cue_features(tok, quotes), tok.i in heads))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("split_dir", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    args = parser.parse_args(argv)
    examples = examples_from(args.split_dir, limit=args.limit)
    model = train(examples)
    payload = {
        "_about": "Cue detector weights trained by scripts/train_cue_model.py on PolNeAR train.",
        "examples": len(examples),
        "positives": sum(1 for _, y in examples if y),
        **model.to_json(),
    }
    args.output.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(model.weights)} weights from {len(examples)} examples -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
