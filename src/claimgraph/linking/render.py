"""The ``assess`` report as plain text: per story, its events, their origins, the relay
graph and the grades with their reasons; then the claims that report no event.

Reads an ``Analysis`` linked by ``link_analysis`` and the ``Linker`` it returned (the
traces behind each assessment, copies and citations); adds nothing. The relay graph shows
every report as a path from its origin outwards: ``origin <- relay <- outlet <- document``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.linking.event_report import event_fields
from claimgraph.linking.grading import CREDIBILITY_MEANING, RELIABILITY_MEANING
from claimgraph.model import Analysis, Assessment, Story

if TYPE_CHECKING:
    from claimgraph.linking import Linker

ARROW = " <- "


def is_event_subject(a: Assessment, linker: Linker) -> bool:
    """True when ``a`` assesses an event cluster (its subject is the linker's event ids)."""
    return bool(a.subject) and a.subject[0] in linker.event_index.events


def owners(linker: Linker) -> dict[str, str]:
    """The document of every claim and event id the linker holds."""
    out = {c.id: doc_id for doc_id, da in linker.documents.items() for c in da.claims}
    out.update({event_id: f.document for event_id, f in linker.event_index.events.items()})
    return out


def _document(linker: Linker, doc_id: str) -> str:
    doc = linker.documents[doc_id].document
    name = doc.meta.get("external_id") or doc.title or doc_id
    return f"{doc_id} ({name}; {doc.outlet or 'outlet unknown'}, {doc.published or 'undated'})"


def _relay_graph(linker: Linker, a: Assessment) -> list[str]:
    """One line per origin, then one per report tracing back to it."""
    traces = linker.traces.get(a.id, [])
    copy_of = linker.evidence.copy_of if linker.evidence else {}
    lines: list[str] = []
    origins = list(dict.fromkeys([*a.origins, *(t.origin for t in traces)]))
    for origin in origins:
        mine = [t for t in traces if t.origin == origin]
        if not mine:
            continue
        counted = "" if origin in a.origins else " (not independent: relays another origin)"
        lines.append(f"      {origin}{counted}")
        for t in mine:
            copy = ""
            if t.document in copy_of:
                near, jaccard = copy_of[t.document]
                copy = f" [near-copy of {near}, Jaccard {jaccard:.2f}]"
            lines.append(f"       {ARROW}{ARROW.join([*t.path, t.claim.id])}{copy}")
    return lines


def _grade(a: Assessment) -> str:
    circular = ", circular" if a.circular else ""
    return (
        f"    grade {a.reliability}{a.credibility}: reliability {a.reliability} "
        f"({RELIABILITY_MEANING[a.reliability]}), credibility {a.credibility} "
        f"({CREDIBILITY_MEANING[a.credibility]}); {a.independent_origins} independent origin(s){circular}"
    )


def _event_lines(linker: Linker, a: Assessment, owner: dict[str, str]) -> list[str]:
    lines = []
    for event_id in a.subject:
        da = linker.documents[owner[event_id]]
        event = next((e for e in da.events if e.id == event_id), None)
        if event is None:
            continue
        fields = event_fields(event, da)
        shown = "; ".join(f"{k} {v}" for k, v in fields.items() if k != "type")
        lines.append(f"      {event_id}: {fields['type']}; {shown}")
    return lines


def _block(linker: Linker, a: Assessment, title: str, owner: dict[str, str] | None) -> list[str]:
    """One assessment's lines; ``owner`` (id -> document) lists its event mentions when given."""
    lines = [f"  {title}", _grade(a)]
    if owner is not None:
        lines.append("    mentions:")
        lines.extend(_event_lines(linker, a, owner))
    lines.append("    relay graph (origin <- relays <- report):")
    lines.extend(_relay_graph(linker, a))
    lines.append("    reasons:")
    lines.extend(f"      - {r}" for r in a.reasons)
    return lines


def _story_lines(
    linker: Linker, story: Story, assessments: list[Assessment], owner: dict[str, str]
) -> list[str]:
    lines = [f"Story {story.id}: {story.label or '(no title)'} ({len(story.documents)} document(s))"]
    lines.extend(f"  {_document(linker, d)}" for d in story.documents)
    events = [a for a in assessments if is_event_subject(a, linker)]
    claims = [a for a in assessments if not is_event_subject(a, linker)]
    for n, a in enumerate(events, start=1):
        summary = next((r for r in a.reasons if r.startswith("event: ")), "event")
        lines.extend(_block(linker, a, f"Event {n}: {summary.removeprefix('event: ')}", owner))
    if claims:
        lines.append("  Claims reporting no event:")
    for a in claims:
        first = a.subject[0]
        da = linker.documents[owner[first]]
        claim = next((c for c in da.claims if c.id == first), None)
        text = " ".join(s.text(da.document.text) for s in claim.content) if claim else first
        lines.extend(
            _block(linker, a, f"Claim group ({len(a.subject)}): {' '.join(text.split())[:100]}", None)
        )
    return lines


def render_assessments(analysis: Analysis, linker: Linker) -> str:
    """The report, stories in order, each with its event and claim assessments."""
    by_story: dict[str, list[Assessment]] = {}
    story_of = {d: s.id for s in analysis.stories for d in s.documents}
    owner = owners(linker)
    for a in analysis.assessments:
        doc = owner.get(a.subject[0], "") if a.subject else ""
        by_story.setdefault(story_of.get(doc, ""), []).append(a)
    out: list[str] = []
    for story in analysis.stories:
        out.extend(_story_lines(linker, story, by_story.get(story.id, []), owner))
        out.append("")
    events = sum(1 for a in analysis.assessments if is_event_subject(a, linker))
    out.append(
        f"{len(analysis.stories)} stories, {events} events assessed, "
        f"{len(analysis.assessments) - events} claim groups assessed"
    )
    return "\n".join(out) + "\n"
