"""What the linker keeps per document, in compact form, so that a store can link incrementally.

``export_states`` reads a ``Linker`` after ``add`` (and ``assess``, for the identity notes)
and returns one document's linking state as zlib-compressed JSON: everything ``Linker.add``
derived from it, never its text or analysis:

- story features (``stories.DocFeatures``): publication day, outlet key, title, title
  words, content words, names (with counts, in their first-seen order), the MinHash
  signature, and the blocking keys it was filed under when added;
- the pairs scored when it was added (other document, score, shingle Jaccard): they
  rebuild the story and copy groups (union-find) and the copies' evidence;
- what it relays or cites, its citation ("as first reported by ...") and whether it
  carries a correction notice;
- its events' linking features (``events.EventFeatures``), the buckets each was filed
  under, and the same-event edges found when it was added;
- its identity notes (source key, grounds), used for ``Source.key`` reasons across
  documents without reading its sources again, and its claim ids (to find the story of a
  stored claim assessment).

``restore`` replays the states, in the order the documents were added, into a fresh
``Linker``: indexes, buckets, vocabularies, union-find groups and event edges come out as
they were after the original ``add`` calls, so documents added next are linked exactly as
if everything had been added in one process. Restoring costs O(terms) per document and
reads no text. The full analyses (``Linker.documents``) are not restored: ``incremental``
loads those it needs to assess.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.errors import InputError
from claimgraph.linking.copies import COPY_JACCARD
from claimgraph.linking.events import Edge, EventFeatures, PlaceRef
from claimgraph.linking.grading import ReliabilityTable
from claimgraph.linking.stories import DocFeatures, PairScore

if TYPE_CHECKING:
    from claimgraph.linking import Linker

# Bumped whenever the layout of a state changes: a store holding another version relinks
# from scratch.
STATE_VERSION = 1
# zlib level of the stored states: 6 (the default) halves the size of level 1 for the
# same speed order; states are written once and read on every incremental run.
COMPRESSION = 6


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _place(p: PlaceRef) -> list[Any]:
    return [p.name, p.label, p.gazetteer_id, p.country, p.admin1, p.level, p.lat, p.lon]


def _event(f: EventFeatures, keys: list[str]) -> dict[str, Any]:
    return {
        "id": f.id,
        "type": f.type,
        "family": f.family,
        "places": [_place(p) for p in f.places],
        "start": _day(f.start),
        "end": _day(f.end),
        "published": _day(f.published),
        "quantity": f.quantity,
        "approximate": f.approximate,
        "equipment": sorted(f.equipment),
        "actor": sorted(f.actor),
        "keys": keys,
    }


def export_states(linker: Linker, doc_ids: Iterable[str]) -> dict[str, bytes]:
    """The compressed JSON state of each of ``doc_ids`` (documents ``linker`` has added and
    assessed; see the module doc). Costs O(pairs + events + edges) once, then O(state) each."""
    wanted = set(doc_ids)
    pairs: dict[str, list[PairScore]] = defaultdict(list)
    for p in linker.index.pairs:
        if p.b in wanted:  # scored when ``b`` was added
            pairs[p.b].append(p)
    events: dict[str, list[EventFeatures]] = defaultdict(list)
    for e in linker.event_index.events.values():
        if e.document in wanted:
            events[e.document].append(e)
    edges: dict[str, list[Edge]] = defaultdict(list)
    for edge in linker.event_index.edges:
        doc = linker.event_index.events[edge.b].document  # found when ``b`` was added
        if doc in wanted:
            edges[doc].append(edge)
    return {d: _state(linker, d, pairs[d], events[d], edges[d]) for d in linker.index.docs if d in wanted}


def _state(
    linker: Linker, doc_id: str, pairs: list[PairScore], events: list[EventFeatures], edges: list[Edge]
) -> bytes:
    index = linker.index
    f = index.docs[doc_id]
    state = {
        "v": STATE_VERSION,
        "id": doc_id,
        "day": _day(f.day),
        "outlet": f.outlet,
        "title": f.title,
        "title_terms": dict(f.title_terms),
        "terms": dict(f.terms),
        "names": dict(f.names),
        "signature": [int(x) for x in f.signature],
        "blocks": index.blocks.get(doc_id, []),
        "pairs": [[p.a, p.score, p.copy] for p in pairs],
        "relayed": sorted(linker.relayed.get(doc_id, ())),
        "citation": list(linker.citations[doc_id]) if doc_id in linker.citations else None,
        "correction": doc_id in linker.corrections,
        "events": [_event(e, linker.event_index.keys.get(e.id, [])) for e in events],
        "edges": [[e.a, e.b, e.points, e.evidence] for e in edges],
        "notes": [list(n) for n in linker.notes.get(doc_id, [])],
        "claims": [c.id for c in linker.documents[doc_id].claims] if doc_id in linker.documents else [],
    }
    return zlib.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), COMPRESSION)


def decode(blob: bytes) -> dict[str, Any]:
    """The JSON of a stored state; raises ``InputError`` when it is unreadable or of another version."""
    try:
        state = json.loads(zlib.decompress(blob).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError("link_state", f"unreadable linking state: {error}") from error
    if not isinstance(state, dict) or state.get("v") != STATE_VERSION:
        raise InputError("link_state", f"linking state of another version (this code reads {STATE_VERSION})")
    return state


def _restore_one(linker: Linker, s: dict[str, Any], claims: dict[str, str]) -> None:
    index = linker.index
    doc_id = s["id"]
    signature = np.array(s["signature"], dtype=np.uint64)
    f = DocFeatures(
        id=doc_id,
        order=len(index.docs),
        day=_parse(s["day"]),
        outlet=s["outlet"],
        title=s["title"],
        title_terms=Counter(s["title_terms"]),
        terms=Counter(s["terms"]),
        names=Counter(s["names"]),
        signature=signature,
    )
    index.docs[doc_id] = f
    index._keep(f)  # document frequencies, vectors, signature row: as ``StoryIndex.add`` does
    index.stories.add(doc_id)
    index.copies.add(doc_id)
    for key in index.lsh._keys(signature):
        index.lsh.buckets[key].append(doc_id)
    index.lsh.signatures[doc_id] = signature
    index.blocks[doc_id] = list(s["blocks"])
    for key in s["blocks"]:
        index.buckets[key].append(doc_id)
    for other, score, copy in s["pairs"]:
        index.pairs.append(PairScore(other, doc_id, score, copy))
        if copy >= COPY_JACCARD:
            index.copies.union(doc_id, other)
            index.stories.union(doc_id, other)
        elif score >= index.threshold:
            index.stories.union(doc_id, other)
    linker.outlets[doc_id] = s["outlet"]
    if s["outlet"]:
        linker.known_outlets.add(s["outlet"])
    linker.relayed[doc_id] = set(s["relayed"])
    if s["citation"]:
        linker.citations[doc_id] = (s["citation"][0], s["citation"][1])
    if s["correction"]:
        linker.corrections.add(doc_id)
    events = linker.event_index
    for e in s["events"]:
        features = EventFeatures(
            id=e["id"],
            document=doc_id,
            type=e["type"],
            family=e["family"],
            places=[PlaceRef(*p) for p in e["places"]],
            start=_parse(e["start"]),
            end=_parse(e["end"]),
            published=_parse(e["published"]),
            quantity=e["quantity"],
            approximate=e["approximate"],
            equipment=set(e["equipment"]),
            actor=set(e["actor"]),
            order=len(events.events),
        )
        events.events[features.id] = features
        events.keys[features.id] = list(e["keys"])
        for key in e["keys"]:
            events.buckets[key].append(features.id)
    events.edges.extend(Edge(a, b, points, list(evidence)) for a, b, points, evidence in s["edges"])
    linker.notes[doc_id] = [(k, r) for k, r in s["notes"]]
    claims.update(dict.fromkeys(s["claims"], doc_id))


def restore(
    states: Iterable[bytes], table: ReliabilityTable, lexicons: Lexicons, claims: dict[str, str] | None = None
) -> Linker:
    """A ``Linker`` holding these documents' states (in the order given, the order they were
    added), without their analyses; raises ``InputError`` on a state it cannot read.
    ``claims`` (when given) gets claim id -> document id for every restored document."""
    from claimgraph.linking import Linker

    linker = Linker(table=table, lexicons=lexicons)
    for blob in states:
        state = decode(blob)
        try:
            _restore_one(linker, state, {} if claims is None else claims)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise InputError("link_state", f"malformed linking state: {error!r}") from error
    return linker
