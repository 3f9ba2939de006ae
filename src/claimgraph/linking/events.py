"""Same-event linking: which events of different documents are one real-world event.

Reads each document's ``Event`` records (type, places, time, actor, target, equipment,
quantity) with its ``Place`` records and publication day; adds nothing to them. The
``EventIndex`` keeps, per event, what is compared (``EventFeatures``), and the *edges*
found when it was added: pairs judged compatible, each with its score and evidence.
``clusters`` joins edges best first, refusing a join when the two groups conflict.

A pair is compared only when blocking puts it together (never all pairs):

- ``family|country|time bucket`` for every country of the event's places, the bucket being
  ``BUCKET_DAYS`` wide around the event's time (else the publication day; the neighbouring
  buckets are looked up too), and
- ``family|story|<story>`` (the document's story when the event was added: its earliest
  document), which also reaches events without a resolved place, and
- ``family|outlet|<outlet>``, kept under the document's outlet and looked up for every
  outlet it relays or cites (a relayed report meets the original even in another story),

each bucket giving at most ``EVENT_BUCKET_LIMIT`` of its most recent members.

A pair conflicts (never linked) when the types are of different families, both have places
and none overlaps (same gazetteer id, within ``NEAR_KM``, or one contains the other:
a town in the other's admin1 or country), both have times that cannot overlap (or one
happened after the other was published), both name equipment of different kinds
(``data/event_links.json``), or both give quantities too far apart (``QUANTITY_RATIO``).
Otherwise evidence points add up: place (2 for the same place or admin1, 1 for the same
country only), equipment or target, quantity, time, actor (1 each), and the relation of
the two documents (2: one document, near-copies, or one relays or cites the other's
outlet; 1: one story). A pair is linked with ``LINK_POINTS`` or more, and only with a
shared place of admin1 precision or better or some relation of the documents.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from importlib import resources
from typing import Any

from claimgraph.errors import InputError
from claimgraph.linking.features import STOPWORDS, parse_day, stem, words
from claimgraph.model import DocumentAnalysis, Event, Place

# Evidence points from which two events are one. Set by hand on the linking fixtures and
# the seeds: a wire copy scores 6-8, a relayed report with a place 6-7, a relayed report
# without a resolved place 3, two events of the seeds that gold keeps apart are vetoed.
LINK_POINTS = 3
# Two towns this close are one place for a report ("near Hyesan" / "in Hyesan"). By hand.
NEAR_KM = 25.0
# Quantities compatible when max/min stays within this ratio (either approximate) or
# within ``EXACT_RATIO`` (both exact): "about 80" ~ 90, 80 ~ 85, never 40 ~ 14 or 80 ~ 2,000.
QUANTITY_RATIO = 1.5
EXACT_RATIO = 1.25
# Days of slack on time intervals (a report's "Monday evening" is another's "Tuesday").
TIME_SLACK_DAYS = 1
# Width of the time buckets used for blocking; the neighbouring buckets are searched too,
# so events up to one bucket apart meet.
BUCKET_DAYS = 14
# Members of a blocking bucket a new event is compared with (the most recent ones): bounds
# the cost per event whatever the corpus size. 8 and 12 give the same fixture and seed
# results; 8 (was 12) cuts event comparisons at 20,000 documents (bench/linking.py).
EVENT_BUCKET_LIMIT = 8

COUNTRY_FEATURES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
ADMIN1_FEATURES = frozenset({"ADM1", "ADM1H"})


@dataclass(frozen=True, slots=True)
class LinkRules:
    """``data/event_links.json``: type families and equipment groups."""

    families: dict[str, str] = field(default_factory=dict)  # type -> family name
    groups: dict[str, int] = field(default_factory=dict)  # equipment word -> group number
    prefix: int = 5

    def family(self, event_type: str) -> str:
        return self.families.get(event_type, event_type)


def parse_link_rules(data: Any, path: str = "event_links.json") -> LinkRules:
    """Rules from the decoded JSON; raises ``InputError`` on a malformed file."""
    if not isinstance(data, dict):
        raise InputError(path, "expected a JSON object")
    families: dict[str, str] = {}
    for group in data.get("type_families", []):
        if not isinstance(group, list) or not all(isinstance(t, str) for t in group) or not group:
            raise InputError(path, "'type_families' must be lists of type names")
        for t in group:
            families[t] = "+".join(group)
    groups: dict[str, int] = {}
    for i, group in enumerate(data.get("equipment_groups", [])):
        if not isinstance(group, list) or not all(isinstance(w, str) for w in group):
            raise InputError(path, "'equipment_groups' must be lists of words")
        for w in group:
            groups[stem(w.lower())] = i
    prefix = data.get("prefix_letters", 5)
    if not isinstance(prefix, int) or prefix < 3:
        raise InputError(path, "'prefix_letters' must be an integer of at least 3")
    return LinkRules(families=families, groups=groups, prefix=prefix)


def load_link_rules() -> LinkRules:
    """The packaged rules (read on each call: pass the result around)."""
    raw = resources.files("claimgraph").joinpath("data/event_links.json").read_text("utf-8")
    try:
        return parse_link_rules(json.loads(raw))
    except json.JSONDecodeError as error:
        raise InputError("event_links.json", f"invalid JSON: {error.msg}") from error


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """What linking compares of a place."""

    name: str  # folded (case, diacritics) for comparison
    label: str  # as the gazetteer gives it, for reasons
    gazetteer_id: str | None
    country: str | None
    admin1: str | None
    level: int  # 0 country, 1 admin1, 2 anything smaller
    lat: float | None
    lon: float | None

    @classmethod
    def of(cls, place: Place) -> PlaceRef:
        feature = place.feature or ""
        if feature in COUNTRY_FEATURES or (place.country and not place.admin1 and feature.startswith("PCL")):
            level = 0
        elif feature in ADMIN1_FEATURES:
            level = 1
        else:
            level = 2
        return cls(
            name=_fold_name(place.name),
            label=place.name,
            gazetteer_id=place.gazetteer_id,
            country=place.country,
            admin1=place.admin1,
            level=level,
            lat=place.lat,
            lon=place.lon,
        )

    def contains(self, other: PlaceRef) -> bool:
        """True when ``other`` lies inside this country or admin1 unit (and is smaller)."""
        if self.level == 0:
            return other.level > 0 and other.country is not None and other.country == self.country
        if self.level == 1:
            return other.level > 1 and other.admin1 is not None and other.admin1 == self.admin1
        return False


def _fold_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _km(a: PlaceRef, b: PlaceRef) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def place_match(a: PlaceRef, b: PlaceRef) -> tuple[int, str] | None:
    """Points (2 same place or admin1 containment, 1 country containment) and why; None if apart."""
    if a.gazetteer_id and a.gazetteer_id == b.gazetteer_id:
        return 2, f"same place ({a.label}, {a.gazetteer_id})"
    if not a.gazetteer_id and not b.gazetteer_id and a.name == b.name:
        return 2, f"same place name ({a.label})"
    for outer, inner in ((a, b), (b, a)):
        if outer.contains(inner):
            points = 2 if outer.level == 1 else 1
            unit = outer.admin1 if outer.level == 1 else outer.country
            return points, f"{inner.label} lies in {outer.label} ({unit})"
    if a.level == 2 and b.level == 2:
        km = _km(a, b)
        if km is not None and km <= NEAR_KM:
            return 2, f"{a.label} and {b.label} are {km:.0f} km apart"
    return None


def specific(places: Iterable[PlaceRef]) -> list[PlaceRef]:
    """The places no other place of the list lies in (an event 'in Hyesan, North Korea' is in Hyesan)."""
    unique = list(dict.fromkeys(places))
    return [p for p in unique if not any(p.contains(q) for q in unique if q is not p)]


@dataclass(slots=True)
class EventFeatures:
    """What the index keeps about one event."""

    id: str
    document: str
    type: str
    family: str
    places: list[PlaceRef]
    start: date | None
    end: date | None
    published: date | None
    quantity: float | None
    approximate: bool
    equipment: set[str]  # folded words of equipment (or target) phrases
    actor: set[str]
    order: int = 0

    @property
    def bare(self) -> bool:
        """Nothing but a type ('the deployment')."""
        return not (self.places or self.start or self.quantity is not None or self.equipment or self.actor)

    def anchor(self) -> date | None:
        return self.start or self.published


def _terms(text: str | None) -> set[str]:
    return {stem(w) for w in words(text or "") if len(w) >= 3 and w not in STOPWORDS and w != "report"}


def event_features(da: DocumentAnalysis, event: Event, rules: LinkRules, order: int = 0) -> EventFeatures:
    """Features of one event of ``da`` (its places looked up among ``da.places``)."""
    by_id = {p.id: p for p in da.places}
    places = specific(PlaceRef.of(by_id[p]) for p in event.places if p in by_id)
    start = parse_day(event.time.start) if event.time else None
    end = parse_day(event.time.end) if event.time else None
    kinds = set()
    for phrase in [*event.equipment, *([event.target] if event.target else [])]:
        kinds |= _terms(phrase)
    return EventFeatures(
        id=event.id,
        document=da.document.id,
        type=event.type,
        family=rules.family(event.type),
        places=places,
        start=start,
        end=end or start,
        published=parse_day(da.document.published),
        quantity=event.quantity,
        approximate=event.approximate,
        equipment=kinds,
        actor=_terms(event.actor),
        order=order,
    )


def _quantities_ok(qa: float, approx_a: bool, qb: float, approx_b: bool) -> bool:
    """True when two counts may be one ('about 80' ~ 90), False when not (40 / 14)."""
    low, high = sorted((abs(qa), abs(qb)))
    if low == 0:
        return high == 0
    limit = QUANTITY_RATIO if (approx_a or approx_b) else EXACT_RATIO
    return high / low <= limit


def _times_apart(a: EventFeatures, b: EventFeatures) -> str | None:
    """Why two events cannot be at one time, or None."""
    if a.start and b.start and a.end and b.end:
        gap = max((b.start - a.end).days, (a.start - b.end).days)
        if gap > TIME_SLACK_DAYS:
            return f"times {a.start}..{a.end} and {b.start}..{b.end} do not overlap"
    for x, y in ((a, b), (b, a)):
        if x.start and y.published and (x.start - y.published).days > TIME_SLACK_DAYS:
            return f"{x.id} happened {x.start}, after {y.document} was published ({y.published})"
    return None


def _kinds_match(a: set[str], b: set[str], rules: LinkRules) -> str | None:
    """A word or kind the two equipment sets share, or None."""
    shared = a & b
    if shared:
        return sorted(shared)[0]
    for x in sorted(a):  # sorted: the same evidence in every process (set order follows the hash seed)
        for y in sorted(b):
            gx, gy = rules.groups.get(x), rules.groups.get(y)
            if gx is not None and gx == gy:
                return f"{x}~{y}"
            if len(x) >= rules.prefix and x[: rules.prefix] == y[: rules.prefix]:
                return f"{x}~{y}"
    return None


@dataclass(slots=True)
class Verdict:
    """The comparison of two events: conflict (why not) or points and the evidence."""

    points: int
    place_points: int
    relation: int
    evidence: list[str]
    conflict: str | None = None

    @property
    def linked(self) -> bool:
        return (
            self.conflict is None
            and self.points >= LINK_POINTS
            and (self.place_points >= 2 or self.relation >= 1)
        )


def compare(
    a: EventFeatures,
    b: EventFeatures,
    rules: LinkRules,
    relation: tuple[int, str] | Callable[[], tuple[int, str]],
) -> Verdict:
    """Compare two events; ``relation`` is the documents' relation (points, description), or
    a function giving it, called only when nothing conflicts."""
    v = _details(a, b, rules)
    if v.conflict is None:
        rel_points, rel_text = relation() if callable(relation) else relation
        v.points += rel_points
        v.relation = rel_points
        if rel_points:
            v.evidence.insert(1, rel_text)
    return v


def _details(a: EventFeatures, b: EventFeatures, rules: LinkRules) -> Verdict:
    """Conflicts and evidence points of two events' own details (their documents aside)."""
    v = Verdict(points=0, place_points=0, relation=0, evidence=[])
    if a.family != b.family:
        v.conflict = f"types {a.type} and {b.type} differ"
        return v
    v.evidence.insert(0, f"type {a.type}" if a.type == b.type else f"types {a.type}/{b.type}")
    if a.places and b.places:
        found = [m for p in a.places for q in b.places if (m := place_match(p, q)) is not None]
        if not found:
            v.conflict = f"places apart ({_names(a)} / {_names(b)})"
            return v
        best = max(found, key=lambda m: m[0])
        v.place_points = best[0]
        v.points += best[0]
        v.evidence.append(best[1])
    apart = _times_apart(a, b)
    if apart:
        v.conflict = apart
        return v
    if a.start and b.start:
        v.points += 1
        v.evidence.append(f"times overlap ({a.start}..{a.end} / {b.start}..{b.end})")
    if a.equipment and b.equipment:
        kind = _kinds_match(a.equipment, b.equipment, rules)
        if kind is None:
            v.conflict = (
                f"equipment differs ({', '.join(sorted(a.equipment))} / {', '.join(sorted(b.equipment))})"
            )
            return v
        v.points += 1
        v.evidence.append(f"equipment {kind}")
    if a.quantity is not None and b.quantity is not None:
        qa, qb = _shown(a), _shown(b)
        if not _quantities_ok(a.quantity, a.approximate, b.quantity, b.approximate):
            v.conflict = f"quantities {qa} and {qb} differ"
            return v
        v.points += 1
        v.evidence.append(f"quantities {qa} ~ {qb}")
    if a.actor and b.actor and a.actor & b.actor:
        v.points += 1
        v.evidence.append(f"actor {sorted(a.actor & b.actor)[0]}")
    if a.document == b.document and (a.bare or b.bare):
        v.points += 1
        v.evidence.append("a bare mention of the same type in the same document")
    return v


