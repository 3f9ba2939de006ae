"""Score story clustering against a ``stories/1`` gold file (e.g. PolNeAR's ``dev_stories.json``).

Gold: ``stories[]`` (each with ``documents``, file stems) and ``singletons``. A prediction
is a list of groups of the same stems; stems the gold does not know are ignored, and
gold stems missing from the prediction count as singletons.

- Pairwise: precision = predicted same-story pairs that are gold pairs / predicted pairs;
  recall = the same / gold pairs (all-singletons scores 0).
- B-cubed: per document, precision = |its predicted group ∩ its gold group| / |predicted
  group|, recall = the same / |gold group|; averaged over documents.

``evaluate_polnear_stories`` reads the PolNeAR texts and ``metadata.tsv`` (publisher and
date of each article), runs the linker's story grouping and scores it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import AnalyzeFn, analyze_in_order, f1, format_lines, ratio, read_text
from claimgraph.model import Document, DocumentAnalysis

FORMAT = "stories/1"


@dataclass(frozen=True, slots=True)
class StoryGold:
    """Gold groups (stories of two or more documents, then singletons), by document name."""

    groups: list[list[str]]
    copies: list[tuple[str, str]] = field(default_factory=list)
    cites: list[tuple[str, str]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [n for g in self.groups for n in g]


def _pairs(raw: Any, where: str) -> list[tuple[str, str]]:
    if not isinstance(raw, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in raw
    ):
        raise EvalError(f"{where}: expected a list of [name, name] pairs")
    return [(p[0], p[1]) for p in raw]


def parse_story_gold(data: Any, path: str) -> StoryGold:
    """A StoryGold from decoded JSON; EvalError names what is malformed."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise EvalError(f"{path}: not a {FORMAT} file")
    stories = data.get("stories", [])
    singletons = data.get("singletons", [])
    if not isinstance(stories, list) or not isinstance(singletons, list):
        raise EvalError(f"{path}: 'stories' and 'singletons' must be lists")
    groups: list[list[str]] = []
    copies: list[tuple[str, str]] = []
    cites: list[tuple[str, str]] = []
    for i, story in enumerate(stories):
        docs = story.get("documents") if isinstance(story, dict) else None
        if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
            raise EvalError(f"{path}: stories[{i}] needs a non-empty list of 'documents'")
        groups.append(list(docs))
        copies.extend(_pairs(story.get("copies", []), f"{path}: stories[{i}].copies"))
        cites.extend(_pairs(story.get("cites", []), f"{path}: stories[{i}].cites"))
    if not all(isinstance(s, str) for s in singletons):
        raise EvalError(f"{path}: 'singletons' must be names")
    groups.extend([s] for s in singletons)
    seen: set[str] = set()
    for name in (n for g in groups for n in g):
        if name in seen:
            raise EvalError(f"{path}: {name} is in more than one group")
        seen.add(name)
    return StoryGold(groups=groups, copies=copies, cites=cites)


def load_story_gold(path: Path) -> StoryGold:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path}: invalid JSON ({exc.msg}, line {exc.lineno})") from exc
    return parse_story_gold(data, str(path))


def _membership(groups: Iterable[Sequence[str]], universe: set[str]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for group in groups:
        members = frozenset(n for n in group if n in universe)
        for n in members:
            out[n] = members
    for n in universe - out.keys():
        out[n] = frozenset([n])
    return out


def score_stories(predicted: Iterable[Sequence[str]], gold: StoryGold) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of ``predicted`` groups."""
    universe = set(gold.names)
    pred = _membership(predicted, universe)
    true = _membership(gold.groups, universe)
    pred_pairs = {frozenset(p) for g in set(pred.values()) for p in combinations(sorted(g), 2)}
    gold_pairs = {frozenset(p) for g in set(true.values()) for p in combinations(sorted(g), 2)}
    hits = len(pred_pairs & gold_pairs)
    p, r = ratio(hits, len(pred_pairs)), ratio(hits, len(gold_pairs))
    n = len(universe)
    bp = ratio(sum(len(pred[d] & true[d]) / len(pred[d]) for d in universe), n)
    br = ratio(sum(len(pred[d] & true[d]) / len(true[d]) for d in universe), n)
    return {
        "pairwise precision": p,
        "pairwise recall": r,
        "pairwise F1": f1(p, r),
        "B-cubed precision": bp,
        "B-cubed recall": br,
        "B-cubed F1": f1(bp, br),
    }


@dataclass(slots=True)
class StoriesResult:
    figures: dict[str, float]
    counts: dict[str, int]
    predicted: list[list[str]]

    def lines(self) -> list[str]:
        return format_lines(self.figures, self.counts)


def read_metadata(path: Path) -> dict[str, dict[str, str]]:
    """PolNeAR ``metadata.tsv`` rows by file name (empty when the file is absent)."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t") if row.get("filename")}


def polnear_documents(directory: Path, names: Sequence[str], metadata: Path | None = None) -> list[Document]:
    """Documents for ``names`` from ``directory/text/NAME.txt``, with publisher and date when known."""
    meta = read_metadata(metadata) if metadata else {}
    out: list[Document] = []
    for name in names:
        row = meta.get(name, {})
        published = row.get("publication_date") or None
        out.append(
            Document(
                text=read_text(directory / "text" / f"{name}.txt"),
                path=name,
                title=row.get("title") or None,
                outlet=row.get("publisher") or None,
                published=published if published and published[:4].isdigit() else None,
                meta={"name": name},
            )
        )
    return out


GroupFn = Callable[[Sequence[DocumentAnalysis]], list[list[str]]]


def evaluate_polnear_stories(
    gold_path: Path, group: GroupFn, analyze: AnalyzeFn | None = None, split: str = "dev"
) -> StoriesResult:
    """Group the gold's PolNeAR articles with ``group`` (document ids in, id groups out) and score.

    ``analyze`` runs attribution first (so source keys take part); without it the documents
    go in with their text only.
    """
    gold = load_story_gold(gold_path)
    base = gold_path.parent
    documents = polnear_documents(base / split, gold.names, base / "metadata.tsv")
    analyses = analyze_in_order(documents, analyze) if analyze else [DocumentAnalysis(d) for d in documents]
    name_of = {da.document.id: str(da.document.meta.get("name", da.document.id)) for da in analyses}
    predicted = [[name_of[d] for d in g] for g in group(analyses)]
    figures = score_stories(predicted, gold)
    counts = {
        "documents": len(documents),
        "gold stories": sum(len(g) > 1 for g in gold.groups),
        "predicted stories": sum(len(g) > 1 for g in predicted),
    }
    return StoriesResult(figures=figures, counts=counts, predicted=predicted)
