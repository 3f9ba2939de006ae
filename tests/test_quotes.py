"""Quotation regions (attribution/quotes.py): no parser needed. All text is fictional."""

from __future__ import annotations

from itertools import pairwise

import pytest

from claimgraph.attribution.quotes import Quotes, find_quotes
from claimgraph.model import Span
from spans import at


def regions(text: str, skip: tuple[Span, ...] = ()) -> list[str]:
    return [text[r.start : r.end] for r in find_quotes(text, skip).regions]


def test_curly_and_straight_double_quotes() -> None:
    text = 'The mayor said “the pier is safe” and the captain said "it is not".'
    assert regions(text) == ["“the pier is safe”", '"it is not"']


def test_doubled_single_quotes() -> None:
    text = "The keeper said ''the lamp is out'' and went home."
    assert regions(text) == ["''the lamp is out''"]


def test_single_apostrophes_are_not_quotes() -> None:
    text = "The keeper's lamp and the pilots' union: it's late."
    assert regions(text) == []


def test_quotation_over_three_paragraphs_is_one_region() -> None:
    text = (
        "Captain Rosa Vell told reporters: “The engine failed twice.\n\n"
        "“We asked for a new one in May.\n\n"
        "“Nobody answered.”\n\n"
        "The ferry company declined to comment."
    )
    start = text.index("“The engine")
    end = text.index("answered.”") + len("answered.”")
    assert find_quotes(text).regions == (Span(start, end),)


def test_unclosed_quote_closes_at_its_paragraph_end() -> None:
    text = "The pilot said “we will strike on Friday.\n\nThe port said “no” to the union."
    found = find_quotes(text).regions
    assert [text[r.start : r.end] for r in found] == ["“we will strike on Friday.", "“no”"]
    # the first region stops before the blank line, not at the next paragraph
    assert "\n" not in text[found[0].start : found[0].end]


def test_quote_left_open_at_the_end_of_the_text() -> None:
    text = "The pilot said “we will strike\n\n"
    assert regions(text) == ["“we will strike"]


@pytest.mark.parametrize(
    "text",
    ["", "“", "”", "”“”“", '"', "''", "«", "\n\n“\n\n”\n\n", "“a” ” “b", "a\u201c\n\u201db"],
)
def test_odd_marks_never_raise_and_regions_are_ordered(text: str) -> None:
    found = find_quotes(text).regions
    for r in found:
        assert 0 <= r.start < r.end <= len(text)
    for a, b in pairwise(found):
        assert a.end <= b.start


def test_stray_closer_is_ignored() -> None:
    text = "A stray ” mark, then “a real quote”."
    assert regions(text) == ["“a real quote”"]


def test_second_opener_closes_the_first_quote() -> None:
    text = "He said “one and “two” and left."
    assert regions(text) == ["“one and", "“two”"]


def test_removed_line_between_two_paragraphs_of_one_quotation() -> None:
    text = (
        "The harbour master said: “The pier is closed.\n\n"
        "WATCH: HARBOUR STORM FOOTAGE [VIDEO]\n\n"
        "“It will stay closed until spring.”\n\n"
        "Repairs start next week."
    )
    teaser = at(text, "WATCH: HARBOUR STORM FOOTAGE [VIDEO]")
    start = text.index("“The pier")
    end = text.index("spring.”") + len("spring.”")
    assert find_quotes(text, (teaser,)).regions == (Span(start, end),)
    # without the removed range the teaser line breaks the quotation in two
    assert regions(text) == ["“The pier is closed.", "“It will stay closed until spring.”"]


def test_skip_only_passes_over_lines_wholly_inside_it() -> None:
    text = "He said: “one.\n\nhalf of this line is noise\n\n“two.”"
    partial = at(text, "half of this")
    assert regions(text, (partial,)) == ["“one.", "“two.”"]


def test_guillemets() -> None:
    text = "Le maire a dit «le quai est fermé» hier."
    assert regions(text) == ["«le quai est fermé»"]


def test_low_high_quotation_marks() -> None:
    text = "Er sagte „der Hafen ist zu“ und ging. Sie sagte „nein“."
    assert regions(text) == ["„der Hafen ist zu“", "„nein“"]


def test_quoted_chars_and_region_lookups() -> None:
    text = "ab “cd” ef “g”"
    q = find_quotes(text)
    first, second = q.regions
    assert first == Span(3, 7)
    assert q.quoted_chars(Span(0, len(text))) == 4 + 3
    assert q.quoted_chars(Span(0, 3)) == 0
    assert q.quoted_chars(Span(4, 5)) == 1
    assert q.quoted_chars(Span(5, 12)) == 2 + 1
    assert q.region_at(2) is None
    assert q.region_at(3) == first
    assert q.region_at(6) == first
    assert q.region_at(7) is None
    assert q.region_at(len(text) - 1) == second


def test_region_starting_near_allows_only_blanks() -> None:
    text = "He said:  “yes”, then: x “no”"
    q = find_quotes(text)
    assert q.region_starting_near(text.index(":") + 1, text) == at(text, "“yes”")
    assert q.region_starting_near(text.index("x"), text) is None
    assert Quotes(()).region_starting_near(0, text) is None