def _names(e: EventFeatures) -> str:
    return ", ".join(p.label for p in e.places)


def _shown(e: EventFeatures) -> str:
    q = f"{e.quantity:g}" if e.quantity is not None else "?"
    return f"about {q}" if e.approximate else q


@dataclass(slots=True)
class Edge:
    """Two events judged one when compared (``a`` added before ``b``), with the evidence."""

    a: str
    b: str
    points: int
    evidence: list[str]


# (document a, document b) -> (points, description) of their relation
Relation = Callable[[str, str], tuple[int, str]]


@dataclass(slots=True)
class EventCluster:
    """Events judged to be one real-world event, and the evidence of each join."""

    events: list[str]
    evidence: list[str]


@dataclass(slots=True)
class _Group:
    """A cluster being built: its members and the distinct details they give."""

    members: list[str]
    places: set[tuple[PlaceRef, ...]]
    quantities: set[tuple[float, bool]]
    equipment: set[frozenset[str]]
    times: set[tuple[date, date]]


@dataclass(slots=True)
class EventIndex:
    """Events added so far, their blocking buckets and the compatible pairs found."""

    rules: LinkRules = field(default_factory=LinkRules)
    events: dict[str, EventFeatures] = field(default_factory=dict)
    buckets: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    edges: list[Edge] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)  # event -> the buckets it was put in
    comparisons: int = 0
    # the last ``clusters`` result and the (events, edges) counts it was built from
    _clustered: tuple[int, int, list[EventCluster]] | None = None

    def _keys(self, f: EventFeatures, story: str, outlets: list[str], lookup: bool) -> list[str]:
        keys = [f"{f.family}|story|{story}"]
        keys.extend(f"{f.family}|outlet|{o}" for o in outlets)
        anchor = f.anchor()
        buckets = ["undated"] if anchor is None else [str(anchor.toordinal() // BUCKET_DAYS)]
        if lookup and anchor is not None:
            b = anchor.toordinal() // BUCKET_DAYS
            buckets = [str(b - 1), str(b), str(b + 1)]
        for country in sorted({p.country or f"?{p.name}" for p in f.places}):
            keys.extend(f"{f.family}|{country}|{b}" for b in buckets)
        return keys

    def add(
        self,
        da: DocumentAnalysis,
        story: str,
        relation: Relation,
        own: str | None = None,
        relayed: Iterable[str] = (),
    ) -> list[Edge]:
        """Index the events of ``da`` and return the edges found.

        ``story`` names its story now; ``own`` is its outlet key and ``relayed`` the outlet
        keys it relays or cites (its events meet those outlets' events of the same family).
        Each event is compared with at most ``EVENT_BUCKET_LIMIT`` members of each of its
        buckets.
        """
        stored = [own] if own else []
        looked = [o for o in dict.fromkeys(relayed) if o != own]  # its own outlet: via the story
        found: list[Edge] = []
        for event in da.events:
            if event.id in self.events:
                continue
            f = event_features(da, event, self.rules, order=len(self.events))
            candidates: dict[str, None] = {}
            for key in self._keys(f, story, looked, lookup=True):
                candidates.update(dict.fromkeys(self.buckets.get(key, [])[-EVENT_BUCKET_LIMIT:]))
            for other_id in candidates:
                other = self.events[other_id]
                self.comparisons += 1
                verdict = compare(other, f, self.rules, partial(relation, other.document, f.document))
                if verdict.linked:
                    found.append(Edge(other_id, f.id, verdict.points, verdict.evidence))
            self.events[f.id] = f
            self.keys[f.id] = self._keys(f, story, stored, lookup=False)
            for key in self.keys[f.id]:
                self.buckets[key].append(f.id)
        self.edges.extend(found)
        return found

    def clusters(self) -> list[EventCluster]:
        """Events grouped (singletons included; members and groups in input order), each
        with the evidence of its joins.

        Edges join best first; a join is refused when the two groups' places, times,
        equipment or quantities conflict (so a detail-less event cannot chain 80 to 2,000).
        Kept until events or edges are added.
        """
        if self._clustered and self._clustered[:2] == (len(self.events), len(self.edges)):
            return self._clustered[2]
        groups: dict[str, _Group] = {}
        owner: dict[str, str] = {}
        for e in self.events.values():
            groups[e.id] = _Group(
                [e.id],
                {tuple(e.places)} if e.places else set(),
                set() if e.quantity is None else {(e.quantity, e.approximate)},
                {frozenset(e.equipment)} if e.equipment else set(),
                {(e.start, e.end)} if e.start and e.end else set(),
            )
            owner[e.id] = e.id
        evidence: dict[str, list[str]] = defaultdict(list)
        order = sorted(self.edges, key=lambda x: (-x.points, self.events[x.b].order, self.events[x.a].order))
        for edge in order:
            ra, rb = owner[edge.a], owner[edge.b]
            if ra == rb or self._conflict(groups[ra], groups[rb]):
                continue
            keep, gone = (ra, rb) if self.events[ra].order <= self.events[rb].order else (rb, ra)
            g, h = groups[keep], groups.pop(gone)
            g.members.extend(h.members)
            g.places |= h.places
            g.quantities |= h.quantities
            g.equipment |= h.equipment
            g.times |= h.times
            for m in h.members:
                owner[m] = keep
            evidence[keep].extend(evidence.pop(gone, []))
            evidence[keep].append(f"{edge.a} ~ {edge.b}: {'; '.join(edge.evidence)}")
        out = [
            EventCluster(sorted(g.members, key=lambda m: self.events[m].order), evidence.get(root, []))
            for root, g in groups.items()
        ]
        clusters = sorted(out, key=lambda c: self.events[c.events[0]].order)
        self._clustered = (len(self.events), len(self.edges), clusters)
        return clusters

    def _conflict(self, g: _Group, h: _Group) -> bool:
        """True when some member of ``g`` and some member of ``h`` give details that conflict
        (compared per distinct detail, so copies of one report cost one check)."""
        for pa in g.places:
            for pb in h.places:
                if not any(place_match(p, q) for p in pa for q in pb):
                    return True
        for ka in g.equipment:
            for kb in h.equipment:
                if _kinds_match(set(ka), set(kb), self.rules) is None:
                    return True
        for qa, aa in g.quantities:
            for qb, ab in h.quantities:
                if not _quantities_ok(qa, aa, qb, ab):
                    return True
        for sa, ea in g.times:
            for sb, eb in h.times:
                if max((sb - ea).days, (sa - eb).days) > TIME_SLACK_DAYS:
                    return True
        return False


def documents_of(cluster: EventCluster, events: Mapping[str, EventFeatures]) -> list[str]:
    """The documents of a cluster's events, in the order of the events."""
    return list(dict.fromkeys(events[e].document for e in cluster.events))
