"""Score source anonymity and kind against the project's own annotation of PolNeAR dev sources.

The gold file (``eval/anonymity/polnear_dev_sources.jsonl``, described in
``eval/anonymity/README.md``) holds one JSON object a line: ``file`` (a PolNeAR file stem),
``start``, ``end`` (a gold ``Source`` span of the annotator ``load_polnear`` uses),
``anonymous`` (bool) and ``kind`` (one of ``model.SOURCE_KINDS``). Offsets and labels only:
the article text stays in the PolNeAR directory.

Matching: every mention of every system ``Source`` of an article is a candidate, carrying
its source's ``anonymous`` flag and ``kind``. Gold spans and mentions that share characters
are paired one-to-one, most shared characters first (ties: earlier gold, earlier mention).

Figures (positive class: anonymous), over matched gold spans only:

- ``anonymity.precision`` = matched spans the system calls anonymous that the gold calls
  anonymous / matched spans the system calls anonymous
- ``anonymity.recall`` = the same numerator / matched spans the gold calls anonymous
- ``anonymity.f1``
- ``anonymity.coverage`` = matched gold spans / gold spans
- ``anonymity.kind`` = matched spans with the gold kind / matched spans
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import AnalyzeFn, analyze_in_order, clip, f1, format_lines, ratio, read_text
from claimgraph.evaluate.polnear import load_polnear, match_by_cue
from claimgraph.model import SOURCE_KINDS, DocumentAnalysis, Span

POLNEAR_DEV = Path("eval") / "polnear" / "dev"


@dataclass(frozen=True, slots=True)
class GoldSource:
    """One labelled gold Source span."""

    file: str
    span: Span
    anonymous: bool
    kind: str
    line: int


@dataclass(frozen=True, slots=True)
class SystemMention:
    """One mention of a system Source, with what the system says of its source."""

    span: Span
    anonymous: bool
    kind: str
    source: str


@dataclass(frozen=True, slots=True)
class Pair:
    gold: GoldSource
    system: SystemMention | None


@dataclass(slots=True)
class AnonymityResult:
    """Figures (fractions), counts, and every gold span's outcome for diagnostics."""

    gold_path: str
    figures: dict[str, float]
    counts: dict[str, int]
    pairs: list[Pair] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def format(self, verbose: bool = False) -> str:
        lines = [f"Source anonymity: {self.gold_path}", *format_lines(self.figures, self.counts)]
        if verbose:
            lines.append("errors (file start-end: gold → system):")
            for p in self.pairs:
                g, s = p.gold, p.system
                if s is not None and s.anonymous == g.anonymous and s.kind == g.kind:
                    continue
                said = "unmatched" if s is None else f"{'anon' if s.anonymous else 'named'} {s.kind}"
                words = clip(g.span.text(self.texts.get(g.file, "")), 50)
                gold = f"{'anon' if g.anonymous else 'named'} {g.kind}"
                lines.append(f"  {g.file} {g.span.start}-{g.span.end} {words!r}: {gold} → {said}")
        return "\n".join(lines)


