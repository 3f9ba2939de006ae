"""Toponym recognition: spaCy's place entities plus gazetteer matches the NER missed.

Reads the parse (entities, token shapes) and the gazetteer; returns mentions with
their candidate entries, not yet resolved. Two sources of mentions:

1. Entities labelled GPE, LOC or FAC whose text (or a comma-separated part of
   it, or the name before a designator such as "Province", or the name after a
   compass word as in "Northeast Georgia") is in the gazetteer.
2. Runs of capitalised tokens that spaCy left untagged or tagged PERSON/ORG
   ("Hoeryong" as a person, "Musan" as an organisation), when the gazetteer
   knows them as a country, a region, an admin unit or a town of some size, and
   nothing around them says they are a person. A place that opens an
   organisation's name is kept ("the Texas Department of Health"), unless the
   organisation is a newspaper ("the Springfield Gazette").

Demonyms ("North Korean") are not places and are never returned, nor is a place
name that names a disease or a strain ("Marburg virus").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimgraph.model import Document, Span
from claimgraph.places.gazetteer import LARGE_FEATURES, REGION_FEATURES, Entry, Gazetteer, name_key

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels under which a gazetteer match may still be a place the NER got wrong.
RECOVERABLE_LABELS = frozenset({"", "PERSON", "ORG", "NORP"})
# Longest run of tokens tried as one gazetteer name ("Rio de Janeiro", "Hamgyong - bukto").
MAX_NAME_TOKENS = 5
# A town found only by the gazetteer must have at least this many inhabitants.
# Calibrated on LGL: 1,000 recovered small towns but lost more precision on
# surnames and common words than it gained in recall; 5,000 balanced the two.
GAZ_MIN_POPULATION = 5000
SPEECH_LEMMAS = frozenset({"say", "tell", "add", "ask", "explain", "note", "insist", "argue", "write"})
# All-capital names up to this length are read as acronyms.
SHORT_CAPS = 4
# A gazetteer-only town at the start of a sentence (where every word is capitalised)
# needs this many inhabitants, unless the same name is a place elsewhere in the text.
SENT_START_MIN_POPULATION = 100_000
# Candidates kept per mention, most populous first (bounds the resolver's work).
MAX_CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class Mention:
    """A toponym in the text with the gazetteer entries it may denote."""

    span: Span
    text: str
    source: str  # the NER label, or "GAZ" for a gazetteer-only match
    candidates: tuple[Entry, ...]


def _candidates(gazetteer: Gazetteer, text: str) -> tuple[Entry, ...]:
    found = gazetteer.lookup(text)
    if text.isupper() and len(text) <= SHORT_CAPS and "." not in text:
        # "US", "EU", "IRS": an acronym names a country or a region, never a village called "Us".
        found = [e for e in found if e.feature in REGION_FEATURES]
    found.sort(key=lambda e: -e.population)
    return tuple(found[:MAX_CANDIDATES])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the" and a trailing possessive from ``text[start:end]``."""
    span = text[start:end]
    if span.lower().startswith("the "):
        start += 4
    if span.endswith(("'s", "’s")):
        end -= 2
    return start, end


def _person_words(parsed: Doc) -> frozenset[str]:
    """Words of multi-word PERSON entities: a later lone "Henry" is the person, not a town."""
    words: set[str] = set()
    for ent in parsed.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            words.update(t.text for t in ent if t.is_title)
    return frozenset(words)


def _entity_mentions(document: Document, parsed: Doc, gazetteer: Gazetteer) -> list[Mention]:
    text = document.text
    found: list[Mention] = []
    for ent in parsed.ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        # "Pandi, Bulacan" may come as one entity: each comma-separated part is its own toponym.
        offset = ent.start_char
        for part in ent.text.split(","):
            start = offset + len(part) - len(part.lstrip())
            end = offset + len(part.rstrip())
            offset += len(part) + 1
            start, end = _trim(text, start, end)
            name = text[start:end]
            if end <= start or name_key(name) in gazetteer.demonyms:
                continue
            candidates = _candidates(gazetteer, name)
            if not candidates:
                start, name, candidates = _without_direction(gazetteer, start, name)
            if candidates:
                found.append(Mention(Span(start, end), name, ent.label_, candidates))
    return found


def _without_direction(gazetteer: Gazetteer, start: int, name: str) -> tuple[int, str, tuple[Entry, ...]]:
    """The place after a leading compass word ("Northeast Georgia"), with its start and candidates, if known."""
    first, _, rest = name.partition(" ")
    if not rest or first.lower() not in gazetteer.directions:
        return start, name, ()
    found = _candidates(gazetteer, rest)
    if any(e.feature in LARGE_FEATURES - {"PCLI"} for e in found):
        return start, name, ()  # "Eastern Mediterranean" is a region of its own, far from the sea's point
    return start + len(name) - len(rest), rest, found


def _strong(entry: Entry, matched: str, gazetteer: Gazetteer) -> bool:
    """Whether a gazetteer-only match is likely a place: a country, a region, or a sizeable town."""
    if entry.feature in REGION_FEATURES:
        return True
    if entry.feature in ("ADM2", "ADM3"):
        return name_key(matched).split(" ")[-1] in gazetteer.designators
    return entry.population >= GAZ_MIN_POPULATION


def _capitalised(token: Token) -> bool:
    return token.is_title or (token.is_upper and len(token) > 1 and token.is_alpha)


