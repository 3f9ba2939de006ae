"""Score attribution against PolNeAR (brat standoff): exact and token-overlap P/R/F1 per span kind.

Reads ``DIR/text/NAME.txt`` and ``DIR/attributions/NAME_ANNOTATOR.ann``. When several
annotators marked one article, the alphabetically first ``.ann`` file is used and the
others are counted as unused.

Matching: a prediction is a ``Claim`` whose mode is not ``unattributed`` and whose cue
is not empty; a gold attribution needs a cue (those without one are counted and left
out, since nothing can match them). Prediction/gold pairs whose cues share characters
are taken greedily, most shared cue characters first (ties: earlier gold, then earlier
prediction), each gold and each prediction at most once. The same matching serves
every kind and both scores.

Exact, per kind K (cue, source, content): both span lists are normalised
(``normalize_spans``: whitespace trimmed, punctuation kept, sorted, merged). TP = matched
pairs whose K lists are non-empty and equal; predicted = predictions with a non-empty
K list; gold = gold attributions with a non-empty K list.

Token overlap, per kind K: precision = word tokens of a prediction's K spans that are
also in its matched gold's K spans (0 when unmatched), summed, over all predicted K
tokens; recall = the same sum over all gold K tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.evaluate.brat import KINDS, GoldAttribution, parse_ann, span_text_mismatches
from claimgraph.evaluate.common import (
    AnalyzeFn,
    analyze_in_order,
    f1,
    format_lines,
    normalize_spans,
    overlap_chars,
    ratio,
    read_text,
    tokens_in,
    word_tokens,
)
from claimgraph.model import Claim, Document, Span


@dataclass(slots=True)
class PolnearArticle:
    """One article with the attributions of the annotator used."""

    name: str
    document: Document
    annotation: str  # file name of the .ann used
    attributions: list[GoldAttribution]
    problems: list[str]  # lines of the .ann that could not be used
    mismatches: list[str]  # spans whose offsets do not give back their text


@dataclass(slots=True)
class PolnearCorpus:
    articles: list[PolnearArticle]
    unannotated: list[str] = field(default_factory=list)  # texts with no .ann
    orphans: list[str] = field(default_factory=list)  # .ann files with no text
    unused: list[str] = field(default_factory=list)  # other annotators' .ann files


def split_files(directory: Path) -> tuple[Path, dict[str, list[Path]]]:
    """A PolNeAR split's ``text/`` directory and its ``.ann`` files by article name (each
    article's files in name order, one per annotator).

    Raises ``EvalError`` when the directory lacks ``text/`` or ``attributions/``.
    """
    text_dir, ann_dir = directory / "text", directory / "attributions"
    for needed in (text_dir, ann_dir):
        if not needed.is_dir():
            raise EvalError(f"{needed}: not a directory (expected a PolNeAR split)")
    by_article: dict[str, list[Path]] = {}
    for ann_path in sorted(ann_dir.glob("*.ann")):
        article = ann_path.stem.rpartition("_")[0] or ann_path.stem
        by_article.setdefault(article, []).append(ann_path)
    return text_dir, by_article


def load_polnear(directory: Path, *, limit: int | None = None) -> PolnearCorpus:
    """Read a PolNeAR split: texts in name order (the first ``limit`` of them) and their annotation.

    Raises ``EvalError`` when the directory lacks ``text/`` or ``attributions/``.
    """
    text_dir, by_article = split_files(directory)
    texts = sorted(text_dir.glob("*.txt"))
    corpus = PolnearCorpus(articles=[])
    corpus.orphans = sorted(
        p.name for a, ps in by_article.items() for p in ps if not (text_dir / f"{a}.txt").is_file()
    )
    if limit is not None:
        texts = texts[: max(limit, 0)]
    for text_path in texts:
        candidates = by_article.get(text_path.stem, [])
        if not candidates:
            corpus.unannotated.append(text_path.name)
            continue
        chosen, *others = candidates
        corpus.unused.extend(p.name for p in others)
        text = read_text(text_path)
        ann = parse_ann(read_text(chosen), chosen.name)
        corpus.articles.append(
            PolnearArticle(
                name=text_path.stem,
                document=Document(text=text, path=str(text_path)),
                annotation=chosen.name,
                attributions=ann.attributions,
                problems=ann.problems,
                mismatches=span_text_mismatches(ann, text),
            )
        )
    return corpus


@dataclass(slots=True)
class KindTally:
    """Counts for one span kind, summed over documents."""

    tp: int = 0
    predicted: int = 0
    gold: int = 0
    tokens_shared: int = 0
    tokens_predicted: int = 0
    tokens_gold: int = 0

    def add(self, other: KindTally) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold
        self.tokens_shared += other.tokens_shared
        self.tokens_predicted += other.tokens_predicted
        self.tokens_gold += other.tokens_gold


@dataclass(slots=True)
class DocumentScore:
    name: str
    gold: int
    uncued: int
    predicted: int
    ignored: int
    matched: int
    kinds: dict[str, KindTally]


def scored_claims(claims: Sequence[Claim]) -> tuple[list[Claim], int]:
    """The claims that count as predicted attributions, and how many others were ignored."""
    kept = [c for c in claims if c.mode != "unattributed" and any(len(s) for s in c.cue)]
    return kept, len(claims) - len(kept)


def _prediction_spans(claim: Claim, kind: str) -> list[Span]:
    """PolNeAR annotates no relays: its Source is whoever's cue it is. When that speaker
    only relays the origin ('RFA reported, citing a source'), the speaker is compared."""
    if kind == "source" and (speaker := claim.explanation.get("speaker")):
        return [Span(int(speaker[0]), int(speaker[1]))]
    return {"cue": claim.cue, "source": claim.source_mentions, "content": claim.content}[kind]


def match_by_cue(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> dict[int, int]:
    """Greedy one-to-one matching by shared cue characters: prediction index -> gold index."""
    pairs = [
        (-shared, g, p)
        for g, gold_cue in enumerate(gold)
        for p, pred_cue in enumerate(predicted)
        if (shared := overlap_chars(pred_cue, gold_cue)) > 0
    ]
    used_gold: set[int] = set()
    matches: dict[int, int] = {}
    for _, g, p in sorted(pairs):
        if g not in used_gold and p not in matches:
            used_gold.add(g)
            matches[p] = g
    return matches


def score_document(
    name: str, text: str, gold: Sequence[GoldAttribution], claims: Sequence[Claim]
) -> DocumentScore:
    """Match one document's predictions to its gold attributions and count per kind."""
    cued = [g for g in gold if normalize_spans(g.of("cue"), text)]
    predictions, ignored = scored_claims(claims)
    matches = match_by_cue(
        [normalize_spans(g.of("cue"), text) for g in cued],
        [normalize_spans(c.cue, text) for c in predictions],
    )
    tokens = word_tokens(text)
    kinds: dict[str, KindTally] = {}
    for kind in KINDS:
        tally = KindTally()
        gold_spans = [normalize_spans(g.of(kind), text) for g in cued]
        tally.gold = sum(1 for spans in gold_spans if spans)
        tally.tokens_gold = sum(len(tokens_in(tokens, spans)) for spans in gold_spans)
        for p, claim in enumerate(predictions):
            spans = normalize_spans(_prediction_spans(claim, kind), text)
            predicted_tokens = tokens_in(tokens, spans)
            tally.predicted += 1 if spans else 0
            tally.tokens_predicted += len(predicted_tokens)
            g = matches.get(p)
            if g is not None:
                tally.tp += 1 if spans and spans == gold_spans[g] else 0
                tally.tokens_shared += len(predicted_tokens & tokens_in(tokens, gold_spans[g]))
        kinds[kind] = tally
    return DocumentScore(
        name, len(cued), len(gold) - len(cued), len(predictions), ignored, len(matches), kinds
    )


