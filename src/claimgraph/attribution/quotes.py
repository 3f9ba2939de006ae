"""Quotation regions of a text: where quoted speech starts and ends.

Handles curly and straight double quotes, doubled single quotes (``''``) and
low-high pairs (``„…“``),
quotes that run over several paragraphs (each new paragraph re-opens the
quote and only the last one closes it), and unbalanced marks (a quote left
open closes at the end of its paragraph). Never raises.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from claimgraph.model import Span

_MARK = re.compile(r"''|[“”\"«»„]")
_OPENERS = frozenset({"“", "«", "„"})
_CLOSERS = frozenset({"”", "»"})
_SYMMETRIC = frozenset({'"', "''"})
# A low opening mark „ is closed by a high one: “ (German, Czech) or ” (Polish, Hungarian).
_LOW_HIGH_CLOSERS = frozenset({"“", "”"})

# Share of a claim's content characters inside quotation marks from which the
# claim is a quote, and below which it is a paraphrase (between: mixed).
# Calibrated on the seeds: a single scare-quoted word leaves a paraphrase.
QUOTE_SHARE = 0.8
PARAPHRASE_SHARE = 0.35


def quote_mode(share: float) -> str:
    """quote, paraphrase or mixed, from the share of content characters inside quotation marks."""
    return "quote" if share >= QUOTE_SHARE else "paraphrase" if share <= PARAPHRASE_SHARE else "mixed"


@dataclass(frozen=True, slots=True)
class Quotes:
    """Sorted, non-overlapping quotation regions (opening mark to closing mark inclusive)."""

    regions: tuple[Span, ...]
    starts: tuple[int, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(r.start for r in self.regions))

    def _index(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The regions that share characters with ``start``..``end``, in order."""
        i = max(self._index(start), 0)
        out = []
        while i < len(self.regions) and self.regions[i].start < end:
            if self.regions[i].end > start:
                out.append(self.regions[i])
            i += 1
        return out

    def region_at(self, pos: int) -> Span | None:
        i = self._index(pos)
        if i >= 0 and self.regions[i].start <= pos < self.regions[i].end:
            return self.regions[i]
        return None

    def region_starting_near(self, pos: int, text: str, window: int = 3) -> Span | None:
        """A region whose opening mark is within ``window`` blank characters after ``pos``."""
        for r in self.regions:
            if r.start >= pos and not text[pos : r.start].strip() and r.start - pos <= window:
                return r
            if r.start > pos + window:
                break
        return None

    def quoted_chars(self, span: Span) -> int:
        """How many characters of ``span`` lie inside quotation regions."""
        total = 0
        for r in self.regions:
            if r.end <= span.start:
                continue
            if r.start >= span.end:
                break
            total += min(r.end, span.end) - max(r.start, span.start)
        return total

    def quoted_share(self, spans: Sequence[Span], text: str) -> float:
        """Share of the characters of ``spans`` (ends trimmed of space) inside quotation regions."""
        quoted = sum(self.quoted_chars(s) for s in spans)
        total = sum(len(text[s.start : s.end].strip()) for s in spans) or 1
        return quoted / total


def find_quotes(text: str, skip: Sequence[Span] = ()) -> Quotes:
    """Scan ``text`` once and return its quotation regions.

    Lines wholly inside ``skip`` (removed noise such as a teaser link between two
    paragraphs of one quotation) are passed over.
    """
    regions: list[Span] = []
    open_at: int | None = None
    open_mark = ""
    for para_start, para_end in _paragraphs(text):
        if any(r.start <= para_start and para_end <= r.end for r in skip):
            continue
        para = text[para_start:para_end]
        stripped = para.lstrip()
        lead = para_start + len(para) - len(stripped)
        if open_at is not None:
            starts_with_quote = bool(stripped) and (stripped[0] in _OPENERS or stripped[:1] == '"')
            if not starts_with_quote:
                # The previous paragraph's quote never closed and is not continued.
                regions.append(Span(open_at, _prev_end(text, lead)))
                open_at = None
            else:
                # Multi-paragraph quote: skip this paragraph's re-opening mark.
                m = _MARK.match(text, lead)
                if m:
                    lead = m.end()
        for m in _MARK.finditer(text, lead, para_end):
            mark = m.group()
            if open_at is None:
                if mark in _CLOSERS:
                    continue  # stray closer: ignore
                open_at, open_mark = m.start(), mark
            elif (
                mark in _CLOSERS
                or (mark in _SYMMETRIC and mark == open_mark)
                or (open_mark == "„" and mark in _LOW_HIGH_CLOSERS)
            ):
                regions.append(Span(open_at, m.end()))
                open_at = None
            elif mark in _OPENERS and open_mark in _OPENERS:
                # A second opener before any closer: the first was never closed.
                regions.append(Span(open_at, _prev_end(text, m.start())))
                open_at, open_mark = m.start(), mark
    if open_at is not None:
        regions.append(Span(open_at, len(text.rstrip())))
    return Quotes(tuple(r for r in regions if r.end > r.start))


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _prev_end(text: str, pos: int) -> int:
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    return pos
