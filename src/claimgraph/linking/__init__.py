"""The cross-article stage (``linking.v1``): stories, source identity, origins, grades.

Reads every ``DocumentAnalysis`` of an ``Analysis`` (text, removed ranges, outlet,
publication date, sources, claims, places) and adds:

- ``Source.key`` on every source (``identity``: one key per outlet or named person across
  documents; anonymous sources merged only on the same descriptor from the same outlet),
- ``Analysis.stories`` (``stories``: blocking by MinHash-LSH and rare names/words within a
  date window, TF-IDF scoring, union-find; near-copies found by ``copies``),
- ``Analysis.assessments`` (``origins`` + ``grading``): one per group of claims that say the
  same thing within a story, with origins, relays, circularity and Admiralty grades.

    copies.py    MinHash signatures of word shingles, LSH buckets
    features.py  content words, name phrases, TF-IDF
    stories.py   StoryIndex: incremental blocking, scoring, union-find
    vectors.py   term vectors kept per document, TF-IDF weighting and cosine on arrays
    identity.py  Source.key across documents, and the grounds of each merge
    origins.py   claims -> origins, relays; claim groups (subjects)
    grading.py   reliability A–F (outlet table), credibility 1–6, reasons

Incremental use: keep a ``Linker`` and ``add`` new documents; only they are compared, with
their LSH and blocking buckets. ``assess`` then recomputes the assessments (linear in the
number of claims). ``link`` is the one-shot form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from claimgraph.attribution.lexicon import Lexicons, load_lexicons
from claimgraph.linking.copies import COPY_JACCARD, SHINGLE_SIZE
from claimgraph.linking.features import (
    content_terms,
    content_terms_of,
    name_phrases,
    parse_day,
    shingles,
    words,
)
from claimgraph.linking.grading import (
    ReliabilityTable,
    credibility,
    load_reliability_table,
    parse_reliability_table,
    reliability,
)
from claimgraph.linking.identity import Identities, assign_keys, named_key, outlet_key
from claimgraph.linking.origins import collect_origins, find_citations, group_claims, trace_claim
from claimgraph.linking.stories import STORY_THRESHOLD, DocFeatures, StoryIndex
from claimgraph.model import Analysis, Assessment, DocumentAnalysis, Story

__all__ = [
    "NAME",
    "Linker",
    "ReliabilityTable",
    "body_text",
    "link",
    "load_reliability_table",
    "parse_reliability_table",
    "story_groups",
]

NAME = "linking.v1"

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
    documents: dict[str, DocumentAnalysis] = field(default_factory=dict)

    def own_outlet(self, da: DocumentAnalysis) -> str | None:
        return outlet_key(da.document.outlet, self.lexicons) if da.document.outlet else None

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
            if da.document.id not in self.documents:
                self.documents[da.document.id] = da
                self.index.add(self.features(da))

    def stories(self) -> list[Story]:
        return self.index.to_stories()

    def assess(self, stories: list[Story]) -> list[Assessment]:
        """Set source keys on every document and return the assessments of every story."""
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
        own = {d: self.own_outlet(da) for d, da in self.documents.items()}
        citations = find_citations(self.documents.values(), own, self.lexicons)
        voices: dict[str, str | None] = {}
        for doc_id in self.documents:
            root = roots.get(doc_id, doc_id)
            voices[doc_id] = (
                citations[doc_id][0]
                if doc_id in citations
                else own[root] or (f"document:{root}" if root != doc_id else None)
            )
        identities = assign_keys(list(self.documents.values()), voices, self.lexicons)
        out: list[Assessment] = []
        for story in stories:
            out.extend(self._assess_story(story, own, voices, citations, copy_of, roots, identities))
        return out

    def _assess_story(
        self,
        story: Story,
        own: dict[str, str | None],
        voices: dict[str, str | None],
        citations: dict[str, tuple[str, str]],
        copy_of: dict[str, tuple[str, float]],
        roots: dict[str, str],
        identities: Identities,
    ) -> list[Assessment]:
        members = [self.documents[d] for d in story.documents]
        items = [(da, c) for da in members for c in da.claims if c.content]
        corrections = [da for da in members if CORRECTION.search(body_text(da)) is not None]
        out: list[Assessment] = []
        for group in group_claims(items):
            traces = []
            for i in group:
                da, claim = items[i]
                d = da.document.id
                cited = citations[d][0] if d in citations else None
                traces.append(trace_claim(da, claim, voices[d], own[d], cited))
            origins = collect_origins(traces, roots)
            reasons = [self._evidence(origins.documents)]
            for d in origins.documents:
                if d in copy_of:
                    near, jaccard = copy_of[d]
                    reasons.append(
                        f"{d} is a near-copy of {near} (shingle Jaccard {jaccard:.2f}): copies count "
                        f"once, the earliest ({roots.get(d, d)}) is the original"
                    )
                if d in citations:
                    reasons.append(f"{d} follows {citations[d][0]} ('{citations[d][1]}')")
            reasons.extend(identities.reason(o) for o in origins.origins if identities.shared(o))
            reasons.extend(origins.notes)
            if origins.relays:
                reasons.append(f"relays: {', '.join(origins.relays)}")
            if origins.circular:
                reasons.append(
                    f"circular: {len(origins.documents)} reports trace back to one origin ({origins.origins[0]})"
                )
            carriers = {own[d] for d in origins.documents if own[d]}
            corrected_by = [
                c.document.id
                for c in corrections
                if own[c.document.id] in carriers or c.document.id in origins.documents
            ]
            grade, grade_reasons = credibility(origins, corrected_by)
            rel, rel_reason = reliability(origins, self.table)
            subject = [t.claim.id for t in origins.traces]
            digest = hashlib.sha256("\n".join(subject).encode("utf-8")).hexdigest()[:12]
            out.append(
                Assessment(
                    id=f"assess-{digest}",
                    subject=subject,
                    origins=origins.origins,
                    independent_origins=origins.independent,
                    circular=origins.circular,
                    credibility=grade,
                    reasons=[*grade_reasons, rel_reason, *reasons],
                    relays=origins.relays,
                    reliability=rel,
                )
            )
        return out

    def _evidence(self, documents: list[str]) -> str:
        shown = []
        for d in documents:
            doc = self.documents[d].document
            shown.append(f"{d} ({doc.outlet or 'outlet unknown'}, {doc.published or 'undated'})")
        return f"{len(documents)} document(s): {'; '.join(shown)}"


def story_groups(
    documents: Iterable[DocumentAnalysis],
    lexicons: Lexicons | None = None,
    threshold: float = STORY_THRESHOLD,
) -> list[list[str]]:
    """Document ids grouped by story (singletons included), without assessing anything."""
    lex = lexicons or load_lexicons()
    linker = Linker(table=ReliabilityTable(), lexicons=lex, index=StoryIndex(threshold=threshold))
    linker.add(documents)
    return linker.index.story_groups()


def link(
    analysis: Analysis, reliability_table: ReliabilityTable | None = None, lexicons: Lexicons | None = None
) -> Analysis:
    """Fill ``analysis.stories`` and ``analysis.assessments`` and set every ``Source.key``.

    Modifies ``analysis`` in place and returns it. ``lexicons`` and the table default to the
    packaged ones (read on each call; pass them to avoid re-reading).
    """
    lex = lexicons or load_lexicons()
    table = reliability_table or load_reliability_table(lex)
    linker = Linker(table=table, lexicons=lex)
    linker.add(analysis.documents)
    analysis.stories = linker.stories()
    analysis.assessments = linker.assess(analysis.stories)
    return analysis
