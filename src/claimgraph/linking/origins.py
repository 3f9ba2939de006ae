"""Trace every claim of a story to its origin; group the claims that say the same thing.

A claim's origin is the key of the last source of its chain. A claim without one (the
article's own voice) comes from the document's *voice*: its outlet, or the original of
a near-copy (the earliest copy counts, later ones only relay it), or the outlet it says
it follows ("as first reported by X"). Relays are the chain's outlets in between plus the
publishing outlet, and the outlet cited, each counted once.

Subjects: claims whose content says the same thing (TF-IDF cosine of content words at or
above ``SUBJECT_THRESHOLD``), joined by union-find over candidate pairs that share a rare
content word (never all pairs). A future event linker can hand its own claim groups to
``assess_subject`` instead.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.linking.features import NAME_RUN, content_terms, cosine, weigh
from claimgraph.linking.identity import descriptor_head, outlet_key
from claimgraph.model import Claim, DocumentAnalysis, Span

# Content similarity from which two claims say the same thing. Calibrated on the linking
# fixtures: rewrites of one sentence score 0.45-0.9, different claims of one story < 0.3.
SUBJECT_THRESHOLD = 0.4
# Claims with fewer content words than this are never joined to others: "the deployment"
# matches anything about a deployment.
MIN_SUBJECT_TERMS = 3
# Candidate pairs come from the claims sharing one of these many rarest content words.
SUBJECT_BLOCK_TERMS = 6
SUBJECT_BUCKET_LIMIT = 60

# "as first reported by the Daily Ledger", "originally reported in X", "X first reported".
_NAME = NAME_RUN.pattern.removeprefix(r"\b")
CITATION_PATTERNS = (
    re.compile(r"\b(?:first|originally)\s+reported\s+(?:by|in|on)\s+(?:the\s+)?(" + _NAME + ")"),
    re.compile(r"\bas\s+reported\s+(?:first\s+)?by\s+(?:the\s+)?(" + _NAME + ")"),
    re.compile(
        r"("
        + _NAME
        + r")\s+(?:was\s+the\s+first\s+to\s+report|first\s+reported|broke\s+the\s+(?:news|story))"
    ),
)

# Leads that hand the whole report to an outlet: "According to the Daily Ledger, ..." or
# "The Daily Ledger reported on Monday, citing ...", at the start of a paragraph. Counted
# only when the name is a known outlet (the outlet lexicon, or an outlet of a document seen).
LEAD_CITATION_PATTERNS = (
    re.compile(r"(?:^|\n)[ \t]*According\s+to\s+(?:a\s+report\s+(?:by|in)\s+)?(?:the\s+)?(" + _NAME + r"),"),
    re.compile(r"(?:^|\n)[ \t]*(?:The\s+)?(" + _NAME + r")\s+reported(?:\s+on\s+\w+)?,?\s+citing\b"),
)


@dataclass(slots=True)
class Trace:
    """One claim traced to its origin."""

    claim: Claim
    origin: str
    named: bool  # the origin is on the record (a named source, or an outlet's own voice)
    judgeable: bool  # False when nothing is known of who speaks
    relays: list[str]
    hedged: bool
    notes: list[str] = field(default_factory=list)
    # from the origin outwards: the chain's relays (innermost first), the outlet cited, the
    # publishing outlet: "official <- Daily Ledger <- Harbour Times"
    path: list[str] = field(default_factory=list)

    @property
    def document(self) -> str:
        return self.claim.document


def trace_claim(
    da: DocumentAnalysis, claim: Claim, voice: str | None, own: str | None, cited: str | None
) -> Trace:
    """Origin and relays of one claim of ``da``.

    ``voice`` is the document's voice key (see module doc), ``own`` its publishing outlet key,
    ``cited`` the outlet it says it follows. Reads ``Source.key`` (set by ``identity.assign_keys``).
    """
    doc_id = da.document.id
    last = da.source(claim.chain[-1]) if claim.chain else None
    relays: list[str] = []
    notes: list[str] = []
    for source_id in claim.chain[:-1]:
        relay = da.source(source_id)
        if relay is not None and relay.key:
            relays.append(relay.key)
    if last is None or claim.mode == "unattributed":
        origin = voice or f"document:{doc_id}"
        named, judgeable = voice is not None, voice is not None
        notes.append(f"{claim.id} is the document's own voice: origin {origin}")
    else:
        origin = last.key or f"unnamed:{last.id}"
        named = not last.anonymous and bool(last.name)
        judgeable = named or last.anonymous
    chained = len(relays)
    if cited and cited != origin:
        relays.append(cited)
    if own and own != origin:
        relays.append(own)
    path = list(dict.fromkeys(r for r in [*reversed(relays[:chained]), *relays[chained:]] if r != origin))
    relays = list(dict.fromkeys(r for r in relays if r != origin))
    return Trace(claim, origin, named, judgeable, relays, claim.hedged, notes, path)


def _claim_text(da: DocumentAnalysis, claim: Claim) -> str:
    return " ".join(s.text(da.document.text) for s in claim.content)


def group_claims(items: Sequence[tuple[DocumentAnalysis, Claim]]) -> list[list[int]]:
    """Indices of ``items`` grouped by what the claims say (singletons included), in input order."""
    terms = [content_terms(_claim_text(da, c)) for da, c in items]
    df: Counter[str] = Counter()
    for t in terms:
        df.update(t.keys())
    n = len(items)
    vectors = [weigh(t, df, n) for t in terms]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    buckets: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(terms):
        if sum(t.values()) < MIN_SUBJECT_TERMS:
            continue
        rare = sorted(t, key=lambda w: (df[w], w))[:SUBJECT_BLOCK_TERMS]
        candidates = {j for w in rare for j in buckets[w][-SUBJECT_BUCKET_LIMIT:]}
        for j in sorted(candidates):
            if cosine(vectors[i], vectors[j]) >= SUBJECT_THRESHOLD:
                parent[find(i)] = find(j)
        for w in rare:
            buckets[w].append(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


@dataclass(slots=True)
class Origins:
    """What one subject traces back to."""

    traces: list[Trace]
    origins: list[str]
    relays: list[str]
    documents: list[str]
    notes: list[str]

    @property
    def independent(self) -> int:
        return len(self.origins)

    @property
    def circular(self) -> bool:
        return len(self.documents) >= 2 and len(self.origins) == 1


def is_local(key: str) -> bool:
    """True for keys that identify a source only inside one document (never merged)."""
    return key.startswith(("unnamed:", "document:")) or (key.startswith("anonymous:") and "|" not in key)


def _anonymous_head(key: str) -> tuple[str, str] | None:
    """(relaying outlet, head noun) of a merged anonymous key ('traders in the town' and
    'local traders' relayed by one outlet -> (outlet, 'traders'))."""
    if not key.startswith("anonymous:") or "|" not in key:
        return None
    relay, descriptor = key.removeprefix("anonymous:").split("|", 1)
    head = descriptor_head(descriptor)
    return (relay, head) if head else None


def collect_origins(traces: Iterable[Trace], roots: Mapping[str, str] | None = None) -> Origins:
    """Distinct origins of a subject's traces, after three collapses, each noted:

    - copies: a near-copy's document-local origin ('the harbour master's office' in each
      copy) becomes the origin of the earliest copy in the subject (``roots``: document id
      -> earliest document of its copy group);
    - relaying origins: an origin that also relays another origin of the subject (an
      outlet whose own version follows someone else's) is not independent;
    - anonymous sources relayed by one outlet with the same head noun ('the official',
      'a senior defence official') cannot be shown to be different people: counted once.
    """
    traces = list(traces)
    notes: list[str] = []
    roots = roots or {}
    first_by_root: dict[str, Trace] = {}
    for t in traces:
        root = roots.get(t.document, t.document)
        first = first_by_root.setdefault(root, t)
        if first is not t and first.document != t.document and is_local(t.origin):
            notes.append(f"{t.claim.id} is in a near-copy of {first.document}: origin {first.origin}")
            t.origin, t.named, t.judgeable = first.origin, first.named, first.judgeable
    found = list(dict.fromkeys(t.origin for t in traces))
    relayed = {r for t in traces for r in t.relays}
    origins = [o for o in found if o not in relayed] or found
    for dropped in (o for o in found if o not in origins):
        via = sorted({t.origin for t in traces if dropped in t.relays})
        notes.append(f"{dropped} also relays {', '.join(via)}: not counted as a separate origin")
    heads: dict[tuple[str, str], str] = {}
    kept: list[str] = []
    for o in origins:
        head = _anonymous_head(o)
        if head is not None and head in heads:
            notes.append(f"{o} and {heads[head]}: anonymous, same outlet, same head noun: counted once")
            continue
        if head is not None:
            heads[head] = o
        kept.append(o)
    relays = list(dict.fromkeys(r for t in traces for r in t.relays if r not in kept))
    documents = list(dict.fromkeys(t.document for t in traces))
    for t in traces:
        notes.extend(t.notes)
    return Origins(traces, kept, relays, documents, notes)


def find_citations(
    documents: Iterable[DocumentAnalysis],
    own: Mapping[str, str | None],
    lexicons: Lexicons,
    outlets: Collection[str] = (),
) -> dict[str, tuple[str, str]]:
    """Document id -> (cited outlet key, the phrase) for documents that say whose report they
    follow: ``CITATION_PATTERNS`` anywhere, ``LEAD_CITATION_PATTERNS`` when the name is an
    outlet of the lexicon or one of ``outlets`` (outlet keys of documents seen)."""
    out: dict[str, tuple[str, str]] = {}
    for da in documents:
        text = da.document.text
        found = [(p, False) for p in CITATION_PATTERNS] + [(p, True) for p in LEAD_CITATION_PATTERNS]
        for pattern, lead in found:
            match = pattern.search(text)
            if match is None or da.document.is_removed(Span(match.start(1), match.end())):
                continue
            key = outlet_key(match.group(1), lexicons)
            if lead and key not in outlets and not lexicons.outlets.canonical(match.group(1)):
                continue
            if key != own.get(da.document.id):
                out[da.document.id] = (key, " ".join(match.group(0).split()))
                break
    return out
