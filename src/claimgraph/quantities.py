"""Quantities: how many of what, in digits or in words, exact or approximate.

``find_quantities(parsed)`` reads a spaCy parse (tokens, dependencies and the
DATE/TIME/ORDINAL entities it must skip) and returns one ``Quantity`` per
number expression: "80 tanks", "about 80", "two hundred", "a dozen",
"200 to 300 meters", "between 10 and 20", "more than 1,500 troops".

A range keeps ``low`` and ``high``; its ``value`` is the low end (the
conservative reading of "200 to 300": at least 200) and it is approximate.
Years, dates, times, ordinals and the numbers inside hyphenated compounds
("four-year-old", "9-member") are not counts and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.model import Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Multipliers that close a group ("two hundred"), largest last.
SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Plural scales used alone ("hundreds of troops"): approximate, read as twice the scale.
VAGUE_SCALES = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000}

# Words before a number that make it approximate. Several words are matched as a sequence.
APPROXIMATORS: tuple[tuple[str, ...], ...] = (
    ("about",),
    ("around",),
    ("some",),
    ("nearly",),
    ("almost",),
    ("roughly",),
    ("approximately",),
    ("approx",),
    ("circa",),
    ("like",),
    ("over",),
    ("under",),
    ("up", "to"),
    ("more", "than"),
    ("less", "than"),
    ("fewer", "than"),
    ("at", "least"),
    ("at", "most"),
    ("close", "to"),
    ("as", "many", "as"),
    ("as", "few", "as"),
    ("an", "estimated"),
    ("estimated",),
    ("upwards", "of"),
    ("in", "excess", "of"),
)
# Words after a number that make it approximate ("80 or so", "80-odd", "80 or more").
TRAILING_APPROXIMATORS: tuple[tuple[str, ...], ...] = (("or", "so"), ("or", "more"), ("odd",), ("plus",))
RANGE_LINKS = frozenset({"to", "-", "–", "—", "or"})
SKIP_ENTS = frozenset({"DATE", "TIME", "ORDINAL"})
# Dependency labels of the noun a number counts.
COUNT_DEPS = frozenset({"nummod", "quantmod"})
UNIT_MODIFIER_DEPS = frozenset({"compound", "amod", "nmod", "npadvmod"})

_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_RANGE_WORDS = frozenset(
    {"between", "and", "to", "from", "or", "-", "–", "about", "around", "some", "nearly"}
)
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number expression and the noun it counts."""

    span: Span
    value: float
    approximate: bool = False
    low: float | None = None
    high: float | None = None
    unit: str | None = None  # the counted noun phrase, e.g. "tanks"
    unit_span: Span | None = None  # its head token
    head: int | None = None  # token index of the counted noun's head (for attaching)


def parse_number(words: list[str]) -> float | None:
    """Read a number written in digits and/or words ("1,500", "two hundred and five", "a dozen", "1.5 million").

    Returns None when the words are not one number.
    """
    words = [w.lower().strip() for w in words if w.strip()]
    if not words:
        return None
    total = 0.0
    group = 0.0
    seen = False
    for n, word in enumerate(words):
        if word == "and" and seen:
            continue
        if word in ("a", "an") and n + 1 < len(words) and words[n + 1] in SCALES:
            group, seen = 1.0, True
            continue
        parts = word.split("-") if "-" in word and not _DIGITS.match(word) else [word]
        for part in parts:
            if _DIGITS.match(part):
                group += float(part.replace(",", ""))
            elif part in UNITS:
                group += UNITS[part]
            elif part in TENS:
                group += TENS[part]
            elif part in SCALES:
                scale = SCALES[part]
                if scale >= 1_000:
                    total += (group or 1.0) * scale
                    group = 0.0
                else:
                    group = (group or 1.0) * scale
            else:
                return None
            seen = True
    return total + group if seen else None


def _is_number_word(tok: Token) -> bool:
    low = tok.lower_
    if _DIGITS.match(low):
        return True
    parts = low.split("-")
    return all(p in UNITS or p in TENS or p in SCALES for p in parts) and bool(parts[0])


def _calendar(tok: Token) -> bool:
    """True when the DATE/TIME/ORDINAL entity holding ``tok`` is a date, not a count spaCy mislabelled.

    spaCy tags "between 10 and 20 soldiers" DATE; a real date has a year or a word that is
    neither a number nor a range link ("March 4", "two years", "9 pm").
    """
    if tok.ent_type_ == "ORDINAL":
        return True
    ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
    if ent is None:
        return True
    for t in ent:
        low = t.lower_
        if _YEAR.match(low) or not (_is_number_word(t) or low in _RANGE_WORDS or t.is_punct):
            return True
    return False


def _skipped(tok: Token) -> bool:
    """Tokens that look numeric but are not counts: dates, ordinals, hyphen compounds."""
    if tok.ent_type_ in SKIP_ENTS and _calendar(tok):
        return True
    doc = tok.doc
    # "four-year-old", "9-member": a hyphen directly after the number, no space.
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if nxt is not None and nxt.text == "-" and not tok.whitespace_ and nxt.i + 1 < len(doc):
        after = doc[nxt.i + 1]
        if not _is_number_word(after) and not nxt.whitespace_:
            return True
    prv = doc[tok.i - 1] if tok.i > 0 else None
    return (
        prv is not None
        and prv.text == "-"
        and not prv.whitespace_
        and prv.i > 0
        and not doc[prv.i - 1].like_num
    )