def load_gold(path: Path) -> list[GoldSource]:
    """Read the anonymity annotation; raises ``EvalError`` naming the first bad line."""
    out: list[GoldSource] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = GoldSource(
                file=str(row["file"]),
                span=Span(int(row["start"]), int(row["end"])),
                anonymous=bool(row["anonymous"]),
                kind=str(row["kind"]),
                line=number,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalError(f"{path}:{number}: not a gold source line ({exc})") from exc
        if item.kind not in SOURCE_KINDS:
            raise EvalError(f"{path}:{number}: unknown kind {item.kind!r}")
        out.append(item)
    return out


def system_mentions(result: DocumentAnalysis) -> list[SystemMention]:
    """Every mention of every Source of one analysed document."""
    return [
        SystemMention(span=m, anonymous=s.anonymous, kind=s.kind, source=s.id)
        for s in result.sources
        for m in s.mentions
    ]


def match(gold: Sequence[GoldSource], mentions: Sequence[SystemMention]) -> list[Pair]:
    """Pair gold spans and system mentions one-to-one by most shared characters (the PolNeAR
    scorer's matching, ``polnear.match_by_cue``)."""
    chosen = {g: m for m, g in match_by_cue([[g.span] for g in gold], [[m.span] for m in mentions]).items()}
    return [Pair(g, mentions[chosen[gi]] if gi in chosen else None) for gi, g in enumerate(gold)]


def score(pairs: Sequence[Pair], system_total: int = 0) -> tuple[dict[str, float], dict[str, int]]:
    """Figures and counts of a list of outcomes (see the module docstring)."""
    matched = [(p.gold, p.system) for p in pairs if p.system is not None]
    tp = sum(1 for g, s in matched if g.anonymous and s.anonymous)
    fp = sum(1 for g, s in matched if not g.anonymous and s.anonymous)
    fn = sum(1 for g, s in matched if g.anonymous and not s.anonymous)
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    kind_right = sum(1 for g, s in matched if g.kind == s.kind)
    figures = {
        "anonymity.precision": precision,
        "anonymity.recall": recall,
        "anonymity.f1": f1(precision, recall),
        "anonymity.coverage": ratio(len(matched), len(pairs)),
        "anonymity.kind": ratio(kind_right, len(matched)),
    }
    counts = {
        "anonymity.gold": len(pairs),
        "anonymity.gold.anonymous": sum(1 for p in pairs if p.gold.anonymous),
        "anonymity.matched": len(matched),
        "anonymity.matched.anonymous": sum(1 for g, _ in matched if g.anonymous),
        "anonymity.tp": tp,
        "anonymity.fp": fp,
        "anonymity.fn": fn,
        "anonymity.system.mentions": system_total,
    }
    return figures, counts


def evaluate_anonymity(gold_path: Path, polnear_dir: Path, analyze: AnalyzeFn) -> AnonymityResult:
    """Analyse the PolNeAR articles the gold file names and score anonymity and kind.

    Raises ``EvalError`` when the gold file is malformed or names an article the PolNeAR
    directory lacks, or when a gold span runs past its article's end.
    """
    gold = load_gold(gold_path)
    corpus = load_polnear(polnear_dir)
    by_name = {a.name: a for a in corpus.articles}
    wanted = sorted({g.file for g in gold})
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise EvalError(f"{gold_path}: {len(missing)} article(s) not in {polnear_dir}, e.g. {missing[0]}")
    articles = [by_name[name] for name in wanted]
    results = analyze_in_order([a.document for a in articles], analyze)
    pairs: list[Pair] = []
    texts: dict[str, str] = {}
    system_total = 0
    for article, result in zip(articles, results, strict=True):
        text = article.document.text
        texts[article.name] = text
        items = [g for g in gold if g.file == article.name]
        for g in items:
            if g.span.end > len(text):
                raise EvalError(f"{gold_path}:{g.line}: span runs past the end of {article.name}")
        mentions = system_mentions(result)
        system_total += len(mentions)
        pairs.extend(match(items, mentions))
    figures, counts = score(pairs, system_total)
    counts["anonymity.documents"] = len(articles)
    return AnonymityResult(str(gold_path), figures, counts, pairs, texts)


def default_gold_path() -> Path:
    """``eval/anonymity/polnear_dev_sources.jsonl`` of the source checkout (editable install)."""
    return Path(__file__).resolve().parents[3] / "eval" / "anonymity" / "polnear_dev_sources.jsonl"


def gate_figures(shared_dir: Path, analyze: AnalyzeFn, gold_path: Path | None = None) -> dict[str, float]:
    """The anonymity figures for the CI gate: the annotation scored on ``shared/eval/polnear/dev``.

    Returns no figures when the PolNeAR dev split is absent or holds none of the
    annotated articles (a stand-in split, as in the tests); a floored figure then fails the
    gate as missing, like the other corpora. A split holding only some of them is an error.
    """
    polnear_dir = shared_dir / POLNEAR_DEV
    gold = gold_path or default_gold_path()
    if not polnear_dir.is_dir() or not gold.is_file():
        return {}
    texts = polnear_dir / "text"
    if not any((texts / f"{g.file}.txt").is_file() for g in load_gold(gold)):
        return {}
    return evaluate_anonymity(gold, polnear_dir, analyze).figures
