"""Score places and events against a ``gold/1`` annotation (the seeds evaluator's second half).

Places: a gold place's *matches* are the system places whose mention overlaps an
occurrence of its evidence (occurrences located as for every gold item, see
``seeds_gold.locate_evidence``). It is *found* when it has a match, has the right
*country* when every match carries the gold ISO country code, and is *within 50 km*
when, besides, every match has coordinates at most ``PLACE_WITHIN_KM`` from the gold
point. For a country (gold feature ``PCLI``) the gold point is a convention (GeoNames
puts it near the middle, other gazetteers elsewhere), so any point the system gives
with the right country code is accepted. "Every match" makes one mention resolved
elsewhere (Musan the South Korean town) fail the place. A gold place marked
``noise`` is *output* when any system place overlaps any occurrence of it at all.

Events: a gold event's *region* is the union of the sentences that overlap an
occurrence of the evidence of one of its claims; when it lists no claims, the
sentences holding an occurrence of one of its place mentions. A system event whose
trigger lies inside that region is a candidate. Gold and system events are paired
one-to-one, best first: most attributes right (places, quantity, time, each counted
only when the gold gives it), then earlier gold event, then earlier system event.

- places right: every gold place mention is matched by a place the system event
  lists (a ``Place`` whose mention overlaps an occurrence of the mention);
- quantity right: equal values;
- time right: the system interval's ``start`` and ``end`` equal the gold ones.

Sentences are cut by ``sentence_spans``: a rule, not a parser, so the evaluator needs
no model (see ``SENTENCE_END``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimgraph.evaluate.common import covered, merge_ranges
from claimgraph.evaluate.seeds_gold import GoldDocument, GoldEvent, GoldPlace, locate_evidence
from claimgraph.model import DocumentAnalysis, Event, Place, Span
from claimgraph.places.gazetteer import distance_km

# The acceptance distance (issue 4: "resolved within 50 km"): about the radius
# of a county or a small province, tighter than geoparsing's usual 161 km.
PLACE_WITHIN_KM = 50.0
COUNTRY_FEATURE = "PCLI"

# A sentence ends at ".", "!" or "?" (repeats allowed), then closing quotes or
# brackets, then whitespace before what can open a sentence (a capital, a digit, an
# opening quote or bracket). A period right after a lone capital letter (initials,
# "U.S.") ends nothing. A line break always ends a sentence: news paragraphs are lines.
# A title such as "Mr." still cuts a sentence short, which only narrows an event's region.
SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")


def sentence_spans(text: str) -> list[Span]:
    """``text`` cut into sentences that tile it (each keeps the whitespace after it)."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append(Span(start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append(Span(start, len(text)))
    return spans


def sentences_around(sentences: Sequence[Span], occurrences: Sequence[Span]) -> list[Span]:
    """The union (sorted, merged) of the sentences that overlap any of ``occurrences``."""
    return merge_ranges(s for s in sentences if any(s.overlaps(o) for o in occurrences))


@dataclass(slots=True)
class PlaceOutcome:
    gold: GoldPlace
    matches: list[Place]
    distances: list[float | None]  # km from the gold point, per match (None: no coordinates)
    in_text: bool

    @property
    def found(self) -> bool:
        return bool(self.matches)

    @property
    def country_ok(self) -> bool:
        return self.found and all(p.country == self.gold.country for p in self.matches)

    @property
    def within_ok(self) -> bool:
        if not self.country_ok or None in self.distances:
            return False
        if self.gold.feature == COUNTRY_FEATURE:
            return True
        return all(d is not None and d <= PLACE_WITHIN_KM for d in self.distances)


@dataclass(slots=True)
class NoisePlaceOutcome:
    gold: GoldPlace
    output: list[Place]  # system places on it (should be none)


@dataclass(slots=True)
class EventOutcome:
    gold: GoldEvent
    system: Event | None
    candidates: int  # system events with a trigger in the region
    in_text: bool  # the region is not empty
    places_ok: bool | None  # None: the gold gives no place (and likewise below)
    quantity_ok: bool | None
    time_ok: bool | None

    @property
    def found(self) -> bool:
        return self.system is not None


def _distance(gold: GoldPlace, place: Place) -> float | None:
    if gold.lat is None or gold.lon is None or place.lat is None or place.lon is None:
        return None
    return distance_km(gold.lat, gold.lon, place.lat, place.lon)


def score_places(
    gold: GoldDocument, result: DocumentAnalysis
) -> tuple[list[PlaceOutcome], list[NoisePlaceOutcome]]:
    """Match every gold place to the system places on its evidence; list system places on noise places."""
    text, removed = result.document.text, [r.span for r in result.document.removed]
    outcomes, noise = [], []
    for place in gold.places:
        if place.noise:
            every = locate_evidence(text, place.evidence, [])
            output = [p for p in result.places if any(p.mention.overlaps(o) for o in every)]
            noise.append(NoisePlaceOutcome(place, output))
            continue
        occurrences = locate_evidence(text, place.evidence, removed)
        matches = [p for p in result.places if any(p.mention.overlaps(o) for o in occurrences)]
        distances = [_distance(place, p) for p in matches]
        outcomes.append(PlaceOutcome(place, matches, distances, bool(occurrences)))
    return outcomes, noise


