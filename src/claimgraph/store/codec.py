"""Model objects to table rows and back, without touching a database.

``document_rows`` reads a ``DocumentAnalysis`` and returns the rows to insert
(children without their ``document_pk``, which the database assigns);
``DocumentAssembler`` reads rows fetched per table and rebuilds the exact
model objects. The same for stories and assessments.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table

from claimgraph.errors import StoreError
from claimgraph.model import (
    Assessment,
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Removed,
    Source,
    Span,
    Story,
    TimeInterval,
)
from claimgraph.store import schema as t

RowDict = dict[str, Any]

# Role of each span list of a Claim in table claim_spans.
CLAIM_SPAN_FIELDS = {
    "content": "content",
    "cue": "cue",
    "source_mention": "source_mentions",
    "hedge": "hedges",
}


@dataclass(slots=True)
class DocumentRows:
    """The rows one document becomes: its own row, then children per table in insertion order."""

    document: RowDict
    children: list[tuple[Table, list[RowDict]]] = field(default_factory=list)


def _span_cols(span: Span | None, prefix: str) -> RowDict:
    return {
        f"{prefix}_start": span.start if span is not None else None,
        f"{prefix}_end": span.end if span is not None else None,
    }


def _span_from(start: int | None, end: int | None) -> Span | None:
    return Span(start, end) if start is not None and end is not None else None


def _check_unique(kind: str, ids: Iterable[str], document_id: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise StoreError(f"document {document_id}: {kind} id {item_id!r} is used twice")
        seen.add(item_id)


def _check_owner(kind: str, item_id: str, owner: str, document_id: str) -> None:
    if owner != document_id:
        raise StoreError(f"document {document_id}: {kind} {item_id!r} names document {owner!r}, not its own")


def _check_json(what: str, value: Any, document_id: str) -> None:
    """Refuse values the JSON columns cannot hold (drivers differ in how they fail on them).

    Values come back as JSON types: tuples as lists, non-str keys as str.
    """
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"document {document_id}: {what} cannot be stored as JSON: {exc}") from exc


def document_rows(analysis: DocumentAnalysis, *, run_id: str | None, ingested_at: datetime) -> DocumentRows:
    """Rows for one analyzed document. Raises StoreError when items contradict their document."""
    doc = analysis.document
    _check_unique("source", (s.id for s in analysis.sources), doc.id)
    _check_unique("claim", (c.id for c in analysis.claims), doc.id)
    _check_unique("event", (e.id for e in analysis.events), doc.id)
    _check_unique("place", (p.id for p in analysis.places), doc.id)
    for kind, items in (
        ("source", analysis.sources),
        ("claim", analysis.claims),
        ("event", analysis.events),
        ("place", analysis.places),
    ):
        for item in items:
            _check_owner(kind, item.id, item.document, doc.id)
    _check_json("meta", doc.meta, doc.id)
    _check_json("produced_by", analysis.produced_by, doc.id)
    for claim in analysis.claims:
        _check_json(f"explanation of claim {claim.id!r}", claim.explanation, doc.id)
    for ev in analysis.events:
        _check_json(f"equipment of event {ev.id!r}", ev.equipment, doc.id)

    out = DocumentRows(
        document={
            "id": doc.id,
            "content_hash": doc.hash,
            "path": doc.path,
            "url": doc.url,
            "title": doc.title,
            "outlet": doc.outlet,
            "published": doc.published,
            "text": doc.text,
            **_span_cols(doc.title_span, "title"),
            "meta": doc.meta,
            "produced_by": analysis.produced_by,
            "run_id": run_id,
            "ingested_at": ingested_at,
        }
    )
    add = out.children.append
    add(
        (
            t.removed_ranges,
            [
                {"ord": i, "span_start": r.start, "span_end": r.end, "reason": r.reason}
                for i, r in enumerate(doc.removed)
            ],
        )
    )
    add((t.sources, [_source_row(i, s) for i, s in enumerate(analysis.sources)]))
    add(
        (
            t.source_mentions,
            [
                {"source_id": s.id, "ord": i, **_span_cols(m, "span")}
                for s in analysis.sources
                for i, m in enumerate(s.mentions)
            ],
        )
    )
    add((t.claims, [_claim_row(i, c) for i, c in enumerate(analysis.claims)]))
    add(
        (
            t.claim_spans,
            [
                {"claim_id": c.id, "role": role, "ord": i, **_span_cols(span, "span")}
                for c in analysis.claims
                for role, attr in CLAIM_SPAN_FIELDS.items()
                for i, span in enumerate(getattr(c, attr))
            ],
        )
    )
    add(
        (
            t.claim_chain,
            [
                {"claim_id": c.id, "position": i, "source_id": source_id}
                for c in analysis.claims
                for i, source_id in enumerate(c.chain)
            ],
        )
    )
    add((t.places, [_place_row(i, p) for i, p in enumerate(analysis.places)]))
    add((t.events, [_event_row(i, e) for i, e in enumerate(analysis.events)]))
    add(
        (
            t.event_places,
            [
                {"event_id": e.id, "ord": i, "place_id": place_id}
                for e in analysis.events
                for i, place_id in enumerate(e.places)
            ],
        )
    )
    add(
        (
            t.event_claims,
            [
                {"event_id": e.id, "ord": i, "claim_id": claim_id}
                for e in analysis.events
                for i, claim_id in enumerate(e.claims)
            ],
        )
    )
    return out


def _source_row(ord_: int, s: Source) -> RowDict:
    return {
        "id": s.id,
        "ord": ord_,
        "kind": s.kind,
        "anonymous": s.anonymous,
        "name": s.name,
        "descriptor": s.descriptor,
        "key": s.key,
    }


def _claim_row(ord_: int, c: Claim) -> RowDict:
    return {
        "id": c.id,
        "ord": ord_,
        "source_id": c.source,
        "mode": c.mode,
        "hedged": c.hedged,
        "explanation": c.explanation,
    }


def _place_row(ord_: int, p: Place) -> RowDict:
    return {
        "id": p.id,
        "ord": ord_,
        **_span_cols(p.mention, "span"),
        "name": p.name,
        "country": p.country,
        "admin1": p.admin1,
        "feature": p.feature,
        "gazetteer_id": p.gazetteer_id,
        "lat": p.lat,
        "lon": p.lon,
    }


def _event_row(ord_: int, e: Event) -> RowDict:
    time = e.time
    return {
        "id": e.id,
        "ord": ord_,
        "type": e.type,
        **_span_cols(e.trigger, "trigger"),
        "actor": e.actor,
        "target": e.target,
        "equipment": list(e.equipment),
        "quantity": e.quantity,
        "approximate": e.approximate,
        "time_start": time.start if time else None,
        "time_end": time.end if time else None,
        "time_precision": time.precision if time else None,
        **_span_cols(time.mention if time else None, "time_mention"),
        "acled_code": e.acled_code,
        "confidence": e.confidence,
    }


def _group(rows: Iterable[Row[Any]], *key: str) -> dict[tuple[Any, ...], list[Row[Any]]]:
    """Rows grouped by the values of ``key`` columns, keeping their order."""
    groups: dict[tuple[Any, ...], list[Row[Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(getattr(row, k) for k in key)].append(row)
    return groups


class DocumentAssembler:
    """Rebuilds DocumentAnalysis objects from rows fetched per table (ordered by ``ord``).

    Feed the rows of each child table with ``add(table, rows)``, then call
    ``build(document_rows)``.
    """

    def __init__(self) -> None:
        self._rows: dict[str, list[Row[Any]]] = defaultdict(list)

    def add(self, table: Table, rows: Iterable[Row[Any]]) -> None:
        self._rows[table.name].extend(rows)

    def build(self, documents: Sequence[Row[Any]]) -> list[DocumentAnalysis]:
        removed = _group(self._rows["removed_ranges"], "document_pk")
        sources = _group(self._rows["sources"], "document_pk")
        mentions = _group(self._rows["source_mentions"], "document_pk", "source_id")
        claims = _group(self._rows["claims"], "document_pk")
        claim_spans = _group(self._rows["claim_spans"], "document_pk", "claim_id", "role")
        chains = _group(self._rows["claim_chain"], "document_pk", "claim_id")
        places = _group(self._rows["places"], "document_pk")
        events = _group(self._rows["events"], "document_pk")
        event_places = _group(self._rows["event_places"], "document_pk", "event_id")
        event_claims = _group(self._rows["event_claims"], "document_pk", "event_id")

        out = []
        for d in documents:
            pk = d.pk
            document = Document(
                text=d.text,
                path=d.path,
                title=d.title,
                outlet=d.outlet,
                published=d.published,
                url=d.url,
                removed=[Removed(r.span_start, r.span_end, r.reason) for r in removed.get((pk,), [])],
                title_span=_span_from(d.title_start, d.title_end),
                meta=dict(d.meta),
                id=d.id,
            )
            out.append(
                DocumentAnalysis(
                    document=document,
                    sources=[
                        Source(
                            id=s.id,
                            document=d.id,
                            kind=s.kind,
                            anonymous=s.anonymous,
                            mentions=[Span(m.span_start, m.span_end) for m in mentions.get((pk, s.id), [])],
                            name=s.name,
                            descriptor=s.descriptor,
                            key=s.key,
                        )
                        for s in sources.get((pk,), [])
                    ],
                    claims=[
                        _claim(
                            c,
                            d.id,
                            {
                                role: [
                                    Span(x.span_start, x.span_end)
                                    for x in claim_spans.get((pk, c.id, role), [])
                                ]
                                for role in CLAIM_SPAN_FIELDS
                            },
                            [x.source_id for x in chains.get((pk, c.id), [])],
                        )
                        for c in claims.get((pk,), [])
                    ],
                    events=[
                        _event(
                            e,
                            d.id,
                            [x.place_id for x in event_places.get((pk, e.id), [])],
                            [x.claim_id for x in event_claims.get((pk, e.id), [])],
                        )
                        for e in events.get((pk,), [])
                    ],
                    places=[
                        Place(
                            id=p.id,
                            document=d.id,
                            mention=Span(p.span_start, p.span_end),
                            name=p.name,
                            country=p.country,
                            admin1=p.admin1,
                            feature=p.feature,
                            gazetteer_id=p.gazetteer_id,
                            lat=p.lat,
                            lon=p.lon,
                        )
                        for p in places.get((pk,), [])
                    ],
                    produced_by=dict(d.produced_by),
                )
            )
        return out


def _claim(c: Row[Any], document_id: str, spans: dict[str, list[Span]], chain: list[str]) -> Claim:
    return Claim(
        id=c.id,
        document=document_id,
        content=spans["content"],
        cue=spans["cue"],
        source_mentions=spans["source_mention"],
        hedges=spans["hedge"],
        chain=chain,
        mode=c.mode,
        hedged=c.hedged,
        source=c.source_id,
        explanation=dict(c.explanation),
    )


def _event(e: Row[Any], document_id: str, place_ids: list[str], claim_ids: list[str]) -> Event:
    time = None
    if e.time_precision is not None:
        time = TimeInterval(
            start=e.time_start,
            end=e.time_end,
            precision=e.time_precision,
            mention=_span_from(e.time_mention_start, e.time_mention_end),
        )
    return Event(
        id=e.id,
        document=document_id,
        type=e.type,
        trigger=_span_from(e.trigger_start, e.trigger_end),
        actor=e.actor,
        target=e.target,
        equipment=list(e.equipment),
        quantity=e.quantity,
        approximate=e.approximate,
        places=place_ids,
        time=time,
        claims=claim_ids,
        acled_code=e.acled_code,
        confidence=e.confidence,
    )


def cross_rows(
    stories: Sequence[Story], assessments: Sequence[Assessment], run_id: str | None
) -> list[tuple[Table, list[RowDict]]]:
    """Rows for the cross-document results, parents before children."""
    _check_unique("story", (s.id for s in stories), "(cross-document)")
    _check_unique("assessment", (a.id for a in assessments), "(cross-document)")
    for a in assessments:
        _check_json(f"reasons of assessment {a.id!r}", a.reasons, "(cross-document)")
    refs = [
        {"assessment_id": a.id, "role": role, "ord": i, "ref": ref}
        for a in assessments
        for role, values in (("subject", a.subject), ("origin", a.origins), ("relay", a.relays))
        for i, ref in enumerate(values)
    ]
    return [
        (
            t.stories,
            [{"id": s.id, "ord": i, "label": s.label, "run_id": run_id} for i, s in enumerate(stories)],
        ),
        (
            t.story_documents,
            [
                {"story_id": s.id, "ord": i, "document_id": d}
                for s in stories
                for i, d in enumerate(s.documents)
            ],
        ),
        (
            t.story_events,
            [{"story_id": s.id, "ord": i, "event_id": e} for s in stories for i, e in enumerate(s.events)],
        ),
        (
            t.assessments,
            [
                {
                    "id": a.id,
                    "ord": i,
                    "independent_origins": a.independent_origins,
                    "circular": a.circular,
                    "credibility": a.credibility,
                    "reliability": a.reliability,
                    "reasons": list(a.reasons),
                    "run_id": run_id,
                }
                for i, a in enumerate(assessments)
            ],
        ),
        (t.assessment_refs, refs),
    ]


def build_stories(
    stories: Iterable[Row[Any]], documents: Iterable[Row[Any]], events: Iterable[Row[Any]]
) -> list[Story]:
    """Stories from their rows (ordered by ``ord``) and their member rows (ordered by ``ord``)."""
    docs = _group(documents, "story_id")
    evs = _group(events, "story_id")
    return [
        Story(
            id=s.id,
            documents=[d.document_id for d in docs.get((s.id,), [])],
            events=[e.event_id for e in evs.get((s.id,), [])],
            label=s.label,
        )
        for s in stories
    ]


def build_assessments(assessments: Iterable[Row[Any]], refs: Iterable[Row[Any]]) -> list[Assessment]:
    """Assessments from their rows and their ref rows (ordered by ``ord``)."""
    by_role = _group(refs, "assessment_id", "role")

    def values(a: Row[Any], role: str) -> list[str]:
        return [r.ref for r in by_role.get((a.id, role), [])]

    return [
        Assessment(
            id=a.id,
            subject=values(a, "subject"),
            origins=values(a, "origin"),
            independent_origins=a.independent_origins,
            circular=a.circular,
            credibility=a.credibility,
            reasons=list(a.reasons),
            relays=values(a, "relay"),
            reliability=a.reliability,
        )
        for a in assessments
    ]
