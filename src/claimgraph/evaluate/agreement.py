"""How far PolNeAR's own annotators agree: the ceiling an attribution system is measured under.

Some PolNeAR articles were marked by two or more annotators (``NAME_A.ann``, ``NAME_B.ann``).
On each, the second annotation (in file-name order) is scored as if it were a system's
output against the first, with the matching and figures of ``evaluate.polnear``
(``score_document``), and the counts are summed over those articles. PolNeAR's splits
are used in full for that: ``claimgraph eval polnear DIR --agreement``.
"""

from __future__ import annotations

from pathlib import Path

from claimgraph.evaluate.brat import GoldAttribution, parse_ann
from claimgraph.evaluate.common import read_text
from claimgraph.evaluate.polnear import (
    PolnearArticle,
    PolnearCorpus,
    PolnearResult,
    score_document,
    split_files,
    summarize,
)
from claimgraph.model import Claim, Document

PREFIX = "polnear.agreement."


def as_claims(attributions: list[GoldAttribution], name: str) -> list[Claim]:
    """One annotator's attributions in the shape of predicted claims."""
    return [
        Claim(
            id=f"{name}/{g.id}",
            document=name,
            content=list(g.of("content")),
            cue=list(g.of("cue")),
            source_mentions=list(g.of("source")),
            chain=[],
            mode="paraphrase",
            hedged=False,
        )
        for g in attributions
    ]


def annotator_agreement(directory: Path) -> PolnearResult:
    """Score the second annotator against the first on every doubly annotated article."""
    text_dir, by_article = split_files(directory)
    corpus = PolnearCorpus(articles=[])
    scores = []
    for article, paths in sorted(by_article.items()):
        text_path = text_dir / f"{article}.txt"
        if len(paths) < 2 or not text_path.is_file():
            continue
        text = read_text(text_path)
        first, second = (parse_ann(read_text(p), p.name) for p in paths[:2])
        corpus.articles.append(
            PolnearArticle(
                name=article,
                document=Document(text=text, path=str(text_path)),
                annotation=paths[0].name,
                attributions=first.attributions,
                problems=[*first.problems, *second.problems],
                mismatches=[],
            )
        )
        scores.append(
            score_document(article, text, first.attributions, as_claims(second.attributions, article))
        )
    result = summarize(directory, corpus, scores)
    result.title = "PolNeAR annotator agreement (second annotator scored against the first)"
    result.figures = {PREFIX + k.removeprefix("polnear."): v for k, v in result.figures.items()}
    result.counts = {
        PREFIX + k.removeprefix("polnear."): v
        for k, v in result.counts.items()
        if not k.startswith(("polnear.texts.", "polnear.annotations."))
    }
    return result
