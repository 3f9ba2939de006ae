"""One ``Assessment`` from a group of reports: a claim group, or an event cluster.

``Evidence`` holds what ``Linker.assess`` works out once over all documents (outlets,
voices, citations, copies, source identities); ``assessment`` turns the traces of one
subject into origins, grades and reasons; ``event_traces`` traces every report of an event
cluster (the claims that report each event, or the document's own voice when none does).

Restatements: within one document, an event mention that no claim reports (a headline,
a later "the deployment") or that a document-local source reports ("Report:") restates
what the document attributes elsewhere. When the document also traces the event to an
identifiable source, those mentions are left out of the origins, and a reason says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from claimgraph.linking.grading import ReliabilityTable, credibility, reliability
from claimgraph.linking.identity import Identities
from claimgraph.linking.origins import Trace, collect_origins, trace_claim
from claimgraph.model import Assessment, Claim, DocumentAnalysis, Event


@dataclass(slots=True)
class Evidence:
    """Cross-document facts every assessment reads (built once per ``Linker.assess``)."""

    documents: dict[str, DocumentAnalysis]
    table: ReliabilityTable
    own: dict[str, str | None]  # document -> its outlet key
    voices: dict[str, str | None]  # document -> whose voice it speaks with
    citations: dict[str, tuple[str, str]]  # document -> (cited outlet, phrase)
    copy_of: dict[str, tuple[str, float]]  # later copy -> (earlier copy, Jaccard)
    roots: dict[str, str]  # document -> earliest document of its copy group
    identities: Identities
    story_of: dict[str, str] = field(default_factory=dict)  # document -> story id
    corrections: list[str] = field(default_factory=list)  # documents that correct themselves

    def describe(self, documents: list[str]) -> str:
        shown = []
        for d in documents:
            doc = self.documents[d].document
            shown.append(f"{d} ({doc.outlet or 'outlet unknown'}, {doc.published or 'undated'})")
        return f"{len(documents)} document(s): {'; '.join(shown)}"

    def trace(self, da: DocumentAnalysis, claim: Claim) -> Trace:
        d = da.document.id
        cited = self.citations[d][0] if d in self.citations else None
        return trace_claim(da, claim, self.voices[d], self.own[d], cited)

    def corrected_by(self, documents: list[str], among: bool = False) -> list[str]:
        """Correction notices that bear on reports in ``documents``, and not the only report.

        With ``among`` (event clusters) only a correction among ``documents`` counts (it
        mentions the event); else one in the same story by an outlet carrying them does too.
        """
        carriers = {self.own[d] for d in documents if self.own[d]}
        stories = {self.story_of.get(d) for d in documents}
        out = []
        for c in self.corrections:
            if c not in documents and (
                among or self.story_of.get(c) not in stories or self.own[c] not in carriers
            ):
                continue
            published = self.documents[c].document.published or ""
            earlier = [
                d for d in documents if d != c and (self.documents[d].document.published or "") <= published
            ]
            if earlier:
                out.append(c)
        return out


def _weak(trace: Trace) -> bool:
    """A report of the document's own voice or of a document-local unnamed source."""
    return (
        not trace.claim.chain
        or trace.claim.mode == "unattributed"
        or trace.origin.startswith(("unnamed:", "document:"))
    )


def _bare(event: Event) -> bool:
    """Nothing but a type: no place, time, quantity, equipment, target or actor."""
    timed = event.time is not None and (event.time.start or event.time.end)
    details = (event.places, timed, event.quantity is not None, event.equipment, event.target, event.actor)
    return not any(details)


