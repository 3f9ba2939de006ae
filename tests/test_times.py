"""Time expressions resolved against a fixed anchor, and the anchor inferred from the text."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from claimgraph.model import Document, Removed
from claimgraph.nlp import paragraph_doc
from claimgraph.times import Anchor, choose_anchor, infer_anchor, resolve_expression, resolve_times

if TYPE_CHECKING:
    from spacy.language import Language

ANCHOR = date(2024, 11, 27)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "start", "end", "precision"),
    [
        ("In October", "2024-10-01", "2024-10-31", "month"),
        ("In December", "2023-12-01", "2023-12-31", "month"),
        ("in mid-November", "2024-11-11", "2024-11-20", "week"),
        ("early November", "2024-11-01", "2024-11-10", "week"),
        ("late February", "2024-02-21", "2024-02-29", "week"),
        ("at the end of October", "2024-10-21", "2024-10-31", "week"),
        ("by November 30", None, "2024-11-30", "day"),
        ("today", "2024-11-27", "2024-11-27", "day"),
        ("yesterday", "2024-11-26", "2024-11-26", "day"),
        ("last Friday", "2024-11-22", "2024-11-22", "day"),
        ("last Wednesday", "2024-11-20", "2024-11-20", "day"),
        ("on Tuesday", "2024-11-26", "2024-11-26", "day"),
        ("on Wednesday", "2024-11-27", "2024-11-27", "day"),
        ("this week", "2024-11-25", "2024-12-01", "week"),
        ("last week", "2024-11-18", "2024-11-24", "week"),
        ("last month", "2024-10-01", "2024-10-31", "month"),
        ("next year", "2025-01-01", "2025-12-31", "year"),
        ("in 2016", "2016-01-01", "2016-12-31", "year"),
        ("early 2016", "2016-01-01", "2016-04-30", "season"),
        ("winter 2020", "2020-12-01", "2021-02-28", "season"),
        ("the 2020 winter drills", "2020-12-01", "2021-02-28", "season"),
        ("this winter", "2024-12-01", "2025-02-28", "season"),
        ("last winter", "2023-12-01", "2024-02-29", "season"),
        ("last summer", "2024-06-01", "2024-08-31", "season"),
        ("March 3", "2024-03-03", "2024-03-03", "day"),
        ("3 March 2021", "2021-03-03", "2021-03-03", "day"),
        ("on the 3rd of March", "2024-03-03", "2024-03-03", "day"),
        ("Nov. 3, 2023", "2023-11-03", "2023-11-03", "day"),
        ("2020-12-01", "2020-12-01", "2020-12-01", "day"),
        ("October 2020", "2020-10-01", "2020-10-31", "month"),
        ("the 1990s", "1990-01-01", "1999-12-31", "year"),
        ("three days ago", "2024-11-24", "2024-11-24", "day"),
        ("two weeks ago", "2024-11-11", "2024-11-17", "week"),
        ("since March 3", "2024-03-03", "2024-11-27", "day"),
        ("before 2020", None, "2019-12-31", "year"),
    ],
)
def test_expression_against_fixed_anchor(
    expression: str, start: str | None, end: str, precision: str
) -> None:
    interval = resolve_expression(expression, ANCHOR)
    assert (interval.start, interval.end, interval.precision) == (start, end, precision)


@pytest.mark.parametrize("text", ["several years", "they may go", "1,500 troops", "March on the capital", ""])
def test_unknown_stays_unknown(text: str) -> None:
    interval = resolve_expression(text, ANCHOR)
    assert (interval.start, interval.end, interval.precision) == (None, None, "unknown")


def test_odd_input_never_raises() -> None:
    for text in ["February 30", "2021-13-45", "on the 31st of June", "Sept 99", "\x00\n" * 5]:
        interval = resolve_expression(text, ANCHOR)
        assert interval.precision in {"unknown", "day", "month", "year"}


def test_anchor_inferred_from_the_latest_absolute_date() -> None:
    text = "The plan dates from 2016. Throughout 2019 the guards grew. They must finish by 2030."
    anchor = infer_anchor(text)
    assert anchor == Anchor(day=date(2019, 12, 31), precision="year", origin="text")
    # a year-precise anchor places named months in that year but leaves deictic words unknown
    assert resolve_expression("in mid-October", anchor).start == "2019-10-11"
    assert resolve_expression("today", anchor).precision == "unknown"


def test_anchor_from_a_full_date_is_day_precise() -> None:
    anchor = infer_anchor("On 3 March 2021 the council met. It met again on 14 April 2021.")
    assert anchor == Anchor(day=date(2021, 4, 14), precision="day", origin="text")


def test_anchor_prefers_publication_date() -> None:
    document = Document(text="In 2010 the lake froze.", published="2023-05-02T10:00:00Z")
    anchor = choose_anchor(document)
    assert anchor is not None and (anchor.day, anchor.origin) == (date(2023, 5, 2), "published")
    assert choose_anchor(Document(text="Nothing dated here.")) is None
    assert choose_anchor(Document(text="x", published="not a date")) is None


def test_resolve_times_skips_removed_and_keeps_unknown_dates(nlp: Language) -> None:
    text = "Last Friday the ferry stopped for several weeks.\nSubscribe today for updates."
    tail = text.index("Subscribe")
    document = Document(text=text, published="2024-11-27", removed=[Removed(tail, len(text), "boilerplate")])
    mentions = resolve_times(nlp(paragraph_doc(nlp, text)), document)
    found = {m.span.text(text): (m.interval.start, m.interval.precision) for m in mentions}
    assert found["Last Friday"] == ("2024-11-22", "day")
    assert found.get("several weeks") == (None, "unknown")
    assert "today" not in found
    assert all(m.interval.mention == m.span for m in mentions)