def _region(gold: GoldDocument, event: GoldEvent, text: str, removed: list[Span]) -> list[Span]:
    evidence = {c.id: c.evidence for c in gold.claims}
    needles = [evidence[c] for c in event.claims] if event.claims else list(event.places)
    occurrences = [o for needle in needles for o in locate_evidence(text, needle, removed)]
    return sentences_around(sentence_spans(text), occurrences)


def _attributes(
    gold: GoldEvent, system: Event, places: dict[str, Place], text: str, removed: list[Span]
) -> tuple[bool | None, bool | None, bool | None]:
    """Whether ``system`` has the gold event's places, quantity and time (None where the gold gives none)."""
    places_ok = None
    if gold.places:
        listed = [places[i] for i in system.places if i in places]
        places_ok = all(
            any(p.mention.overlaps(o) for p in listed for o in locate_evidence(text, mention, removed))
            for mention in gold.places
        )
    quantity_ok = None
    if gold.quantity is not None:
        quantity_ok = system.quantity is not None and math.isclose(system.quantity, gold.quantity)
    time_ok = None
    if gold.time is not None:
        time_ok = system.time is not None and (system.time.start, system.time.end) == gold.time
    return places_ok, quantity_ok, time_ok


def score_events(gold: GoldDocument, result: DocumentAnalysis) -> list[EventOutcome]:
    """Pair gold events with system events triggered inside their regions, one-to-one, best first."""
    text, removed = result.document.text, [r.span for r in result.document.removed]
    places = {p.id: p for p in result.places}
    regions = [_region(gold, g, text, removed) for g in gold.events]
    candidates: dict[int, list[int]] = {}
    checks: dict[tuple[int, int], tuple[bool | None, bool | None, bool | None]] = {}
    for g, event in enumerate(gold.events):
        for s, system in enumerate(result.events):
            if system.trigger is not None and covered(system.trigger, regions[g]):
                candidates.setdefault(g, []).append(s)
                checks[g, s] = _attributes(event, system, places, text, removed)
    ranked = sorted((-sum(bool(x) for x in checks[g, s]), g, s) for g, s in checks)
    partner: dict[int, int] = {}
    taken: set[int] = set()
    for _, g, s in ranked:
        if g not in partner and s not in taken:
            partner[g] = s
            taken.add(s)
    outcomes = []
    for g, event in enumerate(gold.events):
        match = partner.get(g)
        places_ok, quantity_ok, time_ok = checks[g, match] if match is not None else _missed(event)
        outcomes.append(
            EventOutcome(
                gold=event,
                system=result.events[match] if match is not None else None,
                candidates=len(candidates.get(g, [])),
                in_text=bool(regions[g]),
                places_ok=places_ok,
                quantity_ok=quantity_ok,
                time_ok=time_ok,
            )
        )
    return outcomes


def _missed(event: GoldEvent) -> tuple[bool | None, bool | None, bool | None]:
    """The attribute checks of an unmatched gold event: False where the gold gives one, None elsewhere."""
    return (
        False if event.places else None,
        False if event.quantity is not None else None,
        False if event.time is not None else None,
    )


def place_line(o: PlaceOutcome) -> str:
    """One diagnostic line for a gold place."""
    head = f"place {o.gold.evidence!r}"
    if not o.in_text:
        return f"{head}: MISSED, evidence not in the text"
    if not o.found:
        return f"{head}: MISSED, no system place on it"
    resolved = sorted({f"{p.name} ({p.country or '?'})" for p in o.matches})
    far = [d for d in o.distances if d is not None]
    state = "resolved" if o.within_ok else ("WRONG COUNTRY" if not o.country_ok else "TOO FAR")
    where = f", up to {max(far):.0f} km from gold" if far else ", no coordinates"
    return f"{head}: found {len(o.matches)}x, {state}: {', '.join(resolved)}{where}"


def noise_place_line(o: NoisePlaceOutcome) -> str:
    state = f"OUTPUT as {', '.join(p.id for p in o.output)}" if o.output else "not output"
    return f"noise place {o.gold.evidence!r}: {state}"


def event_line(o: EventOutcome, text: str) -> str:
    """One diagnostic line for a gold event."""
    head = f"event {o.gold.id}"
    if not o.in_text:
        return f"{head}: MISSED, its claims' or places' evidence is not in the text"
    if o.system is None:
        return f"{head}: MISSED, no system event triggered in its sentences"
    trigger = o.system.trigger.text(text) if o.system.trigger is not None else ""
    notes = []
    if o.places_ok is False:
        listed = ", ".join(o.system.places) or "none"
        notes.append(f"places {list(o.gold.places)} not all among its places ({listed})")
    if o.quantity_ok is False:
        notes.append(f"quantity {o.system.quantity}, gold {o.gold.quantity:g}")
    if o.time_ok is False:
        got = (o.system.time.start, o.system.time.end) if o.system.time is not None else None
        notes.append(f"time {got}, gold {o.gold.time}")
    line = f"{head}: found as {o.system.id} ({trigger!r}, {o.candidates} candidate(s))"
    return line + (f"; {'; '.join(notes)}" if notes else "")
