"""The data model: every stage reads and writes these types, and nothing else.

Every extracted item points into ``Document.text`` with character offsets
(Python ``str`` indices, end exclusive), so an analyst can check anything
against the text exactly as it was ingested.

    Document ── removed: [Removed]            (noise ranges, text never deleted)
       │
       ├── Source  (who: person, outlet, anonymous, ...; mentions: [Span])
       ├── Claim   (content/cue/source_mentions: [Span]; chain: [source id])
       ├── Event   (trigger, actor, places, time; claims that report it)
       └── Place   (mention span, resolved gazetteer entry)
    Story       (documents about the same story; events judged identical)
    Assessment  (origins, independence, circularity, Admiralty grades)

``DocumentAnalysis`` holds what the pipeline produced for one document;
``Analysis`` holds everything for a run and converts to the JSON contract
(``../shared/contract/analysis.schema.json``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

SourceKind = Literal[
    "person", "organisation", "outlet", "government", "document", "anonymous", "author", "unknown"
]
SOURCE_KINDS: tuple[str, ...] = (
    "person",
    "organisation",
    "outlet",
    "government",
    "document",
    "anonymous",
    "author",
    "unknown",
)
ClaimMode = Literal["quote", "paraphrase", "mixed", "unattributed"]
Precision = Literal["day", "week", "month", "season", "year", "unknown"]


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A range ``[start, end)`` of ``Document.text``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def text(self, document_text: str) -> str:
        return document_text[self.start : self.end]

    def to_json(self, document_text: str) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text(document_text)}


@dataclass(frozen=True, slots=True)
class Removed:
    """A range judged not to be article body, with the rule that said so."""

    start: int
    end: int
    reason: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def content_hash(text: str) -> str:
    """Identity of a document's text: re-ingesting the same text gives the same id."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Document:
    """An article as ingested. ``text`` is never modified after ingest."""

    text: str
    path: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO 8601 date or datetime
    url: str | None = None
    removed: list[Removed] = field(default_factory=list)
    # Span of the title inside ``text`` when the text itself carries it.
    title_span: Span | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = "doc-" + content_hash(self.text)[:16]

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    def is_removed(self, span: Span) -> bool:
        """True when ``span`` overlaps any removed range."""
        return any(r.start < span.end and span.start < r.end for r in self.removed)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "outlet": self.outlet,
            "published": self.published,
            "url": self.url,
            "text": self.text,
            "removed": [
                {"start": r.start, "end": r.end, "text": self.text[r.start : r.end], "reason": r.reason}
                for r in sorted(self.removed, key=lambda r: (r.start, r.end))
            ],
        }


@dataclass(slots=True)
class Source:
    """Who makes claims, as one entity within one document."""

    id: str
    document: str
    kind: str  # one of SOURCE_KINDS
    anonymous: bool
    mentions: list[Span] = field(default_factory=list)
    name: str | None = None
    descriptor: str | None = None
    key: str | None = None

    def to_json(self, document_text: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "kind": self.kind,
            "name": self.name,
            "descriptor": self.descriptor,
            "anonymous": self.anonymous,
            "key": self.key,
            "mentions": [m.to_json(document_text) for m in sorted(self.mentions)],
        }


@dataclass(slots=True)
class Claim:
    """One attribution: content said, written, believed or reported by a source."""

    id: str
    document: str
    content: list[Span]
    cue: list[Span]
    source_mentions: list[Span]
    chain: list[str]  # source ids, outermost relay first, origin last
    mode: str  # quote | paraphrase | mixed | unattributed
    hedged: bool
    source: str | None = None  # id of the Source speaking (the origin of the chain)
    hedges: list[Span] = field(default_factory=list)
    explanation: dict[str, Any] = field(default_factory=dict)

    def to_json(self, document_text: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "content": [s.to_json(document_text) for s in self.content],
            "cue": [s.to_json(document_text) for s in self.cue],
            "source_mentions": [s.to_json(document_text) for s in self.source_mentions],
            "source": self.source,
            "chain": list(self.chain),
            "mode": self.mode,
            "hedged": self.hedged,
            "hedges": [s.to_json(document_text) for s in self.hedges],
            "explanation": dict(self.explanation),
        }


@dataclass(slots=True)
class TimeInterval:
    start: str | None
    end: str | None
    precision: str = "unknown"
    mention: Span | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"precision": self.precision}
        if self.start is not None:
            out["start"] = self.start
        if self.end is not None:
            out["end"] = self.end
        return out


@dataclass(slots=True)
class Place:
    id: str
    document: str
    mention: Span
    name: str
    country: str | None = None
    admin1: str | None = None
    feature: str | None = None
    gazetteer_id: str | None = None
    lat: float | None = None
    lon: float | None = None

    def to_json(self, document_text: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "mention": self.mention.to_json(document_text),
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "feature": self.feature,
            "gazetteer_id": self.gazetteer_id,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass(slots=True)
class Event:
    id: str
    document: str
    type: str
    trigger: Span | None = None
    actor: str | None = None
    target: str | None = None
    equipment: list[str] = field(default_factory=list)
    quantity: float | None = None
    approximate: bool = False
    places: list[str] = field(default_factory=list)
    time: TimeInterval | None = None
    claims: list[str] = field(default_factory=list)
    acled_code: str | None = None
    confidence: float | None = None

    def to_json(self, document_text: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "document": self.document,
            "type": self.type,
            "actor": self.actor,
            "target": self.target,
            "equipment": list(self.equipment),
            "quantity": self.quantity,
            "approximate": self.approximate,
            "places": list(self.places),
            "time": self.time.to_json() if self.time else None,
            "claims": list(self.claims),
            "acled_code": self.acled_code,
        }
        if self.trigger is not None:
            out["trigger"] = self.trigger.to_json(document_text)
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out


@dataclass(slots=True)
class Story:
    id: str
    documents: list[str]
    events: list[str] = field(default_factory=list)
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "documents": list(self.documents),
            "events": list(self.events),
        }


@dataclass(slots=True)
class Assessment:
    id: str
    subject: list[str]
    origins: list[str]
    independent_origins: int
    circular: bool
    credibility: str  # "1".."6"
    reasons: list[str]
    relays: list[str] = field(default_factory=list)
    reliability: str = "F"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": list(self.subject),
            "origins": list(self.origins),
            "independent_origins": self.independent_origins,
            "relays": list(self.relays),
            "circular": self.circular,
            "reliability": self.reliability,
            "credibility": self.credibility,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be analyzed, and why (for the failure report)."""

    path: str
    problem: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.problem}"


@dataclass(slots=True)
class DocumentAnalysis:
    """What the pipeline produced for one document."""

    document: Document
    sources: list[Source] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    # Name and version of each stage implementation that produced this result.
    produced_by: dict[str, str] = field(default_factory=dict)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)


@dataclass(slots=True)
class Analysis:
    """A whole run (or a store's contents): documents plus cross-document results."""

    documents: list[DocumentAnalysis] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The object that ``analyze --format json`` prints (the contract)."""
        out: dict[str, Any] = {
            "documents": [],
            "sources": [],
            "claims": [],
            "events": [],
            "places": [],
            "stories": [s.to_json() for s in self.stories],
            "assessments": [a.to_json() for a in self.assessments],
        }
        for da in self.documents:
            text = da.document.text
            out["documents"].append(da.document.to_json())
            out["sources"].extend(s.to_json(text) for s in da.sources)
            out["claims"].extend(c.to_json(text) for c in da.claims)
            out["events"].extend(e.to_json(text) for e in da.events)
            out["places"].extend(p.to_json(text) for p in da.places)
        return out
