"""The highlightable ranges of a document, and the text cut at their boundaries.

Shared by the HTML report and the web document page; each caller formats its
own notes and anchors. No web dependencies.

``marks`` reads a ``DocumentAnalysis`` and yields one ``Mark`` per span of its
claims (content, cue, source, hedge), sources, events (trigger, time), places
and removed noise, clamped to the text. ``cut`` cuts a text at every mark and
anchor boundary, so overlapping spans of any shape still give balanced tags.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from claimgraph.model import DocumentAnalysis, Span


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted range and what it belongs to.

    ``kind``: content, cue, source, hedge, event, time, place or removed.
    ``item``: the list it comes from (claim, source, event, place or removed),
    ``index`` its position in that list (``da.claims``, ``da.document.removed``, ...).
    """

    start: int
    end: int
    kind: str
    item: str
    index: int


class _Ranged(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


R = TypeVar("R", bound=_Ranged)


@dataclass(frozen=True, slots=True)
class Piece(Generic[R]):
    """A stretch of text between two consecutive boundaries.

    ``covering``: the marks over it, in their given order; ``anchors``: those
    placed at ``start``. The last piece is empty (``start == end``), carrying
    only the anchors at the end of the text.
    """

    start: int
    end: int
    covering: list[R]
    anchors: list[str]


def marks(da: DocumentAnalysis) -> Iterator[Mark]:
    """Every span to highlight in ``da``'s text, clamped to it; empty or missing spans are skipped."""
    length = len(da.document.text)

    def mark(span: Span | None, kind: str, item: str, index: int) -> Iterator[Mark]:
        if span is None:
            return
        start, end = min(span.start, length), min(span.end, length)
        if start < end:
            yield Mark(start, end, kind, item, index)

    for i, claim in enumerate(da.claims):
        for kind, spans in (
            ("content", claim.content),
            ("cue", claim.cue),
            ("source", claim.source_mentions),
            ("hedge", claim.hedges),
        ):
            for span in spans:
                yield from mark(span, kind, "claim", i)
    for i, source in enumerate(da.sources):
        for span in source.mentions:
            yield from mark(span, "source", "source", i)
    for i, event in enumerate(da.events):
        yield from mark(event.trigger, "event", "event", i)
        if event.time is not None:
            yield from mark(event.time.mention, "time", "event", i)
    for i, place in enumerate(da.places):
        yield from mark(place.mention, "place", "place", i)
    for i, removed in enumerate(da.document.removed):
        yield from mark(removed.span, "removed", "removed", i)


def cut(length: int, ranges: Sequence[R], anchors: Mapping[int, Sequence[str]]) -> Iterator[Piece[R]]:
    """A text of ``length`` as consecutive pieces, cut at every range end and anchor offset."""
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, r in enumerate(ranges):
        starts.setdefault(r.start, []).append(i)
        ends.setdefault(r.end, []).append(i)
    bounds = sorted({0, length, *starts, *ends, *anchors})
    active: set[int] = set()
    for k, a in enumerate(bounds):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        b = bounds[k + 1] if k + 1 < len(bounds) else a
        yield Piece(a, b, [ranges[i] for i in sorted(active)], list(anchors.get(a, ())))