def _gazetteer_mentions(document: Document, parsed: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Longest capitalised runs (up to MAX_NAME_TOKENS) that the gazetteer knows, before any guard."""
    text = document.text
    found: list[Mention] = []
    i = 0
    n = len(parsed)
    while i < n:
        token = parsed[i]
        if not _capitalised(token) or token.ent_type_ not in RECOVERABLE_LABELS:
            i += 1
            continue
        width = 0
        for w in range(min(MAX_NAME_TOKENS, n - i), 0, -1):
            tokens = parsed[i : i + w]
            if not _capitalised(tokens[-1]) or any(t.ent_type_ not in RECOVERABLE_LABELS for t in tokens):
                continue
            start, end = token.idx, tokens[-1].idx + len(tokens[-1])
            name = text[start:end]
            key = name_key(name)
            if key in gazetteer.not_places or key in gazetteer.demonyms or key in gazetteer.person_titles:
                continue
            if (
                w > 1
                and tokens[-1].lower_ in gazetteer.designators
                and i + w < n
                and parsed[i + w].lower_ == "of"
            ):
                continue  # "the Ohio Department of Agriculture": the place is "Ohio"
            candidates = _candidates(gazetteer, name)
            if candidates and _strong(candidates[0], name, gazetteer):
                found.append(Mention(Span(start, end), name, "GAZ", candidates))
                width = w
                break
        i += max(width, 1)
    return found


def _plausible(parsed: Doc, mention: Mention, person_words: frozenset[str], gazetteer: Gazetteer) -> bool:
    """Context guards for a gazetteer-only match: nothing around it says person, organisation or word."""
    span = parsed.char_span(mention.span.start, mention.span.end)
    if span is None:
        return False
    first, last = span[0], span[-1]
    before = parsed[first.i - 1] if first.i > 0 else None
    after = parsed[last.i + 1] if last.i + 1 < len(parsed) else None
    if before is not None and before.lower_.rstrip(".") in gazetteer.person_titles:
        return False
    if (before is not None and before.text in ("-", "&")) or (after is not None and after.text in ("-", "&")):
        return False  # "Wal-Mart", "Johnson & Johnson"
    if after is not None and after.lemma_ in SPEECH_LEMMAS:
        return False  # "Jordan said": a lone name before a speech verb is a person
    if len(span) == 1 and first.text in person_words:
        return False
    if first.ent_type_ in ("PERSON", "ORG"):
        ent = next((e for e in parsed.ents if e.start <= first.i < e.end), None)
        if ent is not None and ent.label_ == "PERSON" and (ent.start != first.i or ent.end != last.i + 1):
            return False  # inside a person's name: only "Hoeryong" whole, not "Andrew Jackson"
        if ent is not None and ent.label_ == "ORG":
            # Only a place that opens an organisation's name ("the Rapides Parish Fire District")...
            if ent.start != first.i and not (ent.start == first.i - 1 and parsed[ent.start].lower_ == "the"):
                return False
            # ...and not a newspaper's title ("the Springfield Gazette"), which names no place.
            if parsed[ent.end - 1].lower_ in gazetteer.masthead_words:
                return False
    elif first.pos_ != "PROPN" and mention.candidates[0].feature not in REGION_FEATURES - {"CONT"}:
        return False  # an untagged common word ("Leader", "Chamber")
    return True


def _in_focus(mention: Mention, countries: set[str]) -> bool:
    """A gazetteer-only town must lie in a country the NER-found places point to (when there are any)."""
    if not countries or mention.candidates[0].feature in REGION_FEATURES:
        return True
    return any(e.country in countries for e in mention.candidates)


def _sentence_initial(parsed: Doc, mention: Mention) -> bool:
    span = parsed.char_span(mention.span.start, mention.span.end)
    return span is None or span[0].i == 0 or bool(span[0].is_sent_start)


def recognize(document: Document, parsed: Doc, gazetteer: Gazetteer) -> list[Mention]:
    """Toponym mentions in ``document`` (none inside ``document.removed``), in text order."""
    mentions = [m for m in _entity_mentions(document, parsed, gazetteer) if not document.is_removed(m.span)]
    countries = {m.candidates[0].country for m in mentions if m.candidates[0].country}
    person_words = _person_words(parsed)
    taken = [m.span for m in mentions]
    extra = [
        m
        for m in _gazetteer_mentions(document, parsed, gazetteer)
        if not any(m.span.overlaps(t) for t in taken)
        and not document.is_removed(m.span)
        and _plausible(parsed, m, person_words, gazetteer)
        and _in_focus(m, countries)
    ]
    # At a sentence start capitals say nothing: keep a town there only when it is big,
    # a region, or its name is a place elsewhere in the text.
    inside = [m for m in extra if not _sentence_initial(parsed, m)]
    known = {name_key(m.text) for m in [*mentions, *inside]}
    for m in extra:
        best = m.candidates[0]
        if (
            m in inside
            or best.feature in REGION_FEATURES
            or best.population >= SENT_START_MIN_POPULATION
            or name_key(m.text) in known
        ):
            mentions.append(m)
    mentions = [m for m in mentions if not _names_something_else(parsed, m, gazetteer)]
    mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return mentions


def _names_something_else(parsed: Doc, mention: Mention, gazetteer: Gazetteer) -> bool:
    """A place name used to name a disease or a strain ("Marburg virus", "the Reston strain")."""
    span = parsed.char_span(mention.span.start, mention.span.end, alignment_mode="expand")
    if span is None or span.end >= len(parsed):
        return False
    return parsed[span.end].lower_ in gazetteer.eponym_heads
