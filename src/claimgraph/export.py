"""File exports of analyses: ``jsonl``, ``csv``, ``geojson`` and ``graphml``.

- ``jsonl``: one contract object a line, each with a ``type`` field (document,
  source, claim, event, place, story, assessment).
- ``csv``: one row per claim (document, outlet, published, speaker, relay
  chain, mode, hedged, content, grade).
- ``geojson``: a FeatureCollection with one Point per event and place with
  coordinates, carrying the event's type, time and grades.
- ``graphml``: the provenance graph (origins → relays → articles → claims)
  for Gephi, yEd or networkx.

``export_chunks`` streams a store: it loads documents ``EXPORT_BATCH`` at a
time through the ``Store`` interface, so memory stays flat however large the
store is (no cap on exports). ``jsonl_records`` and ``provenance_graph`` work
on an ``Analysis`` already in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from claimgraph.errors import ClaimgraphError
from claimgraph.model import Analysis, Assessment, DocumentAnalysis, Story
from claimgraph.report import chain_label, origin_of, source_label, spans_text

if TYPE_CHECKING:
    from claimgraph.store.base import Store

EXPORT_FORMATS = ("csv", "jsonl", "geojson", "graphml")
# Documents loaded from the store at once while exporting: a few MB of text and
# analysis, and few enough queries that 10,000 documents export in seconds.
EXPORT_BATCH = 200
# Longest claim text in a CSV cell or graph label; the full spans are in jsonl.
CSV_CONTENT_MAX_CHARS = 1000
GRAPH_LABEL_MAX_CHARS = 120

# contract key -> record type
_TYPES = {
    "documents": "document",
    "sources": "source",
    "claims": "claim",
    "events": "event",
    "places": "place",
    "stories": "story",
    "assessments": "assessment",
}
_DOCUMENT_KEYS = ("documents", "sources", "claims", "events", "places")

CSV_COLUMNS = (
    "document",
    "claim",
    "outlet",
    "published",
    "title",
    "source",
    "source_key",
    "anonymous",
    "chain",
    "mode",
    "hedged",
    "content",
    "grade",
)


def jsonl_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """The contract's objects, one per record, each tagged with its record ``type``."""
    for da in analysis.documents:
        yield from document_records(da)
    yield from cross_records(analysis.stories, analysis.assessments)


def document_records(da: DocumentAnalysis) -> Iterator[dict[str, Any]]:
    """One document's records: the document, then its sources, claims, events and places.

    An event's own ``type`` (deployment, arrest_detention, ...) is moved to ``event_type``
    so that ``type`` always names the kind of record.
    """
    text = da.document.text
    yield {"type": "document", **da.document.to_json()}
    for kind, items in (
        ("source", da.sources),
        ("claim", da.claims),
        ("event", da.events),
        ("place", da.places),
    ):
        for item in items:
            record = item.to_json(text)
            if kind == "event":
                record["event_type"] = record.pop("type")
            yield {"type": kind, **record}


def cross_records(stories: Iterable[Story], assessments: Iterable[Assessment]) -> Iterator[dict[str, Any]]:
    """Records of the cross-document results: stories, then assessments."""
    for story in stories:
        yield {"type": "story", **story.to_json()}
    for assessment in assessments:
        yield {"type": "assessment", **assessment.to_json()}


def grade(assessment: Assessment) -> str:
    """The Admiralty grade as written by analysts: reliability letter then credibility digit ("B2")."""
    return f"{assessment.reliability}{assessment.credibility}"


def grade_order(value: str) -> tuple[str, str]:
    """Sort key putting the best grade first: credibility (1 best) before reliability (A best)."""
    return (value[1:], value[:1])


def grades_by_subject(assessments: Iterable[Assessment]) -> dict[str, list[Assessment]]:
    """Assessments indexed by every id in their subject."""
    out: dict[str, list[Assessment]] = {}
    for a in assessments:
        for subject in a.subject:
            out.setdefault(subject, []).append(a)
    return out


def _best(assessments: Iterable[Assessment]) -> str:
    grades = sorted((grade(a) for a in assessments), key=grade_order)
    return grades[0] if grades else ""


