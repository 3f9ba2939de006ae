"""A document's text cut into segments for the document page, each listing what covers it.

Reads a ``DocumentAnalysis``; returns plain data for the template, never
HTML: the template escapes every piece of text (Jinja2 autoescape), so
article text cannot become markup.

Every highlighted item gets an anchor named from its kind and position in
its list (``claim-3``, ``source-0``, ``event-1``, ``place-2``), never from
stored ids. Segments list the anchors of every item covering them
(``items``) so the page's script can light up all of an item's spans when
its anchor is the URL's target. The text is cut at every span boundary, so
overlapping spans of any shape still give balanced tags (the approach of
``html_report``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from claimgraph import highlights
from claimgraph.model import DocumentAnalysis, Span

# Highlight kinds in the order their classes are listed on a segment ("hit": a search match).
MARK_KINDS = ("hit", "content", "cue", "source", "hedge", "event", "place", "time")
# The anchor of a search hit's span (``segments(da, hit=...)``).
HIT_ANCHOR = "hit"


@dataclass(frozen=True, slots=True)
class _Mark:
    start: int
    end: int
    kind: str  # one of MARK_KINDS, or "removed"
    item: str  # anchor name of the item, "" for removed noise
    note: str


@dataclass(slots=True)
class Segment:
    text: str
    kinds: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    note: str = ""
    removed: str = ""  # reasons, when the segment lies in removed noise
    anchors: list[str] = field(default_factory=list)  # anchors placed just before this segment

    @property
    def css(self) -> str:
        return " ".join(self.kinds)


def anchor(kind: str, index: int) -> str:
    """The element id of the ``index``-th item of a kind (claim, source, event, place) on its page."""
    return f"{kind}-{index}"


def item_anchor(da: DocumentAnalysis, kind: str, item_id: str) -> str:
    """The anchor of the item with this id in ``da``, or "" when absent."""
    lists: dict[str, list[Any]] = {
        "claim": da.claims,
        "source": da.sources,
        "event": da.events,
        "place": da.places,
    }
    for i, item in enumerate(lists[kind]):
        if item.id == item_id:
            return anchor(kind, i)
    return ""


def _note(da: DocumentAnalysis, mark: highlights.Mark) -> str:
    i = mark.index
    if mark.item == "claim":
        return f"claim {i + 1}: {mark.kind}"
    if mark.item == "source":
        source = da.sources[i]
        return f"source: {source.name or source.descriptor or source.kind}"
    if mark.kind == "event":
        return f"event: {da.events[i].type}"
    if mark.kind == "time":
        return f"time of event {i + 1}"
    if mark.item == "place":
        return f"place: {da.places[i].name}"
    return f"removed: {da.document.removed[i].reason}"


def _marks(da: DocumentAnalysis) -> list[_Mark]:
    return [
        _Mark(m.start, m.end, m.kind, "" if m.item == "removed" else anchor(m.item, m.index), _note(da, m))
        for m in highlights.marks(da)
    ]


def _anchor_positions(marks: list[_Mark], items: list[str]) -> dict[int, list[str]]:
    """Where each item's anchor goes: the start of its first span (0 when it has none)."""
    first: dict[str, int] = {}
    for mark in marks:
        if mark.item and (mark.item not in first or mark.start < first[mark.item]):
            first[mark.item] = mark.start
    positions: dict[int, list[str]] = defaultdict(list)
    for item in items:
        positions[first.get(item, 0)].append(item)
    return positions


def parse_hit(value: str | None, length: int) -> Span | None:
    """The span a ``hl=START-END`` parameter names inside a text of ``length``; None when malformed."""
    if not value:
        return None
    start, _, end = value.partition("-")
    if not (start.isascii() and start.isdigit() and end.isascii() and end.isdigit()):
        return None
    if len(start) > 9 or len(end) > 9:
        return None
    a, b = int(start), int(end)
    return Span(a, b) if 0 <= a < b <= length else None


def segments(da: DocumentAnalysis, hit: Span | None = None) -> list[Segment]:
    """The whole text of ``da`` as consecutive segments with their highlights and anchors.

    ``hit``: a span to mark as the search match (kind "hit", anchor ``HIT_ANCHOR``).
    """
    text = da.document.text
    marks = _marks(da)
    items = [HIT_ANCHOR] if hit is not None else []
    if hit is not None and hit.start < min(hit.end, len(text)):
        marks.append(_Mark(hit.start, min(hit.end, len(text)), "hit", HIT_ANCHOR, "search match"))
    items += [anchor("claim", i) for i in range(len(da.claims))]
    items += [anchor("source", i) for i in range(len(da.sources))]
    items += [anchor("event", i) for i in range(len(da.events))]
    items += [anchor("place", i) for i in range(len(da.places))]
    anchors = _anchor_positions(marks, items)
    out: list[Segment] = []
    for piece in highlights.cut(len(text), marks, anchors):
        if piece.start < piece.end:
            covering = piece.covering
            kinds = {m.kind for m in covering}
            out.append(
                Segment(
                    text=text[piece.start : piece.end],
                    kinds=[kind for kind in MARK_KINDS if kind in kinds],
                    items=list(dict.fromkeys(m.item for m in covering if m.item)),
                    note="; ".join(dict.fromkeys(m.note for m in covering if m.kind != "removed")),
                    removed="; ".join(dict.fromkeys(m.note for m in covering if m.kind == "removed")),
                    anchors=piece.anchors,
                )
            )
        elif piece.anchors:
            out.append(Segment(text="", anchors=piece.anchors))
    return out
