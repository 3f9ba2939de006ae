"""The cross-article stage (``linking.v1``): stories, same events, source identity, origins, grades.

Reads every ``DocumentAnalysis`` of an ``Analysis`` (text, removed ranges, outlet,
publication date, sources, claims, events, places) and adds:

- ``Source.key`` on every source (``identity``: one key per outlet or named person across
  documents; anonymous sources merged only on the same descriptor from the same outlet),
- ``Analysis.stories`` (``stories``: blocking by MinHash-LSH and rare names/words within a
  date window, TF-IDF scoring, union-find; near-copies found by ``copies``), each with the
  ids of its events that another document reports too (``Story.events``),
- ``Analysis.assessments`` (``assess`` + ``origins`` + ``grading``): one per event cluster
  (``events``: same type family, overlapping place and time, compatible equipment,
  quantities and actors; subject = the event ids), then one per group of claims that say
  the same thing among the claims that report no event (subject = the claim ids); each
  with origins, relays, circularity, Admiralty grades and reasons naming the evidence.

    copies.py        MinHash signatures of word shingles, LSH buckets
    features.py      content words, name phrases, TF-IDF
    stories.py       StoryIndex: incremental blocking, scoring, union-find
    vectors.py       term vectors kept per document, TF-IDF weighting and cosine on arrays
    events.py        EventIndex: same-event blocking, comparison, constrained clustering
    identity.py      Source.key across documents, and the grounds of each merge
    origins.py       claims -> origins, relays; claim groups (subjects)
    assess.py        one Assessment from traces; the reports of an event cluster
    grading.py       reliability A–F (outlet table), credibility 1–6, reasons
    event_report.py  short text of events and clusters; render.py: the ``assess`` report
    state.py         a document's linking state in compact form, and restoring a Linker from states
    incremental.py   linking new documents of a store from the states of the linked ones

Incremental use: keep a ``Linker`` and ``add`` new documents; only they are compared, with
their LSH, story and event blocking buckets. ``stories`` and ``assess`` then rebuild the
groups from the pairs kept (linear in the pairs) and recompute the assessments (linear in
the reports). ``link`` is the one-shot form; ``link_analysis`` also returns the ``Linker``. Across
processes, ``state`` keeps what ``add`` derived per document and ``incremental`` restores a
``Linker`` from it (``Linker.documents`` then holds only the analyses loaded in full).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from claimgraph.attribution.lexicon import Lexicons, load_lexicons
from claimgraph.linking.assess import Evidence, assessment, event_traces
from claimgraph.linking.copies import COPY_JACCARD, SHINGLE_SIZE
from claimgraph.linking.event_report import describe_cluster
from claimgraph.linking.events import EventCluster, EventIndex, documents_of, load_link_rules
from claimgraph.linking.features import (
    content_terms,
    content_terms_of,
    name_phrases,
    parse_day,
    shingles,
    words,
)
from claimgraph.linking.grading import ReliabilityTable, load_reliability_table, parse_reliability_table
from claimgraph.linking.identity import Identities, assign_keys, named_key, outlet_key
from claimgraph.linking.origins import Trace, find_citations, group_claims
from claimgraph.linking.stories import STORY_THRESHOLD, DocFeatures, StoryIndex
from claimgraph.model import Analysis, Assessment, DocumentAnalysis, Event, Story

__all__ = [
    "NAME",
    "Linker",
    "ReliabilityTable",
    "body_text",
    "link",
    "link_analysis",
    "load_reliability_table",
    "parse_reliability_table",
    "story_groups",
]

NAME = "linking.v1"

# The unit of assessments ``Linker.assess`` may be handed instead of computing them:
# ("events", event ids of a cluster) or ("claims", story id) -> its assessments, or None.
Reuse = Callable[[tuple[str, tuple[str, ...] | str]], list[Assessment] | None]

# Content words of the lead counted twice for story similarity (a news lead says what the
# story is). Checked on PolNeAR dev: 40 gives the same pairwise F1 as 30-60.
LEAD_WORDS = 40
# A notice that the article corrects an earlier version of itself.
CORRECTION = re.compile(
    r"\b(?:correction\s*:|corrects?\s+an\s+earlier|an\s+earlier\s+version\s+of\s+this\b|"
    r"this\s+(?:article|story|report)\s+(?:has\s+been|was)\s+(?:corrected|amended))",
    re.IGNORECASE,
)


def body_text(da: DocumentAnalysis) -> str:
    """The document's text with removed ranges blanked (offsets kept)."""
    text = da.document.text
    if not da.document.removed:
        return text
    chars = list(text)
    for r in da.document.removed:
        chars[r.start : r.end] = " " * (r.end - r.start)
    return "".join(chars)


