"""Story clustering scores (pairwise and B-cubed) and the PolNeAR dev measurement."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.errors import EvalError
from claimgraph.evaluate.stories import evaluate_polnear_stories, parse_story_gold, score_stories

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

GOLD = {
    "format": "stories/1",
    "stories": [{"id": "s1", "documents": ["a", "b", "c"], "copies": [], "cites": [["b", "a"]]}],
    "singletons": ["d", "e"],
}


def test_perfect_and_all_singleton_predictions() -> None:
    gold = parse_story_gold(GOLD, "gold")
    perfect = score_stories([["a", "b", "c"], ["d"], ["e"]], gold)
    assert perfect["pairwise F1"] == 1.0 and perfect["B-cubed F1"] == 1.0
    alone = score_stories([], gold)
    assert alone["pairwise F1"] == 0.0
    # recall per document: a, b, c each 1/3 of their gold story; d, e 1
    assert alone["B-cubed precision"] == 1.0 and alone["B-cubed recall"] == pytest.approx(3 / 5)


def test_partial_prediction_counts_pairs() -> None:
    gold = parse_story_gold(GOLD, "gold")
    got = score_stories([["a", "b", "d"], ["zzz", "c"]], gold)  # unknown names are ignored
    # predicted pairs: ab, ad, bd -> one right; gold pairs: ab, ac, bc
    assert got["pairwise precision"] == pytest.approx(1 / 3)
    assert got["pairwise recall"] == pytest.approx(1 / 3)


def test_malformed_gold_raises() -> None:
    with pytest.raises(EvalError):
        parse_story_gold({"format": "other"}, "g")
    with pytest.raises(EvalError):
        parse_story_gold({"format": "stories/1", "stories": [{"documents": ["a"]}], "singletons": ["a"]}, "g")
    with pytest.raises(EvalError):
        parse_story_gold({"format": "stories/1", "stories": [{"documents": []}]}, "g")


@pytest.mark.shared
def test_polnear_dev_story_clustering() -> None:
    gold_path = SHARED / "eval" / "polnear" / "dev_stories.json"
    if not gold_path.is_file():
        pytest.skip(f"PolNeAR story gold not found at {gold_path}")
    from claimgraph.linking import story_groups

    result = evaluate_polnear_stories(gold_path, story_groups)
    # Measured 0.545 (P 0.75, R 0.43) with text only; the floor leaves room for noise.
    assert result.figures["pairwise F1"] >= 0.4
    assert result.figures["B-cubed F1"] >= 0.9
    assert result.counts["documents"] == 84
