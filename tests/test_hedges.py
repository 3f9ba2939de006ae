"""Hedging: the article distancing itself from a claim (fictional sentences).

Each case names the words that hedge; the plain counterpart of each is not hedged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from claimgraph.model import Document

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline


@pytest.mark.parametrize(
    ("text", "hedged", "hedge"),
    [
        ("A mysterious report in the Northern Courier says the dam was sabotaged.", True, "mysterious"),
        ("A report in the Northern Courier says the dam was sabotaged.", False, None),
        ("The Daily Ledger claims that the dam was sabotaged.", True, None),
        ("The Daily Ledger says that the dam was sabotaged.", False, None),
        (
            "An official said the dam was sabotaged. The claim could not be independently verified.",
            True,
            "could not be independently verified",
        ),
        ("The rebels allegedly said the dam was sabotaged.", True, "allegedly"),
    ],
)
def test_hedged(pipeline: Pipeline, text: str, hedged: bool, hedge: str | None) -> None:
    da = pipeline.analyze(Document(text=text, path="test.txt"))
    claim = da.claims[0]
    assert claim.hedged is hedged
    if hedge is not None:
        assert hedge in [h.text(text).lower() for h in claim.hedges]
    if not hedged:
        assert claim.hedges == [] and "hedged_by" not in claim.explanation