@dataclass(slots=True)
class PolnearResult:
    """Figures (fractions) and counts of one PolNeAR run, with per-document scores for diagnostics."""

    directory: str
    figures: dict[str, float]
    counts: dict[str, int]
    documents: list[DocumentScore]
    problems: list[str]
    skipped: list[str]
    title: str = "PolNeAR attribution"

    def format(self, verbose: bool = False) -> str:
        lines = [f"{self.title}: {self.directory}", *format_lines(self.figures, self.counts)]
        if verbose:
            lines.append("per document (gold/predicted/matched, exact TP cue/source/content):")
            for d in self.documents:
                tps = "/".join(str(d.kinds[k].tp) for k in KINDS)
                lines.append(f"  {d.name}: {d.gold}/{d.predicted}/{d.matched}, TP {tps}")
            lines.extend(f"  problem: {p}" for p in self.problems)
            lines.extend(f"  skipped: {s}" for s in self.skipped)
        return "\n".join(lines)


def summarize(directory: Path, corpus: PolnearCorpus, scores: list[DocumentScore]) -> PolnearResult:
    """Sum per-document scores into figures and counts."""
    totals = {kind: KindTally() for kind in KINDS}
    for score in scores:
        for kind in KINDS:
            totals[kind].add(score.kinds[kind])
    figures: dict[str, float] = {}
    for kind in KINDS:
        t = totals[kind]
        for method, hit, predicted, gold in (
            ("exact", t.tp, t.predicted, t.gold),
            ("overlap", t.tokens_shared, t.tokens_predicted, t.tokens_gold),
        ):
            precision, recall = ratio(hit, predicted), ratio(hit, gold)
            figures[f"polnear.{kind}.{method}.precision"] = precision
            figures[f"polnear.{kind}.{method}.recall"] = recall
            figures[f"polnear.{kind}.{method}.f1"] = f1(precision, recall)
    problems = [p for a in corpus.articles for p in (*a.problems, *a.mismatches)]
    mismatches = sum(len(a.mismatches) for a in corpus.articles)
    counts: dict[str, int] = {
        "polnear.documents": len(scores),
        "polnear.gold": sum(s.gold for s in scores),
        "polnear.gold.uncued": sum(s.uncued for s in scores),
        "polnear.predicted": sum(s.predicted for s in scores),
        "polnear.predicted.ignored": sum(s.ignored for s in scores),
        "polnear.matched": sum(s.matched for s in scores),
    }
    for kind in KINDS:
        t = totals[kind]
        counts[f"polnear.{kind}.exact.tp"] = t.tp
        counts[f"polnear.{kind}.exact.fp"] = t.predicted - t.tp
        counts[f"polnear.{kind}.exact.fn"] = t.gold - t.tp
    counts["polnear.gold.span_text_mismatches"] = mismatches
    counts["polnear.gold.other_problems"] = len(problems) - mismatches
    counts["polnear.texts.unannotated"] = len(corpus.unannotated)
    counts["polnear.annotations.unused"] = len(corpus.unused)
    counts["polnear.annotations.orphan"] = len(corpus.orphans)
    skipped = (
        [f"{n}: no annotation file" for n in corpus.unannotated]
        + [f"{n}: another annotator of an article already scored" for n in corpus.unused]
        + [f"{n}: no matching text file" for n in corpus.orphans]
    )
    return PolnearResult(str(directory), figures, counts, scores, problems, skipped)


def evaluate_polnear(directory: Path, analyze: AnalyzeFn, *, limit: int | None = None) -> PolnearResult:
    """Analyze every annotated article of a PolNeAR split (the first ``limit`` texts) and score it."""
    corpus = load_polnear(directory, limit=limit)
    results = analyze_in_order([a.document for a in corpus.articles], analyze)
    scores = [
        score_document(article.name, article.document.text, article.attributions, result.claims)
        for article, result in zip(corpus.articles, results, strict=True)
    ]
    return summarize(directory, corpus, scores)
