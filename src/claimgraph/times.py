"""Times: resolve date expressions to intervals against an anchor date.

``resolve_times(parsed, document, anchor)`` reads ``document.text`` (regular
expressions), the spaCy DATE entities of ``parsed`` (candidates the rules do
not cover, kept as *unknown*) and ``document.removed``; it returns one
``TimeMention`` per expression outside the removed ranges.

The anchor, in order of preference:

1. the ``anchor`` argument (a date, day precision);
2. ``Document.published`` (ISO date or datetime, day precision);
3. the text itself (``infer_anchor``): the latest absolute date the text gives
   (a full date, a month with its year, or a bare year after a preposition,
   skipping bounds such as "by 2030" that point forward). The anchor is then
   only as precise as that date: a year makes "In October" October of that
   year, but leaves "today" or "last Friday" unknown.

Rules (all relative expressions look back: the most recent match not after
the anchor, as news reports past events):

- "October", "in October": the most recent October not after the anchor.
- "early/mid-/late November": days 1–10, 11–20, 21–end (precision ``week``:
  a third of a month is the nearest precision the model has).
- "by November 30", "until", "before": an interval with ``start`` unknown and
  ``end`` the bound; "since", "after", "from": ``start`` only (``end`` is the
  anchor when the anchor is a day).
- "today", "yesterday", "tomorrow", "last night"; "on Tuesday" (the most
  recent Tuesday, the anchor's day included), "last Friday" (strictly before),
  "next Friday"; "this/last/next week" (Monday to Sunday), month, year;
  "three days ago".
- "in 2016"; "early/mid/late 2016" (Jan–Apr, May–Aug, Sep–Dec, precision
  ``season``); "the 1990s" (year precision, the whole decade).
- Seasons (northern meteorological): spring Mar–May, summer Jun–Aug, autumn
  or fall Sep–Nov, winter Dec–Feb; "winter 2020" and "2020 winter" are the
  winter that *starts* in December 2020; "this winter" is the winter holding
  the anchor, or the next one when the anchor is in spring to autumn.
- "3 March 2024", "March 3, 2024", "March 3", "2020-12-01".

Anything else spaCy tags DATE ("several years", "recent weeks") is a mention
with precision ``unknown`` and no bounds.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from claimgraph.model import Document, Span, TimeInterval
from claimgraph.quantities import parse_number

if TYPE_CHECKING:
    from spacy.tokens import Doc

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTH_ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = {name.lower(): n for n, name in enumerate(calendar.day_name)}
# First month of each season and its length in months.
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
# Parts of a month: (first day, last day or None for the month's end).
MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}
# Parts of a year: (first month, last month).
YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
# A day named without its year ("November 30") is read in the anchor's year when it falls
# at most this many days after the anchor (news announces near dates: "talks on December 5"),
# else in the year before. One month: set by hand, not tuned on any data.
FUTURE_WINDOW_DAYS = 31
# Years the anchor inference and bare-year rule accept.
MIN_YEAR, MAX_YEAR = 1900, 2099

AGE = re.compile(r"(?i)-(?:year|month|week|day)s?-old\b|\bold$")

PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "season": 3, "year": 4, "unknown": 5}

# Month names are matched capitalised only ("may" is a verb, "march" too).
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
)
_PART = r"(?:(?P<part>(?i:early|mid|late|the\s+(?:start|beginning|middle|end)\s+of|(?:start|beginning|middle|end)\s+of))[\s-]+)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASON = r"(?P<season>(?i:spring|summer|autumn|fall|winter))"
_REL = r"(?P<rel>(?i:this|last|next|past|coming|earlier\s+this|later\s+this))"
_NUM = r"(?P<num>\d+|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\s+few))"
_UNIT = r"(?P<unit>(?i:day|week|month|year))s?"

# Prepositions that turn a date into one bound of an interval.
END_BOUNDS = frozenset({"by", "until", "till", "before"})
START_BOUNDS = frozenset({"since", "after", "from"})
_BOUND = r"(?:(?P<bound>(?i:by|until|till|before|since|after|from))\s+)?"
# Prepositions that make a bare month or year a date ("in October", "throughout 2020").
_CUE = r"(?P<cue>(?i:in|during|throughout|since|by|until|till|before|after|from|of|for|early|mid|late|last|this|next))"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(_BOUND + r"\b(?P<year>\d{4})-(?P<mon>\d\d)-(?P<day>\d\d)\b")),
    (
        "day_month",
        re.compile(_BOUND + r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"\b(?:,?\s+" + _YEAR + r")?"),
    ),
    (
        "month_day",
        re.compile(
            _BOUND + r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?!\s*(?:[,:.]\d|\d))(?:,?\s+" + _YEAR + r"\b)?"
        ),
    ),
    (
        "month_year",
        re.compile(_BOUND + r"\b" + _PART + r"?" + _MONTH + r"(?:,?\s+(?:of\s+)?" + _YEAR + r")\b"),
    ),
    (
        "month",
        re.compile(
            r"\b(?:"
            + _CUE
            + r"[\s-]+)?(?P<part>(?i:(?:the\s+)?(?:start|beginning|middle|end)\s+of)\s+)?"
            + _MONTH
            + r"\b(?!\s+[0-3]?\d\b)"
        ),
    ),
    (
        "season_year",
        re.compile(_BOUND + r"\b" + _PART + r"?" + _SEASON + r"(?:\s+(?:of\s+)?" + _YEAR + r")\b"),
    ),
    ("year_season", re.compile(_BOUND + r"\b" + _YEAR + r"\s+" + _SEASON + r"\b")),
    ("rel_season", re.compile(r"\b" + _REL + r"\s+" + _SEASON + r"\b")),
    (
        "decade",
        re.compile(r"\b(?i:the\s+)?(?P<part>(?i:early|mid|late)[\s-]+)?(?P<decade>(?:1[89]|20)\d0)['’]?s\b"),
    ),
    ("part_year", re.compile(_BOUND + r"\b(?P<part>(?i:early|mid|late))[\s-]+" + _YEAR + r"\b")),
    (
        "year",
        re.compile(
            r"\b(?P<cue>(?i:in|during|throughout|since|by|until|till|before|after|from|of|for))\s+"
            + _YEAR
            + r"\b(?![-/]\d|,\d|\s*(?i:people|troops|soldiers|tanks|men|women))"
        ),
    ),
    (
        "deictic",
        re.compile(
            r"\b(?P<word>(?i:today|tonight|yesterday|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening)))\b"
        ),
    ),
    (
        "weekday",
        re.compile(
            r"(?:\b(?P<rel>(?i:last|next|this|on|since|by|until|before|after))\s+)?\b" + _WEEKDAY + r"\b"
        ),
    ),
    ("rel_unit", re.compile(r"\b" + _REL + r"\s+" + _UNIT + r"\b")),
    ("ago", re.compile(r"\b" + _NUM + r"\s+" + _UNIT + r"\s+(?i:ago)\b")),
)


@dataclass(frozen=True, slots=True)
class Anchor:
    """The date relative expressions are read against, and how precisely it is known."""

    day: date
    precision: str = "day"  # day | month | year
    origin: str = "given"  # given | published | text


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A date expression in the text and the interval it denotes."""

    span: Span
    interval: TimeInterval
    rule: str = "unknown"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTH_ABBREVIATIONS[key]


