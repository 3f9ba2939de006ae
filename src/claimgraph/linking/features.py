"""Text features the linking stage compares: content words, word shingles, name-like phrases.

Everything here is a pure function of a string (no model, no I/O), so features can be
computed once per document and kept in an index.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from math import log, sqrt

WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
# A run of capitalised words ("Daily Ledger", "Port of Varn"), the cheap stand-in for
# named entities: the linker runs without the parser.
NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:of|and|de|al|the)?\s*[A-Z][\w'’-]*)*", re.UNICODE)

# Longer capitalised runs are title-case headlines or lists, not names.
MAX_NAME_WORDS = 5
# General English function words and reporting words that say nothing about what a story
# is about ("said", "told", "reported" appear in every article).
_STOPWORD_LINES = (
    "a about above after again against all almost also although am among an and another any",
    "are around as at be because been before being below between both but by can could did do",
    "does doing down during each either else even ever every few for from further had has have",
    "having he her here hers herself him himself his how however i if in into is it its itself",
    "just last least less like made make many may me might more most much must my myself near",
    "neither never new next no nor not now of off often on once one only or other others our ours",
    "out over own per perhaps rather same she should since so some still such than that the their",
    "theirs them themselves then there these they this those though through thus to too toward",
    "under until up upon us very via was we well were what when where whether which while who",
    "whom whose why will with within without would yet you your yours yesterday today tomorrow",
    "monday tuesday wednesday thursday friday saturday sunday week weeks year years day days",
    "month months time times said says say saying told tell tells according report reports",
    "reported reporting statement added asked spoke speaking people mr mrs ms dr news article",
    "two three four five six seven eight nine ten first second third",
)
STOPWORDS = frozenset(w for line in _STOPWORD_LINES for w in line.split())


def _fold(word: str) -> str:
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word.rstrip("'")


def words(text: str) -> list[str]:
    """Every word of ``text``, lower-cased, apostrophes folded, possessive 's dropped (no digits)."""
    return [_fold(w) for w in WORD.findall(text)]


def stem(word: str) -> str:
    """A light plural fold: 'tanks' -> 'tank', 'guards' -> 'guard' ('press', 'bus' kept)."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(text: str, lead: int = 0) -> Counter[str]:
    """Content-word counts of ``text``: no stop words, no words under three letters, plural folded.

    The first ``lead`` content words (a news lead says what the story is) count twice.
    """
    return content_terms_of(words(text), lead)


def content_terms_of(tokens: list[str], lead: int = 0) -> Counter[str]:
    """``content_terms`` of words already split by ``words`` (to split a long text once)."""
    terms = [stem(w) for w in tokens if len(w) >= 3 and w not in STOPWORDS]
    counts = Counter(terms)
    counts.update(terms[:lead])
    return counts


def name_phrases(text: str) -> Counter[str]:
    """Capitalised word runs that look like names, lower-cased ('Port of Varn' -> 'port of varn').

    A single capitalised word that also occurs in lower case in ``text`` (a sentence-initial
    'However', 'Police') is left out, as is a run made only of stop words.
    """
    lower_seen = {w.replace("’", "'") for w in WORD.findall(text) if w.islower()}
    found: Counter[str] = Counter()
    for match in NAME_RUN.finditer(text):
        run = " ".join(match.group(0).split()).replace("’", "'")
        # "China and North Korea", "South Korea's Chosun Ilbo": one name per part
        for part in re.split(r"'s\s+|\s+and\s+", run):
            tokens = [_fold(t) for t in part.split()]
            while tokens and tokens[0] in STOPWORDS:
                tokens = tokens[1:]
            while tokens and tokens[-1] in STOPWORDS:
                tokens = tokens[:-1]
            if not tokens or len(tokens) > MAX_NAME_WORDS:
                continue  # a title-case headline, not a name
            if len(tokens) == 1 and (tokens[0] in lower_seen or len(tokens[0]) < 3):
                continue
            found[" ".join(tokens)] += 1
    return found


def shingles(tokens: list[str], size: int) -> set[str]:
    """Consecutive ``size``-word windows of ``tokens`` (the whole list when it is shorter)."""
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def idf(df: int, n: int) -> float:
    """Smoothed inverse document frequency (never zero, so a term every document has still counts)."""
    return log((1 + n) / (1 + df)) + 1.0


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two sparse vectors (0.0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    if dot == 0.0:
        return 0.0
    na = sqrt(sum(v * v for v in a.values()))
    nb = sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def weigh(counts: Mapping[str, int] | Iterable[str], df: Mapping[str, int], n: int) -> dict[str, float]:
    """TF-IDF weights (sublinear tf) of ``counts`` given document frequencies ``df`` over ``n`` documents."""
    if not isinstance(counts, Mapping):
        counts = dict.fromkeys(counts, 1)
    return {t: (1.0 + log(c)) * idf(df.get(t, 0), n) for t, c in counts.items() if c > 0}


def parse_day(value: str | None) -> date | None:
    """The calendar day of an ISO 8601 date or datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