# --- the provenance graph ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # source | document | claim
    label: str
    document: str | None = None  # document id for document and claim nodes, and per-document sources
    anonymous: bool = False
    grade: str = ""


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str  # relays (source → source), reports (source → document), states (document → claim)


@dataclass(slots=True)
class ProvenanceGraph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)


def source_node_id(da: DocumentAnalysis, source_id: str) -> str:
    """A source's node: shared across documents when it has a cross-document ``key``."""
    source = da.source(source_id)
    return f"source:{source.key}" if source is not None and source.key else f"source:{source_id}"


def document_graph(da: DocumentAnalysis, grades: dict[str, list[Assessment]]) -> ProvenanceGraph:
    """The provenance graph of one document: origin → relays → article → claim, per claim."""
    graph = ProvenanceGraph()
    doc = da.document
    text = doc.text
    doc_node = f"document:{doc.id}"
    graph.nodes[doc_node] = Node(
        doc_node,
        "document",
        doc.title or doc.outlet or doc.id,
        document=doc.id,
        grade=_best(grades.get(doc.id, ())),
    )
    for claim in da.claims:
        claim_node = f"claim:{claim.id}"
        label = spans_text(text, claim.content, GRAPH_LABEL_MAX_CHARS) or claim.id
        graph.nodes[claim_node] = Node(
            claim_node, "claim", label, document=doc.id, grade=_best(grades.get(claim.id, ()))
        )
        graph.edges[(doc_node, claim_node)] = Edge(doc_node, claim_node, "states")
        chain = list(claim.chain) or ([claim.source] if claim.source else [])
        previous = None
        for source_id in reversed(chain):  # origin first, outermost relay last
            node = source_node_id(da, source_id)
            if node not in graph.nodes:
                source = da.source(source_id)
                graph.nodes[node] = Node(
                    node,
                    "source",
                    source_label(da, source_id),
                    document=None if source is not None and source.key else doc.id,
                    anonymous=bool(source and source.anonymous),
                )
            if previous is not None and previous != node:
                graph.edges[(previous, node)] = Edge(previous, node, "relays")
            previous = node
        if previous is not None:
            graph.edges[(previous, doc_node)] = Edge(previous, doc_node, "reports")
    return graph


def provenance_graph(analysis: Analysis) -> ProvenanceGraph:
    """The provenance graph of every document in ``analysis``, sources merged by key."""
    grades = grades_by_subject(analysis.assessments)
    graph = ProvenanceGraph()
    for da in analysis.documents:
        part = document_graph(da, grades)
        for node in part.nodes.values():
            graph.nodes.setdefault(node.id, node)
        graph.edges.update(part.edges)
    return graph


# --- streaming from a store -------------------------------------------------------------------------


def _batches(store: Store) -> Iterator[Analysis]:
    ids = store.document_ids()
    for i in range(0, len(ids), EXPORT_BATCH):
        yield store.load(ids[i : i + EXPORT_BATCH])


def _jsonl(store: Store) -> Iterator[str]:
    stories: dict[str, Story] = {}
    assessments: dict[str, Assessment] = {}
    for batch in _batches(store):
        for da in batch.documents:
            yield from (_line(r) for r in document_records(da))
        stories.update((s.id, s) for s in batch.stories)
        assessments.update((a.id, a) for a in batch.assessments)
    yield from (_line(r) for r in cross_records(stories.values(), assessments.values()))


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _csv_rows(da: DocumentAnalysis, grades: dict[str, list[Assessment]]) -> Iterator[list[str]]:
    doc = da.document
    for claim in da.claims:
        origin = origin_of(claim)
        source = da.source(origin) if origin else None
        yield [
            doc.id,
            claim.id,
            doc.outlet or "",
            doc.published or "",
            doc.title or "",
            source_label(da, origin) if origin else "",
            (source.key or "") if source else "",
            "yes" if source is not None and source.anonymous else "no",
            chain_label(da, claim.chain),
            claim.mode,
            "yes" if claim.hedged else "no",
            spans_text(doc.text, claim.content, CSV_CONTENT_MAX_CHARS),
            _best(grades.get(claim.id, ())),
        ]


