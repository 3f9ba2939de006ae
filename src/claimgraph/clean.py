"""Noise: ranges of ``Document.text`` that are not article body. The text is never changed.

``clean`` reads ``Document.text`` (and ``title``/``title_span``) and adds
``Document.removed``: one ``Removed(start, end, reason)`` per junk line (or glued label),
covering the line's content without its surrounding whitespace. The rules, in order:

    line rules      notices, calls to action, ads, image credits, teaser links
                    (whole-line patterns from data/noise.json, anywhere)
    scraper-footer  "Read Full Article"-style lines among the last lines
    section-label   a known section name standing alone on the first or last lines,
                    or glued after closing punctuation at the end of a line
    repeated-title  the headline printed again as the next line
    pull-quote      a standalone line whose words recur inside a longer line
                    (and pull-quote-credit: the short speaker line right after it)

When the ingested title turns out to be a section label, the title is re-read from the
line after it (the only change ``clean`` makes outside ``removed``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from claimgraph.errors import InputError
from claimgraph.ingest.text import find_title
from claimgraph.model import Document, Removed

# Lines longer than this are body text, whatever they start with: the longest notice
# seen in scraped news (newsletter + privacy sentence) is about 150 characters.
LINE_RULE_MAX_CHARS = 400
# Footers are looked for among this many last lines not already removed. The scraped
# seed page ends with its footer; three leaves room for a footer followed by a label or
# a credit line, while a footer-like line higher up ("Read the rest here.") is body.
FOOTER_TAIL_LINES = 3
# Section labels stacked at either end of the text ("Home", "World", "Asia") are at
# most this many lines.
SECTION_LABEL_MAX_LINES = 3
# A pull quote has at least this many words: shorter lines recur inside longer ones by
# chance. Pull quotes in tabloid pages run 8-30 words; at 6 one line of a results list
# in the BBC 2004-2005 corpus (2,095 articles) recurred inside a longer list line, at 8
# nothing in that corpus is taken.
PULL_QUOTE_MIN_WORDS = 8
# A standalone line longer than this is a paragraph, not a pull quote.
PULL_QUOTE_MAX_CHARS = 300
# A pull-quote credit ("RFA source", "Former defence minister") has at most this many
# words and no sentence punctuation.
CREDIT_MAX_WORDS = 4

QUOTES = "\"'“”‘’«»„‚‹›"
_WORD = re.compile(r"\w+")
_WHITESPACE = re.compile(r"\s+")
_CREDIT = re.compile(r"(?:[-–—]\s*)?[^\W\d_][^\n.!?:;,]*")


@dataclass(frozen=True, slots=True)
class NoiseRules:
    """Compiled noise rules: load once with ``load_noise_rules`` and pass to ``clean``."""

    line: tuple[tuple[str, re.Pattern[str]], ...]
    footer: tuple[tuple[str, re.Pattern[str]], ...]
    section_names: frozenset[str]  # casefolded
    section_pattern: re.Pattern[str] | None
    glued_section: re.Pattern[str] | None
    version: str = "noise/1"


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # content start (leading whitespace skipped)
    end: int  # content end (trailing whitespace dropped)
    content: str


def load_noise_rules(path: str | Path | None = None) -> NoiseRules:
    """Read and compile the noise rules (``claimgraph/data/noise.json`` by default).

    Raises ``InputError`` when the file is missing, not JSON or holds a bad pattern.
    """
    shown = str(path) if path is not None else "claimgraph/data/noise.json"
    try:
        if path is None:
            raw = resources.files("claimgraph").joinpath("data/noise.json").read_text(encoding="utf-8")
        else:
            raw = Path(path).read_text(encoding="utf-8")
        data = json.loads(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(shown, f"cannot read noise rules: {error}") from error
    if not isinstance(data, dict):
        raise InputError(shown, "noise rules must be a JSON object")
    names = data.get("section_names", [])
    patterns = data.get("section_patterns", [])
    return NoiseRules(
        line=_compile_groups(data.get("line", {}), shown),
        footer=_compile_groups(data.get("footer", {}), shown),
        section_names=frozenset(str(name).casefold() for name in names),
        section_pattern=_compile(patterns, shown) if patterns else None,
        glued_section=_glued_pattern(names, shown) if names else None,
        version=str(data.get("format", "noise/1")),
    )


def clean(document: Document, rules: NoiseRules) -> Document:
    """Fill ``document.removed`` with the noise ranges of its text; return the document.

    Ranges already in ``removed`` are kept; running ``clean`` twice adds nothing.
    """
    text = document.text
    lines = _lines(text)
    found: dict[int, Removed] = {}  # line index -> whole-line removal

    for index, line in enumerate(lines):
        reason = _line_reason(line.content, rules)
        if reason:
            found[index] = Removed(line.start, line.end, reason)
    for index in _tail(lines, found, FOOTER_TAIL_LINES):
        reason = _match(rules.footer, lines[index].content)
        if reason:
            found[index] = Removed(lines[index].start, lines[index].end, reason)
    _mark_section_labels(lines, found, rules)
    glued = _glued_labels(lines, found, rules)
    _retitle(document, found)
    _mark_repeated_title(lines, found)
    _mark_pull_quotes(lines, found)

    ranges = [*found.values(), *glued]
    known = set(document.removed)
    document.removed.extend(r for r in ranges if r not in known)
    document.removed.sort(key=lambda r: (r.start, r.end))
    return document


def _lines(text: str) -> list[_Line]:
    """Every non-blank line, its span stripped of surrounding whitespace."""
    out: list[_Line] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = position + (len(raw) - len(raw.lstrip()))
            out.append(_Line(start, start + len(stripped), stripped))
        position += len(raw) + 1
    return out


def _line_reason(content: str, rules: NoiseRules) -> str | None:
    if len(content) > LINE_RULE_MAX_CHARS:
        return None
    return _match(rules.line, content)


def _match(groups: tuple[tuple[str, re.Pattern[str]], ...], content: str) -> str | None:
    for reason, pattern in groups:
        if pattern.fullmatch(content):
            return reason
    return None


def _tail(lines: list[_Line], found: dict[int, Removed], count: int) -> list[int]:
    """Indexes of the last ``count`` lines not yet removed."""
    kept = [i for i in range(len(lines) - 1, -1, -1) if i not in found]
    return kept[:count]


def _is_section_label(content: str, rules: NoiseRules) -> bool:
    if not content[:1].isupper() or len(content) > LINE_RULE_MAX_CHARS:
        return False
    if content.casefold() in rules.section_names:
        return True
    return bool(rules.section_pattern and rules.section_pattern.fullmatch(content))


def _mark_section_labels(lines: list[_Line], found: dict[int, Removed], rules: NoiseRules) -> None:
    """Section labels standing alone among the first and the last lines still kept."""
    kept = [i for i in range(len(lines)) if i not in found]
    for order in (kept, kept[::-1]):
        for index in order[:SECTION_LABEL_MAX_LINES]:
            if not _is_section_label(lines[index].content, rules):
                break
            found[index] = Removed(lines[index].start, lines[index].end, "section-label")


def _glued_labels(lines: list[_Line], found: dict[int, Removed], rules: NoiseRules) -> list[Removed]:
    """Section names glued right after closing punctuation at the end of a kept line."""
    if rules.glued_section is None:
        return []
    out: list[Removed] = []
    for index, line in enumerate(lines):
        if index in found:
            continue
        match = rules.glued_section.search(line.content)
        if match:
            out.append(Removed(line.start + match.start(), line.end, "section-label"))
    return out


def _retitle(document: Document, found: dict[int, Removed]) -> None:
    """Re-read the title when the ingested one is a removed line (a section label)."""
    span = document.title_span
    if span is None:
        return
    covering = next((r for r in found.values() if r.start <= span.start and span.end <= r.end), None)
    if covering is None:
        return
    from_text = document.title == span.text(document.text)
    new_span = find_title(document.text, covering.end)
    document.title_span = new_span
    if from_text:
        document.title = new_span.text(document.text) if new_span else None


def _mark_repeated_title(lines: list[_Line], found: dict[int, Removed]) -> None:
    """The first kept line printed again as the next kept line: the copy goes."""
    kept = [i for i in range(len(lines)) if i not in found]
    if len(kept) < 2:
        return
    first, second = lines[kept[0]], lines[kept[1]]
    if _normal(first.content) == _normal(second.content):
        found[kept[1]] = Removed(second.start, second.end, "repeated-title")


def _mark_pull_quotes(lines: list[_Line], found: dict[int, Removed]) -> None:
    """Standalone lines whose words recur inside a longer kept line, and their credits.

    The first kept line (the headline) is never a pull quote. Candidates are indexed by
    their first ``PULL_QUOTE_MIN_WORDS`` words, and one pass of a window that wide over
    every kept line's words finds where they recur, so the cost grows with the text.
    """
    kept = [i for i in range(len(lines)) if i not in found]
    words = {i: _WORD.findall(lines[i].content.casefold()) for i in kept}
    heads: dict[tuple[str, ...], list[int]] = {}
    for index in kept[1:]:
        if len(lines[index].content) <= PULL_QUOTE_MAX_CHARS and len(words[index]) >= PULL_QUOTE_MIN_WORDS:
            heads.setdefault(tuple(words[index][:PULL_QUOTE_MIN_WORDS]), []).append(index)
    if not heads:
        return
    quotes: set[int] = set()
    for container in kept:
        tokens = words[container]
        for at in range(len(tokens) - PULL_QUOTE_MIN_WORDS + 1):
            for index in heads.get(tuple(tokens[at : at + PULL_QUOTE_MIN_WORDS]), ()):
                quoted = words[index]
                if len(tokens) > len(quoted) and tokens[at : at + len(quoted)] == quoted:
                    quotes.add(index)
    for order, index in enumerate(kept):
        if index not in quotes:
            continue
        found[index] = Removed(lines[index].start, lines[index].end, "pull-quote")
        following = kept[order + 1] if order + 1 < len(kept) else None
        if following is not None and following not in quotes and _is_credit(lines[following].content):
            credit = lines[following]
            found[following] = Removed(credit.start, credit.end, "pull-quote-credit")


def _is_credit(content: str) -> bool:
    return bool(_CREDIT.fullmatch(content)) and len(content.split()) <= CREDIT_MAX_WORDS


def _normal(content: str) -> str:
    """Text for comparing lines: quotes and final punctuation dropped, spaces collapsed."""
    return _WHITESPACE.sub(" ", content.strip(QUOTES + " .!?")).casefold()


def _compile(patterns: Any, shown: str) -> re.Pattern[str]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise InputError(shown, "noise patterns must be lists of strings")
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error as error:
        raise InputError(shown, f"bad noise pattern: {error}") from error


def _compile_groups(groups: Any, shown: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    if not isinstance(groups, dict):
        raise InputError(shown, "noise rule groups must map a reason to a list of patterns")
    return tuple((str(reason), _compile(patterns, shown)) for reason, patterns in groups.items())


def _glued_pattern(names: Any, shown: str) -> re.Pattern[str]:
    """A known section name right after closing punctuation, ending the line.

    Only names of at least two words or of five letters and more: "US" or "Life" glued
    after a quote can be the start of an unspaced sentence.
    """
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError(shown, "section_names must be a list of strings")
    usable = sorted((n for n in names if " " in n or len(n) >= 5), key=len, reverse=True)
    alternation = "|".join(re.escape(n) for n in usable)
    return re.compile(rf"(?<=[.!?\"”’)])(?:{alternation})$")
