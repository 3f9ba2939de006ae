"""Train the cue detector (claimgraph.attribution.cue_model) and the cue extent model
(claimgraph.attribution.cue_extent) on PolNeAR's train split.

    python scripts/train_cue_model.py ../shared/eval/polnear/train \
        -o src/claimgraph/data/cue_model.json --cue-extent-output src/claimgraph/data/cue_extent.json

Cue detector: every candidate word of the parsed training articles (same spaCy model and
paragraph splitting as the pipeline) is an example; it is positive when it heads a gold cue.

Cue extent: the rules run over the same articles with the new detector; every candidate
split of a cue whose cue shares characters with a gold cue (``cue_extent.splits``) is an
example, positive when the split gives exactly the gold cue.

The outputs hold feature weights and counts only, never article text, and are the same on
every run over the same data.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from claimgraph.attribution import cue_extent, load_lexicons, raw_attributions
from claimgraph.attribution.cue_model import CueModel, is_candidate, train
from claimgraph.attribution.cue_model import features as cue_features
from claimgraph.attribution.quotes import find_quotes
from claimgraph.evaluate.common import normalize_spans
from claimgraph.evaluate.polnear import PolnearArticle, load_polnear, match_by_cue
from claimgraph.nlp import DEFAULT_MODEL, load_nlp, paragraph_doc

if TYPE_CHECKING:
    from spacy.tokens import Doc

Examples = list[tuple[list[str], bool]]


def parsed_split(
    split_dir: Path, model: str = DEFAULT_MODEL, limit: int | None = None
) -> list[tuple[Doc, PolnearArticle]]:
    """The split's articles with their parses (as the pipeline parses them)."""
    corpus = load_polnear(split_dir, limit=limit)
    nlp = load_nlp(model)
    docs = [(paragraph_doc(nlp, a.document.text), a) for a in corpus.articles]
    return list(nlp.pipe(docs, as_tuples=True, batch_size=32))


def cue_examples(parsed: list[tuple[Doc, PolnearArticle]]) -> Examples:
    """(features, is the head of a gold cue) for every candidate word of the parsed split."""
    out: Examples = []
    for doc, article in parsed:
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


def cue_extent_examples(parsed: list[tuple[Doc, PolnearArticle]], cue_model: CueModel) -> Examples:
    """(features, does the split give the gold cue) for each candidate split of a cue."""
    lexicons = replace(load_lexicons(), cue_model=cue_model, cue_extent=None)
    out: Examples = []
    for doc, article in parsed:
        document = article.document
        text = document.text
        quotes = find_quotes(text, [r.span for r in document.removed])
        raws = raw_attributions(document, doc, lexicons, quotes)
        cued = [c for c in (normalize_spans(g.of("cue"), text) for g in article.attributions) if c]
        matches = match_by_cue(cued, [normalize_spans(r.cue, text) for r in raws])
        for p, g in matches.items():
            raw = raws[p]
            for split in cue_extent.splits(raw, doc):
                moved = replace(raw)
                cue_extent.apply(moved, doc, split)
                out.append(
                    (cue_extent.features(raw, doc, split), normalize_spans(moved.cue, text) == cued[g])
                )
    return out


def _payload(about: str, examples: Examples, model: CueModel) -> str:
    payload = {
        "_about": about,
        "examples": len(examples),
        "positives": sum(1 for _, y in examples if y),
        **model.to_json(),
    }
    return json.dumps(payload, indent=0, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("split_dir", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument(
        "--cue-extent-output", type=Path, default=None, help="also train the cue extent model"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    args = parser.parse_args(argv)
    parsed = parsed_split(args.split_dir, limit=args.limit)
    examples = cue_examples(parsed)
    model = train(examples)
    about = "Cue detector weights trained by scripts/train_cue_model.py on PolNeAR train."
    args.output.write_text(_payload(about, examples, model), encoding="utf-8")
    print(f"{len(model.weights)} weights from {len(examples)} examples -> {args.output}", file=sys.stderr)
    if args.cue_extent_output is not None:
        taken = cue_extent_examples(parsed, model)
        splits = train(taken)
        about = "Cue extent weights trained by scripts/train_cue_model.py on PolNeAR train."
        args.cue_extent_output.write_text(_payload(about, taken, splits), encoding="utf-8")
        print(
            f"{len(splits.weights)} weights from {len(taken)} examples -> {args.cue_extent_output}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