@dataclass(slots=True)
class Linker:
    """The incremental linker: an index of the documents seen, and the analyses to assess."""

    table: ReliabilityTable
    lexicons: Lexicons
    index: StoryIndex = field(default_factory=StoryIndex)
    event_index: EventIndex = field(default_factory=lambda: EventIndex(load_link_rules()))
    documents: dict[str, DocumentAnalysis] = field(default_factory=dict)  # analyses held in full
    relayed: dict[str, set[str]] = field(default_factory=dict)  # document -> outlet keys it relays
    outlets: dict[str, str | None] = field(default_factory=dict)  # document -> its outlet key
    known_outlets: set[str] = field(default_factory=set)  # every outlet key of the documents
    corrections: set[str] = field(default_factory=set)  # documents with a correction notice
    citations: dict[str, tuple[str, str]] = field(default_factory=dict)  # document -> (cited, phrase)
    # document -> its identity notes (source key, grounds) in order: worked out by ``assess``
    # for the documents held in full, read from the kept state (``state``) for the others
    notes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # filled by ``assess``: the traces behind each assessment, and the evidence it read
    traces: dict[str, list[Trace]] = field(default_factory=dict)
    evidence: Evidence | None = None

    def own_outlet(self, da: DocumentAnalysis) -> str | None:
        """The outlet key of ``da`` (kept per document once it is added)."""
        doc_id = da.document.id
        if doc_id in self.outlets:
            return self.outlets[doc_id]
        key = outlet_key(da.document.outlet, self.lexicons) if da.document.outlet else None
        if doc_id in self.documents:
            self.outlets[doc_id] = key
            if key:
                self.known_outlets.add(key)
        return key

    def features(self, da: DocumentAnalysis) -> DocFeatures:
        """What the story index keeps about ``da`` (body words, names, signature)."""
        body = body_text(da)
        tokens = words(body)  # split once for content words and shingles
        names = name_phrases(body)
        for source in da.sources:
            key = named_key(source, self.lexicons)
            if key:
                names[key] += len(source.mentions) or 1
        names.update(f"place:{p.gazetteer_id or p.name.lower()}" for p in da.places)
        return DocFeatures(
            id=da.document.id,
            order=len(self.index.docs),
            day=parse_day(da.document.published),
            outlet=self.own_outlet(da),
            title=da.document.title or "",
            title_terms=content_terms(da.document.title or ""),
            terms=content_terms_of(tokens, LEAD_WORDS),
            names=names,
            signature=self.index.hasher.signature(shingles(tokens, SHINGLE_SIZE)),
        )

    def add(self, documents: Iterable[DocumentAnalysis]) -> None:
        """Index new documents; each is compared only with its blocking candidates."""
        for da in documents:
            if da.document.id not in self.index.docs:
                self.documents[da.document.id] = da
                self.index.add(self.features(da))
                if CORRECTION.search(body_text(da)) is not None:
                    self.corrections.add(da.document.id)
                self.relayed[da.document.id] = self._relayed(da)
                story = self.index.stories.find(da.document.id)
                own = self.own_outlet(da)
                self.event_index.add(da, story, self.relation, own, self.relayed[da.document.id])

    def _relayed(self, da: DocumentAnalysis) -> set[str]:
        """Outlet keys ``da`` relays (outlets in its sources) or cites ("as first reported by")."""
        keys = {outlet_key(s.name, self.lexicons) for s in da.sources if s.kind == "outlet" and s.name}
        cited = find_citations([da], {da.document.id: self.own_outlet(da)}, self.lexicons, self.known_outlets)
        self.citations.update(cited)
        keys.update(key for key, _ in cited.values())
        keys.discard(self.own_outlet(da) or "")
        return keys

    def stories(self) -> list[Story]:
        """The story groups, each with the events it shares with another document."""
        stories = self.index.to_stories()
        story_of = {d: s for s in stories for d in s.documents}
        for cluster in self.event_index.clusters():
            if len(documents_of(cluster, self.event_index.events)) < 2:
                continue
            for e in cluster.events:
                story_of[self.event_index.events[e].document].events.append(e)
        return stories

    def assess(self, stories: list[Story], reuse: Reuse | None = None) -> list[Assessment]:
        """Set source keys on every document held in full and return the assessments.

        One per event cluster (subject: its event ids), listed with the story of its first
        document; then, per story, one per group of claims that say the same thing among
        the claims reporting no event (subject: claim ids). ``reuse`` (incremental linking)
        may give the assessments of a unit, ``("events", event ids)`` or ``("claims",
        story id)``, known not to have changed; the others are computed.
        """
        evidence = self.evidence = self._evidence(stories)
        self.traces = {}
        clusters = self.event_index.clusters()
        by_story: dict[str, list[EventCluster]] = defaultdict(list)
        for cluster in clusters:
            first = self.event_index.events[cluster.events[0]].document
            by_story[evidence.story_of.get(first, "")].append(cluster)
        out: list[Assessment] = []
        for story in stories:
            for cluster in by_story.get(story.id, []):
                kept = reuse(("events", tuple(cluster.events))) if reuse else None
                out.extend(kept if kept is not None else [self._assess_events(evidence, cluster)])
            kept = reuse(("claims", story.id)) if reuse else None
            out.extend(kept if kept is not None else self._assess_claims(evidence, story))
        return out

    def _evidence(self, stories: list[Story]) -> Evidence:
        roots: dict[str, str] = {}
        copy_of: dict[str, tuple[str, float]] = {}
        for group in self.index.copy_groups():
            for doc_id in group:
                roots[doc_id] = group[0]
        for pair in self.index.pairs:
            if pair.copy < COPY_JACCARD:
                continue
            later = max(pair.a, pair.b, key=self.index.sort_key)
            earlier = pair.a if later == pair.b else pair.b
            if later not in copy_of or copy_of[later][1] < pair.copy:
                copy_of[later] = (earlier, pair.copy)
        order = list(self.index.docs)  # every document, in the order added
        own = {d: self.outlets.get(d) for d in order}
        citations = {d: self.citations[d] for d in order if d in self.citations}  # found on add
        voices: dict[str, str | None] = {}
        for doc_id in order:
            root = roots.get(doc_id, doc_id)
            voices[doc_id] = (
                citations[doc_id][0]
                if doc_id in citations
                else own[root] or (f"document:{root}" if root != doc_id else None)
            )
        identities = Identities()
        for doc_id in order:
            da = self.documents.get(doc_id)
            if da is not None:  # held in full: set its keys (one document's keys depend on it alone)
                self.notes[doc_id] = list(assign_keys([da], voices, self.lexicons).grounds.items())
            for key, reason in self.notes.get(doc_id, []):
                identities.note(key, doc_id, reason)
        story_of = {d: s.id for s in stories for d in s.documents}
        corrections = [d for d in order if d in self.corrections]
        return Evidence(
            self.documents,
            self.table,
            own,
            voices,
            citations,
            copy_of,
            roots,
            identities,
            story_of,
            corrections,
        )

    def _assess_events(self, evidence: Evidence, cluster: EventCluster) -> Assessment:
        events = [self._event(e) for e in cluster.events]
        traces, notes = event_traces(evidence, events)
        summary = describe_cluster(events, self.documents)
        found = assessment(
            evidence, traces, list(cluster.events), [summary, *cluster.evidence, *notes], events=True
        )
        self.traces[found.id] = traces
        return found

    def _assess_claims(self, evidence: Evidence, story: Story) -> list[Assessment]:
        members = [self.documents[d] for d in story.documents]
        reporting = {c for da in members for e in da.events for c in e.claims}
        items = [(da, c) for da in members for c in da.claims if c.content and c.id not in reporting]
        out = []
        for group in group_claims(items):
            traces = [evidence.trace(*items[i]) for i in group]
            out.append(assessment(evidence, traces, [t.claim.id for t in traces], []))
            self.traces[out[-1].id] = traces
        return out

    def _event(self, event_id: str) -> Event:
        da = self.documents[self.event_index.events[event_id].document]
        return next(e for e in da.events if e.id == event_id)

    def _not_later(self, x: str, y: str) -> bool:
        """True unless both are dated and ``x`` was published after ``y``."""
        dx, dy = self.index.docs[x].day, self.index.docs[y].day
        return dx is None or dy is None or dx <= dy

    def relation(self, a: str, b: str) -> tuple[int, str]:
        """How two documents are related, as event-linking evidence (points, description)."""
        if a == b:
            return 2, "same document"
        if self.index.copies.find(a) == self.index.copies.find(b):
            return 2, f"{a} and {b} are near-copies"
        same_story = self.index.stories.find(a) == self.index.stories.find(b)
        for x, y in ((a, b), (b, a)):
            outlet = self.outlets.get(x)
            if outlet and outlet in self.relayed.get(y, ()) and self._not_later(x, y):
                return 2, f"{y} relays or cites {outlet}, which published {x}"
        outlet = self.outlets.get(a)
        if same_story and outlet and outlet == self.outlets.get(b):
            return 2, f"{a} and {b}: {outlet} following its own story"
        if same_story:
            return 1, "same story"
        return 0, ""


