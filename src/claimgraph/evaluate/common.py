"""What every evaluator shares: word tokens, span lists, ratios, running the analysis, printing figures.

Conventions used by all evaluators:

- A *word token* is a match of ``\\w+`` in the whole document text (letters, digits
  and underscore, Unicode-aware). A token *belongs to* a list of spans when it shares
  at least one character with one of them, so a span cut inside a word still counts
  that word.
- A ratio with a zero denominator is 0.0 (no predictions gives precision 0, not 1).
- Figures are fractions in [0, 1]; ``format_lines`` prints them as percentages with one
  decimal, in the order the evaluator inserted them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.model import Document, DocumentAnalysis, Span

AnalyzeFn = Callable[[Sequence[Document]], Iterable[DocumentAnalysis]]

WORD = re.compile(r"\w+")


def read_text(path: Path) -> str:
    """Read a UTF-8 file exactly as stored (no newline translation), so offsets stay valid."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EvalError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EvalError(f"{path}: not valid UTF-8 at byte {exc.start}") from exc


def word_tokens(text: str) -> list[Span]:
    """Every word token of ``text``, in order."""
    return [Span(m.start(), m.end()) for m in WORD.finditer(text)]


def tokens_in(tokens: Sequence[Span], spans: Iterable[Span]) -> set[Span]:
    """The tokens (sorted, non-overlapping, as from ``word_tokens``) that share a character with ``spans``."""
    starts = [t.start for t in tokens]
    found: set[Span] = set()
    for span in spans:
        if len(span) == 0:
            continue
        # First token that could overlap: the one starting at or before span.start.
        i = max(bisect.bisect_right(starts, span.start) - 1, 0)
        while i < len(tokens) and tokens[i].start < span.end:
            if tokens[i].overlaps(span):
                found.add(tokens[i])
            i += 1
    return found


def normalize_spans(spans: Iterable[Span], text: str) -> tuple[Span, ...]:
    """A span list in canonical form, for exact comparison.

    Each span loses leading and trailing whitespace (punctuation is kept); empty spans
    are dropped; the rest are sorted and merged when they overlap, touch, or are
    separated by whitespace only.
    """
    trimmed: list[Span] = []
    for span in spans:
        start, end = min(span.start, len(text)), min(span.end, len(text))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            trimmed.append(Span(start, end))
    merged: list[Span] = []
    for span in sorted(trimmed):
        if merged and text[merged[-1].end : span.start].strip() == "":
            last = merged.pop()
            span = Span(last.start, max(last.end, span.end))
        merged.append(span)
    return tuple(merged)


def merge_ranges(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted disjoint spans (touching spans are joined)."""
    out: list[Span] = []
    for span in sorted(spans):
        if out and span.start <= out[-1].end:
            last = out.pop()
            span = Span(last.start, max(last.end, span.end))
        out.append(span)
    return out


def covered(span: Span, union: Sequence[Span]) -> bool:
    """True when ``span`` lies inside one span of ``union`` (as from ``merge_ranges``)."""
    return any(u.contains(span) for u in union)


def overlap_chars(a: Iterable[Span], b: Sequence[Span]) -> int:
    """Characters shared by two span lists (each assumed free of internal overlap)."""
    return sum(max(0, min(x.end, y.end) - max(x.start, y.start)) for x in a for y in b)


def find_all(text: str, needle: str) -> list[Span]:
    """Every occurrence of ``needle`` in ``text`` (overlapping occurrences included)."""
    out: list[Span] = []
    if not needle:
        return out
    i = text.find(needle)
    while i >= 0:
        out.append(Span(i, i + len(needle)))
        i = text.find(needle, i + 1)
    return out


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0.0 when the denominator is 0."""
    return numerator / denominator if denominator else 0.0


def f1(precision: float, recall: float) -> float:
    return ratio(2 * precision * recall, precision + recall)


def analyze_in_order(documents: Sequence[Document], analyze: AnalyzeFn) -> list[DocumentAnalysis]:
    """Run ``analyze`` over ``documents`` and check it returned one result per document, in order."""
    results = list(analyze(documents))
    if len(results) != len(documents):
        raise EvalError(f"the analysis returned {len(results)} results for {len(documents)} documents")
    for document, result in zip(documents, results, strict=True):
        if result.document.text != document.text:
            raise EvalError(f"the analysis of {document.path or document.id} changed or reordered its text")
    return results


def format_lines(figures: Mapping[str, float], counts: Mapping[str, int]) -> list[str]:
    """Figures as percentages with one decimal, then counts, one ``name value`` line each."""
    width = max((len(name) for name in (*figures, *counts)), default=0) + 2
    lines = [f"{name:<{width}}{100 * value:6.1f}%" for name, value in figures.items()]
    lines.extend(f"{name:<{width}}{value:6d}" for name, value in counts.items())
    return lines


def clip(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters, for diagnostics."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