def _interval(start: date | None, end: date | None, precision: str) -> TimeInterval:
    return TimeInterval(
        start=start.isoformat() if start else None, end=end.isoformat() if end else None, precision=precision
    )


def _unknown() -> TimeInterval:
    return TimeInterval(start=None, end=None, precision="unknown")


def _has(anchor: Anchor | None, precision: str) -> bool:
    """True when the anchor is known at least as precisely as ``precision``."""
    return anchor is not None and PRECISION_RANK[anchor.precision] <= PRECISION_RANK[precision]


def _part_of_month(year: int, month: int, part: str | None) -> tuple[date, date, str]:
    key = _part_key(part)
    if key is None:
        return date(year, month, 1), _month_end(year, month), "month"
    first, last = MONTH_PARTS[key]
    end = _month_end(year, month) if last is None else date(year, month, last)
    return date(year, month, first), end, "week"


def _part_key(part: str | None) -> str | None:
    """Normalise "the end of", "beginning of", "mid" to early/mid/late."""
    if not part:
        return None
    low = part.lower()
    if "start" in low or "beginning" in low or "early" in low:
        return "early"
    if "middle" in low or "mid" in low:
        return "mid"
    if "end" in low or "late" in low:
        return "late"
    return None


def _recent_month(month: int, anchor: Anchor) -> int:
    """Year of the most recent ``month`` not after the anchor."""
    return anchor.day.year if month <= anchor.day.month else anchor.day.year - 1