def _csv(store: Store) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for batch in _batches(store):
        grades = grades_by_subject(batch.assessments)
        for da in batch.documents:
            writer.writerows(_csv_rows(da, grades))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def geojson_features(da: DocumentAnalysis, grades: dict[str, list[Assessment]]) -> Iterator[dict[str, Any]]:
    """One Point feature per (event, place with coordinates) of ``da``."""
    places = {p.id: p for p in da.places}
    for event in da.events:
        event_grades = sorted((grade(a) for a in grades.get(event.id, ())), key=grade_order)
        for place_id in event.places:
            place = places.get(place_id)
            if place is None or place.lat is None or place.lon is None:
                continue
            yield {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
                "properties": {
                    "event": event.id,
                    "document": da.document.id,
                    "type": event.type,
                    "place": place.name,
                    "country": place.country,
                    "time": event.time.to_json() if event.time else None,
                    "published": da.document.published,
                    "claims": list(event.claims),
                    "grades": event_grades,
                    "grade": event_grades[0] if event_grades else None,
                },
            }


def _geojson(store: Store) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for batch in _batches(store):
        grades = grades_by_subject(batch.assessments)
        for da in batch.documents:
            for feature in geojson_features(da, grades):
                yield ("\n" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
                first = False
    yield "\n]}\n"


_GRAPHML_KEYS = (
    ("kind", "node", "string"),
    ("label", "node", "string"),
    ("document", "node", "string"),
    ("anonymous", "node", "boolean"),
    ("grade", "node", "string"),
    ("relation", "edge", "string"),
)


def _graphml(store: Store) -> Iterator[str]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        + "".join(
            f'<key id="{name}" for="{domain}" attr.name="{name}" attr.type="{kind}"/>\n'
            for name, domain, kind in _GRAPHML_KEYS
        )
        + '<graph id="provenance" edgedefault="directed">\n'
    )
    seen_nodes: set[str] = set()
    seen_edges: set[tuple[str, str]] = set()
    for batch in _batches(store):
        grades = grades_by_subject(batch.assessments)
        for da in batch.documents:
            part = document_graph(da, grades)
            chunk: list[str] = []
            for node in part.nodes.values():
                if node.id not in seen_nodes:
                    seen_nodes.add(node.id)
                    chunk.append(_graphml_node(node))
            for key, edge in part.edges.items():
                if key not in seen_edges:
                    seen_edges.add(key)
                    chunk.append(
                        f"<edge source={quoteattr(_xml_clean(edge.source))} target={quoteattr(_xml_clean(edge.target))}>"
                        f'<data key="relation">{edge.kind}</data></edge>\n'
                    )
            yield "".join(chunk)
    yield "</graph>\n</graphml>\n"


def _xml_clean(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/F)."""
    return "".join(
        ch
        for ch in value
        if ch in "\t\n\r" or (0x20 <= ord(ch) < 0xD800) or (0xE000 <= ord(ch) < 0xFFFE) or ord(ch) > 0xFFFF
    )


def _xml_text(value: str) -> str:
    """``value`` escaped for XML text, without forbidden characters."""
    return escape(_xml_clean(value))


def _graphml_node(node: Node) -> str:
    data = [
        ("kind", node.kind),
        ("label", node.label),
        ("document", node.document or ""),
        ("anonymous", "true" if node.anonymous else "false"),
        ("grade", node.grade),
    ]
    body = "".join(f'<data key="{k}">{_xml_text(v)}</data>' for k, v in data)
    return f"<node id={quoteattr(_xml_clean(node.id))}>{body}</node>\n"


def export_chunks(store: Store, fmt: str) -> Iterator[str]:
    """The whole store in format ``fmt`` (one of ``EXPORT_FORMATS``), as text chunks to write in order."""
    writers = {"jsonl": _jsonl, "csv": _csv, "geojson": _geojson, "graphml": _graphml}
    if fmt not in writers:
        raise ClaimgraphError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    return writers[fmt](store)


EXPORT_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "geojson": "application/geo+json",
    "graphml": "application/graphml+xml",
}