def event_traces(evidence: Evidence, events: list[Event]) -> tuple[list[Trace], list[str]]:
    """Traces of every report of ``events`` (one cluster), restatements left out; and notes."""
    by_document: dict[str, list[Trace]] = {}
    detailed = {e.document for e in events if not _bare(e)}
    bare: set[str] = set()
    for event in events:
        if _bare(event) and event.document in detailed:
            bare.add(event.id)  # 'the deployment' where the document also gives details
            continue
        da = evidence.documents[event.document]
        claims = {c.id: c for c in da.claims}
        reports = [claims[c] for c in event.claims if c in claims]
        if not reports:
            content = [event.trigger] if event.trigger is not None else []
            reports = [Claim(event.id, da.document.id, content, [], [], [], "unattributed", False)]
        for claim in reports:
            by_document.setdefault(da.document.id, []).append(evidence.trace(da, claim))
    traces: list[Trace] = []
    notes: list[str] = []
    for d, found in by_document.items():
        strong = [t for t in found if not _weak(t)]
        dropped = [t for t in found if _weak(t)] if strong else []
        if dropped:
            notes.append(
                f"{', '.join(t.claim.id for t in dropped)} restate(s) what {d} attributes to "
                f"{', '.join(dict.fromkeys(t.origin for t in strong))}: not a separate origin"
            )
        traces.extend(strong or found)
    if bare:
        notes.append(
            f"{', '.join(sorted(bare))}: bare mention(s) of the event in a document that reports it "
            "in detail: not traced (a claim around them, such as a denial, is not its source)"
        )
    unique = list({t.claim.id: t for t in traces}.values())
    return unique, notes


def assessment(
    evidence: Evidence, traces: list[Trace], subject: list[str], extra: list[str], events: bool = False
) -> Assessment:
    """Origins, grades and reasons of one subject from its traces; ``extra`` reasons go last.

    ``events``: the subject is an event cluster (corrections count only among its documents).
    """
    origins = collect_origins(traces, evidence.roots)
    reasons = [evidence.describe(origins.documents)]
    for d in origins.documents:
        if d in evidence.copy_of:
            near, jaccard = evidence.copy_of[d]
            reasons.append(
                f"{d} is a near-copy of {near} (shingle Jaccard {jaccard:.2f}): copies count "
                f"once, the earliest ({evidence.roots.get(d, d)}) is the original"
            )
        if d in evidence.citations:
            reasons.append(f"{d} follows {evidence.citations[d][0]} ('{evidence.citations[d][1]}')")
    reasons.extend(evidence.identities.reason(o) for o in origins.origins if evidence.identities.shared(o))
    reasons.extend(origins.notes)
    if origins.relays:
        reasons.append(f"relays: {', '.join(origins.relays)}")
    if origins.circular:
        reasons.append(
            f"circular: {len(origins.documents)} reports trace back to one origin ({origins.origins[0]})"
        )
    grade, grade_reasons = credibility(origins, evidence.corrected_by(origins.documents, among=events))
    rel, rel_reason = reliability(origins, evidence.table)
    digest = hashlib.sha256("\n".join(subject).encode("utf-8")).hexdigest()[:12]
    return Assessment(
        id=f"assess-{digest}",
        subject=subject,
        origins=origins.origins,
        independent_origins=origins.independent,
        circular=origins.circular,
        credibility=grade,
        reasons=[*grade_reasons, rel_reason, *reasons, *extra],
        relays=origins.relays,
        reliability=rel,
    )


def identity_block(
    a: Assessment,
    documents: list[str],
    copy_of: Mapping[str, object],
    citations: Mapping[str, object],
    before: Identities,
) -> int | None:
    """Where the identity reasons of ``a`` start in ``a.reasons`` (``assessment`` puts them
    after the line describing ``documents``, its copies' and citations' lines), or None when
    the reasons do not read as ``assessment`` wrote them with the identities ``before``.

    Incremental linking uses it to rewrite those reasons alone when only the documents
    sharing an origin's key changed (keep in step with ``assessment``).
    """
    head = f"{len(documents)} document(s): "
    found = [
        i for i, r in enumerate(a.reasons) if r.startswith(head) and all(f"{d} (" in r for d in documents)
    ]
    if len(found) != 1:
        return None
    start = found[0] + 1 + sum(d in copy_of for d in documents) + sum(d in citations for d in documents)
    old = [before.reason(o) for o in a.origins if before.shared(o)]
    return start if a.reasons[start : start + len(old)] == old else None


def with_identities(a: Assessment, start: int, before: Identities, after: Identities) -> Assessment:
    """``a`` with its identity reasons (from ``start``) rewritten for the identities ``after``."""
    old = sum(1 for o in a.origins if before.shared(o))
    new = [after.reason(o) for o in a.origins if after.shared(o)]
    return replace(a, reasons=[*a.reasons[:start], *new, *a.reasons[start + old :]])
