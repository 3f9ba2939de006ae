"""Span helpers for tests that build analyses by hand."""

from __future__ import annotations

from claimgraph.model import Span


def at(text: str, needle: str, start: int = 0, *, nth: int = 0) -> Span:
    """The span of the ``nth`` (from 0) ``needle`` in ``text`` at or after ``start``.

    Occurrences may overlap. Fails the test when there are not that many.
    """
    i = start - 1
    for _ in range(nth + 1):
        i = text.find(needle, i + 1)
        assert i >= 0, (needle, nth)
    return Span(i, i + len(needle))