def _season(name: str, year: int) -> tuple[date, date]:
    first = SEASONS[name.lower()]
    if first == 12:
        return date(year, 12, 1), _month_end(year + 1, 2)
    return date(year, first, 1), _month_end(year, first + 2)


def _season_containing(name: str, anchor: date) -> tuple[date, date]:
    """The season ``name`` of the anchor's year; for winter, the one holding the anchor or the next."""
    if SEASONS[name.lower()] == 12 and anchor.month <= 2:
        return _season(name, anchor.year - 1)
    return _season(name, anchor.year)


def _bounded(
    start: date, end: date, precision: str, bound: str | None, anchor: Anchor | None
) -> TimeInterval:
    """Apply "by/until/before" (end only) or "since/after/from" (start only)."""
    if not bound:
        return _interval(start, end, precision)
    b = bound.lower()
    if b in END_BOUNDS:
        return _interval(None, start - timedelta(days=1) if b == "before" else end, precision)
    if b in START_BOUNDS:
        until = anchor.day if _has(anchor, "day") and anchor is not None else None
        return _interval(end + timedelta(days=1) if b == "after" else start, until, precision)
    return _interval(start, end, precision)


Handler = Callable[[re.Match[str], Anchor | None], TimeInterval | None]


def _iso(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    d = date(int(m["year"]), int(m["mon"]), int(m["day"]))
    return _bounded(d, d, "day", m["bound"], anchor)


def _day_date(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    month = _month_number(m["month"])
    day = int(m["day"])
    if m["year"]:
        year = int(m["year"])
    elif _has(anchor, "year") and anchor is not None:
        year = anchor.day.year
        ahead = (date(year, month, day) - anchor.day).days
        if _has(anchor, "day") and ahead > FUTURE_WINDOW_DAYS:
            year -= 1
        elif _has(anchor, "day") and ahead < -(366 - FUTURE_WINDOW_DAYS):
            year += 1
    else:
        return _unknown()
    d = date(year, month, day)
    return _bounded(d, d, "day", m["bound"], anchor)


def _month_year(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    start, end, precision = _part_of_month(int(m["year"]), _month_number(m["month"]), m["part"])
    return _bounded(start, end, precision, m["bound"], anchor)


def _month(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    if not _has(anchor, "year") or anchor is None:
        return _unknown()
    if not m["cue"] and not m["part"]:
        return None  # a bare capitalised month name may be a verb or a name ("May", "March")
    month = _month_number(m["month"])
    cue = (m["cue"] or "").lower()
    part = cue if cue in MONTH_PARTS else m["part"]
    year = _recent_month(month, anchor)
    if cue == "next":
        year = anchor.day.year if month > anchor.day.month else anchor.day.year + 1
    elif cue == "last" and month == anchor.day.month and _has(anchor, "month"):
        year -= 1
    start, end, precision = _part_of_month(year, month, part)
    bound = cue if cue in END_BOUNDS | START_BOUNDS else None
    return _bounded(start, end, precision, bound, anchor)


def _season_year(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    start, end = _season(m["season"], int(m["year"]))
    bound = m["bound"] if "bound" in m.groupdict() else None
    return _bounded(start, end, "season", bound, anchor)


def _rel_season(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    if not _has(anchor, "month") or anchor is None:
        return _unknown()
    name = m["season"]
    rel = " ".join(m["rel"].lower().split())
    today = anchor.day
    if rel in ("last", "past"):
        year = today.year
        while _season(name, year)[1] >= today:
            year -= 1
        start, end = _season(name, year)
    elif rel in ("next", "coming"):
        year = today.year - 1
        while _season(name, year)[0] <= today:
            year += 1
        start, end = _season(name, year)
    else:
        start, end = _season_containing(name, today)
    return _interval(start, end, "season")


def _decade(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    first = int(m["decade"])
    key = _part_key(m["part"])
    lo, hi = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(key or "", (0, 9))
    return _interval(date(first + lo, 1, 1), date(first + hi, 12, 31), "year")


def _part_year(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    year = int(m["year"])
    first, last = YEAR_PARTS[_part_key(m["part"]) or "mid"]
    return _bounded(date(year, first, 1), _month_end(year, last), "season", m["bound"], anchor)


def _year(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    year = int(m["year"])
    cue = m["cue"].lower()
    bound = cue if cue in END_BOUNDS | START_BOUNDS else None
    return _bounded(date(year, 1, 1), date(year, 12, 31), "year", bound, anchor)


def _deictic(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    if not _has(anchor, "day") or anchor is None:
        return _unknown()
    word = " ".join(m["word"].lower().split())
    shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
    d = anchor.day + timedelta(days=shift)
    return _interval(d, d, "day")


def _weekday(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    if not _has(anchor, "day") or anchor is None:
        return _unknown()
    target = WEEKDAYS[m["weekday"].lower()]
    rel = (m["rel"] or "").lower()
    back = (anchor.day.weekday() - target) % 7
    if rel == "last" and back == 0:
        back = 7
    if rel == "next":
        ahead = (target - anchor.day.weekday()) % 7 or 7
        d = anchor.day + timedelta(days=ahead)
    else:
        d = anchor.day - timedelta(days=back)
    bound = rel if rel in END_BOUNDS | START_BOUNDS else None
    return _bounded(d, d, "day", bound, anchor)


def _period(unit: str, when: date) -> tuple[date, date, str]:
    """The week (Monday–Sunday), month or year holding ``when``."""
    if unit == "day":
        return when, when, "day"
    if unit == "week":
        monday = when - timedelta(days=when.weekday())
        return monday, monday + timedelta(days=6), "week"
    if unit == "month":
        return date(when.year, when.month, 1), _month_end(when.year, when.month), "month"
    return date(when.year, 1, 1), date(when.year, 12, 31), "year"


def _shift(unit: str, when: date, n: int) -> date:
    """``when`` moved by ``n`` days, weeks, months or years (day clipped to the month's length)."""
    if unit == "day":
        return when + timedelta(days=n)
    if unit == "week":
        return when + timedelta(weeks=n)
    months = n * (12 if unit == "year" else 1)
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(when.day, calendar.monthrange(year, month + 1)[1]))


def _rel_unit(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    unit = m["unit"].lower()
    if not _has(anchor, unit if unit != "week" else "day") or anchor is None:
        return _unknown()
    rel = " ".join(m["rel"].lower().split())
    if rel == "past":
        # "the past week": the span ending at the anchor, not the previous calendar week.
        start = _shift(unit, anchor.day, -1) + timedelta(days=1)
        return _interval(start, anchor.day, "week" if unit == "week" else _period(unit, anchor.day)[2])
    n = {"last": -1, "next": 1, "coming": 1}.get(rel, 0)
    start, end, precision = _period(unit, _shift(unit, anchor.day, n))
    return _interval(start, end, precision)


def _ago(m: re.Match[str], anchor: Anchor | None) -> TimeInterval | None:
    unit = m["unit"].lower()
    if not _has(anchor, unit if unit != "week" else "day") or anchor is None:
        return _unknown()
    words = m["num"].lower().split()
    if words == ["a", "few"]:
        return _unknown()
    n = 1 if words in (["a"], ["an"]) else parse_number(words)
    if n is None:
        return _unknown()
    start, end, precision = _period(unit, _shift(unit, anchor.day, -int(n)))
    return _interval(start, end, precision)


HANDLERS: dict[str, Handler] = {
    "iso": _iso,
    "day_month": _day_date,
    "month_day": _day_date,
    "month_year": _month_year,
    "month": _month,
    "season_year": _season_year,
    "year_season": _season_year,
    "rel_season": _rel_season,
    "decade": _decade,
    "part_year": _part_year,
    "year": _year,
    "deictic": _deictic,
    "weekday": _weekday,
    "rel_unit": _rel_unit,
    "ago": _ago,
}

# Leading words kept out of a mention's span: they locate, they do not bound.
_LEADING_CUES = re.compile(r"^(?i:(?:in|during|throughout|on|of|for|this|the)\s+)")


def scan(text: str, anchor: Anchor | None, skip: list[Span] | None = None) -> list[TimeMention]:
    """Every date expression the rules recognise in ``text``, longest first where they overlap."""
    found: list[TimeMention] = []
    for rule, pattern in PATTERNS:
        for m in pattern.finditer(text):
            try:
                interval = HANDLERS[rule](m, anchor)
            except (ValueError, KeyError, OverflowError):
                interval = None
            if interval is None:
                continue
            start = m.start()
            lead = _LEADING_CUES.match(m.group(0))
            if lead and rule in ("month", "year", "weekday"):
                start += lead.end()
            span = Span(start, m.end())
            if skip and any(span.overlaps(s) for s in skip):
                continue
            interval.mention = span
            found.append(TimeMention(span=span, interval=interval, rule=rule))
    found.sort(key=lambda t: (-(len(t.span)), t.span.start))
    chosen: list[TimeMention] = []
    for t in found:
        if not any(t.span.overlaps(c.span) for c in chosen):
            chosen.append(t)
    chosen.sort(key=lambda t: t.span)
    return chosen


# Rules whose result does not depend on the anchor, and so can set one.
ABSOLUTE_RULES = frozenset({"iso", "day_month", "month_day", "month_year", "year"})


def infer_anchor(text: str, skip: list[Span] | None = None) -> Anchor | None:
    """The latest absolute date the text gives, as precise as it is given; None when there is none.

    Bounds pointing forward ("by 2030", "until March 2025") and open intervals are left out:
    they say when something is due, not when the text was written.
    """
    best: tuple[date, str] | None = None
    for t in scan(text, None, skip):
        iv = t.interval
        if t.rule not in ABSOLUTE_RULES or iv.start is None or iv.end is None:
            continue
        end = date.fromisoformat(iv.end)
        if not MIN_YEAR <= end.year <= MAX_YEAR:
            continue
        precision = "day" if iv.precision in ("day", "week") else iv.precision
        if best is None or end > best[0]:
            best = (end, precision)
    if best is None:
        return None
    return Anchor(day=best[0], precision=best[1], origin="text")


def parse_published(published: str | None) -> date | None:
    """The date of an ISO 8601 date or datetime string; None when absent or unreadable."""
    if not published:
        return None
    try:
        return date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


def choose_anchor(document: Document, anchor: date | None = None) -> Anchor | None:
    """The given date, else the publication date, else the latest absolute date in the text."""
    if anchor is not None:
        return Anchor(day=anchor, precision="day", origin="given")
    published = parse_published(document.published)
    if published is not None:
        return Anchor(day=published, precision="day", origin="published")
    return infer_anchor(document.text, [r.span for r in document.removed])


def resolve_expression(text: str, anchor: date | Anchor | None) -> TimeInterval:
    """The interval of one date expression (the longest one found in ``text``); unknown when none."""
    if isinstance(anchor, date):
        anchor = Anchor(day=anchor)
    mentions = scan(text, anchor)
    if not mentions:
        return _unknown()
    return max(mentions, key=lambda t: len(t.span)).interval


def resolve_times(parsed: Doc, document: Document, anchor: date | None = None) -> list[TimeMention]:
    """Date expressions of ``document`` with their intervals (see the module docstring for the anchor).

    Reads ``document.text``, ``document.published``, ``document.removed`` and the DATE entities
    of ``parsed``; entities the rules do not resolve are kept with precision ``unknown``.
    """
    skip = [r.span for r in document.removed]
    chosen = choose_anchor(document, anchor)
    mentions = scan(document.text, chosen, skip)
    for ent in parsed.ents:
        if ent.label_ != "DATE":
            continue
        span = Span(ent.start_char, ent.end_char)
        if any(span.overlaps(s) for s in skip) or any(span.overlaps(t.span) for t in mentions):
            continue
        if AGE.search(ent.text):
            continue  # "four-year-old" is an age, not a date
        interval = _unknown()
        interval.mention = span
        mentions.append(TimeMention(span=span, interval=interval, rule="unknown"))
    mentions.sort(key=lambda t: t.span)
    return mentions