def _runs(parsed: Doc) -> list[tuple[int, int]]:
    """Token ranges [start, end) of consecutive number words ("two hundred and fifty", "1.5 million")."""
    runs: list[tuple[int, int]] = []
    i = 0
    n = len(parsed)
    while i < n:
        tok = parsed[i]
        is_article = tok.lower_ in ("a", "an") and i + 1 < n and parsed[i + 1].lower_ in SCALES
        if (_is_number_word(tok) and not _skipped(tok)) or is_article:
            j = i + 1
            while j < n:
                t = parsed[j]
                if _is_number_word(t) and not _skipped(t):
                    j += 1
                elif t.lower_ == "and" and j + 1 < n and parsed[j + 1].lower_ in {**UNITS, **TENS}:
                    # "two hundred and fifty", not "ten men and one child"
                    if parsed[j - 1].lower_ in SCALES:
                        j += 1
                    else:
                        break
                else:
                    break
            if parse_number([t.text for t in parsed[i:j]]) is not None:
                runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def _match_before(parsed: Doc, start: int, patterns: tuple[tuple[str, ...], ...]) -> int:
    """Token index where a pattern ending just before ``start`` begins, or ``start`` if none."""
    for pattern in sorted(patterns, key=len, reverse=True):
        k = start - len(pattern)
        if k >= 0 and tuple(t.lower_ for t in parsed[k:start]) == pattern:
            return k
    return start


def _match_after(parsed: Doc, end: int, patterns: tuple[tuple[str, ...], ...]) -> int:
    for pattern in sorted(patterns, key=len, reverse=True):
        k = end + len(pattern)
        if k <= len(parsed) and tuple(t.lower_ for t in parsed[end:k]) == pattern:
            return k
    return end


def _counted(parsed: Doc, start: int, end: int) -> Token | None:
    """The noun a number run counts: its syntactic head, a following noun, or the object of "of"."""
    for tok in parsed[start:end]:
        if tok.dep_ in COUNT_DEPS and tok.head.pos_ in ("NOUN", "PROPN") and not (start <= tok.head.i < end):
            return tok.head
    last = parsed[end - 1]
    for child in last.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
    if end < len(parsed) and parsed[end].pos_ in ("NOUN",) and parsed[end].dep_ != "compound":
        return parsed[end]
    return None


def _unit_text(parsed: Doc, head: Token, after: int) -> Span:
    """Characters of the counted noun with its compound/adjective modifiers that follow the number."""
    start = head.idx
    for child in head.lefts:
        if child.i >= after and child.dep_ in UNIT_MODIFIER_DEPS:
            start = min(start, parsed[child.left_edge.i].idx if child.left_edge.i >= after else child.idx)
    return Span(start, head.idx + len(head.text))


def find_quantities(parsed: Doc) -> list[Quantity]:
    """Every number expression in ``parsed``, with approximation, range ends and the counted noun."""
    out: list[Quantity] = []
    text = parsed.text
    runs = _runs(parsed)
    used: set[int] = set()
    for n, (start, end) in enumerate(runs):
        if n in used:
            continue
        value = parse_number([t.text for t in parsed[start:end]])
        if value is None:
            continue
        low = high = None
        span_start, span_end = start, end
        # Ranges: "200 to 300", "two or three", "between 10 and 20", "from 5 to 8".
        if n + 1 < len(runs):
            nxt_start, nxt_end = runs[n + 1]
            link = parsed[end:nxt_start]
            between = start > 0 and parsed[start - 1].lower_ == "between"
            if len(link) == 1 and (link[0].lower_ in RANGE_LINKS or (between and link[0].lower_ == "and")):
                other = parse_number([t.text for t in parsed[nxt_start:nxt_end]])
                if other is not None and other >= value:
                    low, high = value, other
                    span_end = nxt_end
                    used.add(n + 1)
                    if between or (start > 0 and parsed[start - 1].lower_ == "from"):
                        span_start = start - 1
        approx_start = _match_before(parsed, span_start, APPROXIMATORS)
        approx_end = _match_after(parsed, span_end, TRAILING_APPROXIMATORS)
        approximate = low is not None or approx_start < span_start or approx_end > span_end
        span_start, span_end = approx_start, approx_end
        first_word = parsed[start].lower_
        counted = _counted(parsed, start, span_end if low is not None else end)
        unit = unit_span = None
        if counted is not None:
            unit_chars = _unit_text(parsed, counted, span_end)
            unit = unit_chars.text(text)
            unit_span = Span(counted.idx, counted.idx + len(counted.text))
        if first_word in ("a", "an") and parsed[start + 1].lower_ == "dozen" and counted is None:
            approximate = True
        out.append(
            Quantity(
                span=Span(parsed[span_start].idx, parsed[span_end - 1].idx + len(parsed[span_end - 1].text)),
                value=value,
                approximate=approximate,
                low=low,
                high=high,
                unit=unit,
                unit_span=unit_span,
                head=counted.i if counted is not None else None,
            )
        )
    out.extend(_vague(parsed))
    out.sort(key=lambda q: q.span)
    return out


def _vague(parsed: Doc) -> list[Quantity]:
    """ "hundreds of soldiers", "dozens of tanks": approximate, at least twice the scale."""
    out = []
    text = parsed.text
    for tok in parsed:
        scale = VAGUE_SCALES.get(tok.lower_)
        if scale is None or tok.i + 1 >= len(parsed) or parsed[tok.i + 1].lower_ != "of":
            continue
        objs = [c for c in parsed[tok.i + 1].children if c.dep_ == "pobj"]
        counted = objs[0] if objs else None
        out.append(
            Quantity(
                span=Span(tok.idx, tok.idx + len(tok.text)),
                value=float(2 * scale),
                approximate=True,
                low=float(2 * scale),
                unit=_unit_text(parsed, counted, tok.i + 2).text(text) if counted is not None else None,
                unit_span=Span(counted.idx, counted.idx + len(counted.text)) if counted is not None else None,
                head=counted.i if counted is not None else None,
            )
        )
    return out
