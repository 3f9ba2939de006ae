"""The shared highlight walk (marks) and text cutting (cut)."""

from __future__ import annotations

from claimgraph.highlights import Mark, cut, marks
from claimgraph.model import (
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Removed,
    Source,
    Span,
    TimeInterval,
)

TEXT = "The mayor said the bridge in Oldtown will close. Advert here."


def _analysis() -> DocumentAnalysis:
    doc = Document(text=TEXT, removed=[Removed(49, 61, "boilerplate")])
    source = Source(id="s1", document=doc.id, kind="person", anonymous=False, mentions=[Span(0, 9)])
    claim = Claim(
        id="c1",
        document=doc.id,
        content=[Span(15, 47)],
        cue=[Span(10, 14)],
        source_mentions=[Span(0, 9), Span(40, 40)],  # the empty span is dropped
        chain=["s1"],
        mode="paraphrase",
        hedged=False,
        hedges=[Span(60, 500)],  # clamped to the text
    )
    event = Event(
        id="e1",
        document=doc.id,
        type="closure",
        trigger=Span(41, 46),
        time=TimeInterval(None, None, mention=Span(37, 46)),
    )
    place = Place(id="p1", document=doc.id, mention=Span(29, 36), name="Oldtown")
    return DocumentAnalysis(document=doc, sources=[source], claims=[claim], events=[event], places=[place])


def test_marks_walks_every_list_in_order_clamped() -> None:
    got = list(marks(_analysis()))
    assert got == [
        Mark(15, 47, "content", "claim", 0),
        Mark(10, 14, "cue", "claim", 0),
        Mark(0, 9, "source", "claim", 0),
        Mark(60, 61, "hedge", "claim", 0),
        Mark(0, 9, "source", "source", 0),
        Mark(41, 46, "event", "event", 0),
        Mark(37, 46, "time", "event", 0),
        Mark(29, 36, "place", "place", 0),
        Mark(49, 61, "removed", "removed", 0),
    ]


def test_cut_gives_consecutive_pieces_with_covering_marks_and_anchors() -> None:
    ranges = [Mark(2, 6, "content", "claim", 0), Mark(4, 8, "cue", "claim", 0)]
    pieces = list(cut(10, ranges, {0: ["a"], 10: ["end"]}))
    assert [(p.start, p.end) for p in pieces] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 10)]
    assert [[m.kind for m in p.covering] for p in pieces] == [
        [],
        ["content"],
        ["content", "cue"],
        ["cue"],
        [],
        [],
    ]
    assert pieces[0].anchors == ["a"] and pieces[-1].anchors == ["end"]
    assert all(not p.anchors for p in pieces[1:-1])
