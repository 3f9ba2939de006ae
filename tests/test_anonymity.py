"""Anonymous sources: how mentions are typed, and the anonymity evaluator.

The evaluator tests build a tiny PolNeAR-shaped directory of fictional text in
``tmp_path`` and use a fake analysis, so they load no parser. The typing tests run
fictional sentences through the real pipeline. One ``shared`` test checks the
project's dev annotation against the PolNeAR dev Source spans it labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimgraph.errors import EvalError
from claimgraph.evaluate.anonymity import (
    GoldSource,
    Pair,
    SystemMention,
    default_gold_path,
    evaluate_anonymity,
    gate_figures,
    load_gold,
    match,
    score,
)
from claimgraph.evaluate.brat import parse_ann
from claimgraph.evaluate.polnear import load_polnear
from claimgraph.model import SOURCE_KINDS, Document, DocumentAnalysis, Source, Span

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
ANNOTATION = REPO / "eval" / "anonymity" / "polnear_dev_sources.jsonl"


def gold(start: int, end: int, anonymous: bool, kind: str = "anonymous", file: str = "a") -> GoldSource:
    return GoldSource(file=file, span=Span(start, end), anonymous=anonymous, kind=kind, line=1)


def said(start: int, end: int, anonymous: bool, kind: str = "anonymous") -> SystemMention:
    return SystemMention(span=Span(start, end), anonymous=anonymous, kind=kind, source="s")


# --- matching and scoring (no parser) ----------------------------------------------------


def test_match_pairs_one_to_one_by_most_shared_characters() -> None:
    golds = [gold(0, 10, True), gold(8, 20, False)]
    mentions = [said(9, 20, False), said(0, 9, True)]
    pairs = match(golds, mentions)
    assert [p.system for p in pairs] == [mentions[1], mentions[0]]


def test_a_gold_span_nothing_overlaps_is_unmatched() -> None:
    (pair,) = match([gold(0, 5, True)], [said(6, 9, True)])
    assert pair.system is None


def test_score_counts_anonymous_as_the_positive_class() -> None:
    pairs = [
        Pair(gold(0, 1, True), said(0, 1, True)),  # tp
        Pair(gold(2, 3, True), said(2, 3, False, "person")),  # fn, kind wrong
        Pair(gold(4, 5, False, "person"), said(4, 5, True)),  # fp, kind wrong
        Pair(gold(6, 7, False, "outlet"), said(6, 7, False, "outlet")),  # tn
        Pair(gold(8, 9, True), None),  # unmatched: only coverage
    ]
    figures, counts = score(pairs, system_total=7)
    assert figures["anonymity.precision"] == pytest.approx(0.5)
    assert figures["anonymity.recall"] == pytest.approx(0.5)
    assert figures["anonymity.coverage"] == pytest.approx(0.8)
    assert figures["anonymity.kind"] == pytest.approx(0.5)
    assert (counts["anonymity.tp"], counts["anonymity.fp"], counts["anonymity.fn"]) == (1, 1, 1)
    assert counts["anonymity.system.mentions"] == 7


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("not json", "not a gold source line"),
        ('{"file": "a", "start": 0, "end": 3, "anonymous": true}', "not a gold source line"),
        ('{"file": "a", "start": 0, "end": 3, "anonymous": true, "kind": "ghost"}', "unknown kind"),
        (
            '{"file": "a", "start": 5, "end": 3, "anonymous": true, "kind": "person"}',
            "not a gold source line",
        ),
    ],
)
def test_a_bad_gold_line_names_its_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        '{"file": "a", "start": 0, "end": 3, "anonymous": false, "kind": "person"}\n' + line + "\n"
    )
    with pytest.raises(EvalError, match=f"gold.jsonl:2: {problem}"):
        load_gold(path)


ARTICLE = "Aides said the bridge was shut. Mayor Lea Dorn said it was open. She added more.\n"


def polnear_dir(root: Path) -> Path:
    """A one-article PolNeAR-shaped split with three Source spans (fictional text)."""
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "bridge.txt").write_text(ARTICLE, encoding="utf-8")
    rows = []
    for n, words in enumerate(["Aides", "Mayor Lea Dorn", "She"], start=1):
        start = ARTICLE.index(words)
        rows.append(f"T{n}\tSource {start} {start + len(words)}\t{words}")
    (root / "attributions" / "bridge_x.ann").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def fake_analysis(sources: dict[str, tuple[bool, str]]) -> object:
    """An analysis that gives one Source per listed mention text: (anonymous, kind)."""

    def analyze(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for d in documents:
            found = [
                Source(
                    id=f"s{n}",
                    document=d.id,
                    kind=kind,
                    anonymous=anonymous,
                    mentions=[Span(d.text.index(words), d.text.index(words) + len(words))],
                )
                for n, (words, (anonymous, kind)) in enumerate(sources.items())
            ]
            yield DocumentAnalysis(document=d, sources=found)

    return analyze


def test_evaluate_anonymity_end_to_end_on_a_fake_split(tmp_path: Path) -> None:
    split = polnear_dir(tmp_path / "dev")
    labels = [("Aides", True, "anonymous"), ("Mayor Lea Dorn", False, "person"), ("She", False, "person")]
    lines = [
        json.dumps(
            {
                "file": "bridge",
                "start": ARTICLE.index(w),
                "end": ARTICLE.index(w) + len(w),
                "anonymous": a,
                "kind": k,
            }
        )
        for w, a, k in labels
    ]
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("\n".join(lines) + "\n")
    analyze = fake_analysis({"Aides": (True, "anonymous"), "Lea Dorn": (False, "organisation")})
    result = evaluate_anonymity(gold_path, split, analyze)  # type: ignore[arg-type]
    assert result.figures["anonymity.precision"] == 1.0
    assert result.figures["anonymity.recall"] == 1.0
    assert result.figures["anonymity.coverage"] == pytest.approx(2 / 3)
    assert result.figures["anonymity.kind"] == pytest.approx(0.5)
    text = result.format(verbose=True)
    assert "unmatched" in text and "named person → named organisation" in text


def test_evaluate_anonymity_refuses_an_article_the_split_lacks(tmp_path: Path) -> None:
    split = polnear_dir(tmp_path / "dev")
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text(
        '{"file": "elsewhere", "start": 0, "end": 3, "anonymous": true, "kind": "anonymous"}\n'
    )
    with pytest.raises(EvalError, match="not in"):
        evaluate_anonymity(gold_path, split, fake_analysis({}))  # type: ignore[arg-type]


def test_gate_figures_score_the_split_under_shared(tmp_path: Path) -> None:
    polnear_dir(tmp_path / "shared" / "eval" / "polnear" / "dev")
    start = ARTICLE.index("Aides")
    gold_path = tmp_path / "gold.jsonl"
    line = {"file": "bridge", "start": start, "end": start + 5, "anonymous": True, "kind": "anonymous"}
    gold_path.write_text(json.dumps(line) + "\n")
    analyze = fake_analysis({"Aides": (True, "anonymous")})
    figures = gate_figures(tmp_path / "shared", analyze, gold_path)  # type: ignore[arg-type]
    assert (figures["anonymity.precision"], figures["anonymity.recall"]) == (1.0, 1.0)


def test_gate_figures_are_empty_without_the_split(tmp_path: Path) -> None:
    assert gate_figures(tmp_path, fake_analysis({})) == {}  # type: ignore[arg-type]


def test_the_default_gold_is_the_checkouts_annotation() -> None:
    assert default_gold_path() == ANNOTATION


# --- typing mentions through the pipeline (fictional sentences) ---------------------------


def only_source(pipeline: Pipeline, text: str) -> tuple[Source, str]:
    da = pipeline.analyze(Document(text=text, path="test.txt"))
    assert len(da.claims) == 1, [(c.cue, c.content) for c in da.claims]
    claim = da.claims[0]
    src = da.source(claim.source or "")
    assert src is not None
    return src, " | ".join(m.text(text) for m in claim.source_mentions)


@pytest.mark.parametrize(
    ("text", "mention", "kind", "anonymous"),
    [
        ("Republicans said the vote on the dam had been rigged.", "Republicans", "anonymous", True),
        ("Some said the ferry would never sail again.", "Some", "anonymous", True),
        ("Twelve percent said they had not decided.", "Twelve percent", "anonymous", True),
        ("A group of doctors wrote that the new drug was unsafe.", "A group of doctors", "anonymous", True),
        ("Polls show the race for the harbour seat is tight.", "Polls", "anonymous", True),
        (
            "Supporters of Mayor Anna Pell said the budget was fair.",
            "Supporters of Mayor Anna Pell",
            "anonymous",
            True,
        ),
        (
            "Sources close to the governor said the ferry contract would be cancelled.",
            "Sources close to the governor",
            "anonymous",
            True,
        ),
        (
            "An aide, who spoke on condition of anonymity, said the talks had stalled.",
            "An aide",
            "anonymous",
            True,
        ),
        (
            "Critics of the ferry plan, like Senator Ann Lo, said it was too costly.",
            "Critics of the ferry plan, like Senator Ann Lo",
            "person",
            False,
        ),
        ("Her daughter said the school would close in June.", "Her daughter", "person", False),
        ("The minister said the border would stay shut.", "The minister", "person", False),
        ("A Politico report says the governor will resign.", "A Politico report", "outlet", False),
        ("The Lantern Post reported that the mine would close.", "The Lantern Post", "outlet", False),
    ],
)
def test_source_anonymity_and_kind(
    pipeline: Pipeline, text: str, mention: str, kind: str, anonymous: bool
) -> None:
    src, said_by = only_source(pipeline, text)
    assert said_by.startswith(mention.split(",")[0]), said_by
    assert (src.kind, src.anonymous) == (kind, anonymous)
    if anonymous:
        assert src.descriptor and src.key is None


def test_a_named_member_names_the_group(pipeline: Pipeline) -> None:
    src, _ = only_source(pipeline, "Critics of the ferry plan, like Senator Ann Lo, said it was too costly.")
    assert src.name == "Ann Lo"


def test_a_member_named_after_the_verb_names_the_group(pipeline: Pipeline) -> None:
    # the parser hangs 'including …' on the object, not on the group
    src, _ = only_source(pipeline, "Critics have said the same thing, including Senator Rob Vale.")
    assert (src.kind, src.anonymous, src.name) == ("person", False, "Rob Vale")
    src, _ = only_source(
        pipeline, "A chorus of critics has said the same thing, including the cost of the pier."
    )
    assert (src.kind, src.anonymous) == ("anonymous", True)


# --- the dev annotation (../shared) --------------------------------------------------------


@pytest.mark.shared
def test_the_dev_annotation_labels_every_polnear_dev_source_span_once() -> None:
    dev = SHARED / "eval" / "polnear" / "dev"
    if not dev.is_dir():
        pytest.skip(f"evaluation data not found at {dev} (../shared beside the repository)")
    labelled = load_gold(ANNOTATION)
    corpus = load_polnear(dev)
    spans: set[tuple[str, int, int]] = set()
    for article in corpus.articles:
        ann = parse_ann(
            (dev / "attributions" / article.annotation).read_text(encoding="utf-8"), article.annotation
        )
        spans |= {
            (article.name, s.start, s.end)
            for b in ann.bounds.values()
            if b.label == "Source"
            for s in b.spans
        }
    keys = [(g.file, g.span.start, g.span.end) for g in labelled]
    assert len(keys) == len(set(keys))
    assert set(keys) == spans
    assert all(g.kind in SOURCE_KINDS for g in labelled)
    assert all((g.kind == "anonymous") == g.anonymous for g in labelled)


def test_the_dev_annotation_holds_offsets_and_labels_only() -> None:
    records = ANNOTATION.read_text(encoding="utf-8").splitlines()
    assert records, ANNOTATION
    for line in records:
        assert set(json.loads(line)) == {"file", "start", "end", "anonymous", "kind"}
