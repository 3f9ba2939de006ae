"""Numbers in digits and words, ranges and approximators, and the noun they count."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from claimgraph.nlp import paragraph_doc
from claimgraph.quantities import Quantity, find_quantities, parse_number

if TYPE_CHECKING:
    from spacy.language import Language


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("eleven", 11),
        ("two hundred", 200),
        ("two hundred and fifty", 250),
        ("a dozen", 12),
        ("three dozen", 36),
        ("twenty-five", 25),
        ("1,500", 1500),
        ("1.5 million", 1_500_000),
        ("two thousand five hundred", 2500),
        ("a hundred", 100),
    ],
)
def test_parse_number(words: str, value: float) -> None:
    assert parse_number(words.split()) == value


@pytest.mark.parametrize("words", ["", "many", "tanks", "one tank"])
def test_parse_number_refuses_non_numbers(words: str) -> None:
    assert parse_number(words.split()) is None


def quantities(nlp: Language, text: str) -> list[tuple[str, float, bool, str | None]]:
    found: list[Quantity] = find_quantities(nlp(paragraph_doc(nlp, text)))
    return [(q.span.text(text), q.value, q.approximate, q.unit) for q in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 80 tanks crossed the river.", [("About 80", 80.0, True, "tanks")]),
        ("The convoy carried 1,200 soldiers.", [("1,200", 1200.0, False, "soldiers")]),
        ("Eleven fishermen were rescued.", [("Eleven", 11.0, False, "fishermen")]),
        ("They sent two hundred and fifty troops.", [("two hundred and fifty", 250.0, False, "troops")]),
        ("Nearly a dozen drones flew over.", [("Nearly a dozen", 12.0, True, "drones")]),
        ("Up to 3.5 million people fled.", [("Up to 3.5 million", 3_500_000.0, True, "people")]),
        ("More than 40 boats sailed.", [("More than 40", 40.0, True, "boats")]),
        ("Some 300 workers joined.", [("Some 300", 300.0, True, "workers")]),
        ("Near the dam there are now about forty tanks.", [("about forty", 40.0, True, "tanks")]),
        (
            "There were roughly two dozen armoured vehicles at the crossing.",
            [("roughly two dozen", 24.0, True, "armoured vehicles")],
        ),
        (
            "Around a hundred and twenty troops arrived.",
            [("Around a hundred and twenty", 120.0, True, "troops")],
        ),
    ],
)
def test_find_quantities(nlp: Language, text: str, expected: list[tuple[str, float, bool, str]]) -> None:
    assert quantities(nlp, text) == expected


def test_range_keeps_both_ends_and_reads_the_low_one(nlp: Language) -> None:
    text = "The camp lies 200 to 300 meters from the river."
    (q,) = find_quantities(nlp(paragraph_doc(nlp, text)))
    assert (q.span.text(text), q.value, q.low, q.high, q.approximate, q.unit) == (
        "200 to 300",
        200.0,
        200.0,
        300.0,
        True,
        "meters",
    )


def test_between_range(nlp: Language) -> None:
    text = "Between 10 and 20 ferries were idle."
    (q,) = find_quantities(nlp(paragraph_doc(nlp, text)))
    assert (q.span.text(text), q.low, q.high) == ("Between 10 and 20", 10.0, 20.0)


def test_dates_ordinals_and_ages_are_not_counts(nlp: Language) -> None:
    text = "In 2019 the third ferry carried a six-year-old boy on March 4."
    assert quantities(nlp, text) == []


def test_vague_plural_scales(nlp: Language) -> None:
    text = "Hundreds of villagers gathered."
    (q,) = find_quantities(nlp(paragraph_doc(nlp, text)))
    assert (q.value, q.approximate, q.unit) == (200.0, True, "villagers")