def story_groups(
    documents: Iterable[DocumentAnalysis],
    lexicons: Lexicons | None = None,
    threshold: float = STORY_THRESHOLD,
) -> list[list[str]]:
    """Document ids grouped by story (singletons included), without assessing anything."""
    lex = lexicons or load_lexicons()
    linker = Linker(table=ReliabilityTable(), lexicons=lex, index=StoryIndex(threshold=threshold))
    for da in documents:  # stories only: no corrections, relays or events to compare
        if da.document.id not in linker.index.docs:
            linker.index.add(linker.features(da))
    return linker.index.story_groups()


def link(
    analysis: Analysis, reliability_table: ReliabilityTable | None = None, lexicons: Lexicons | None = None
) -> Analysis:
    """Fill ``analysis.stories`` and ``analysis.assessments`` and set every ``Source.key``.

    Modifies ``analysis`` in place and returns it. ``lexicons`` and the table default to the
    packaged ones (read on each call; pass them to avoid re-reading).
    """
    link_analysis(analysis, reliability_table, lexicons)
    return analysis


def link_analysis(
    analysis: Analysis, reliability_table: ReliabilityTable | None = None, lexicons: Lexicons | None = None
) -> Linker:
    """``link``, returning the ``Linker`` (its traces and evidence feed the assess report)."""
    lex = lexicons or load_lexicons()
    table = reliability_table or load_reliability_table(lex)
    linker = Linker(table=table, lexicons=lex)
    linker.add(analysis.documents)
    analysis.stories = linker.stories()
    analysis.assessments = linker.assess(analysis.stories)
    return linker
