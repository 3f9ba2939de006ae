"""Score noise removal, sources, claims (with relay chains), places and events against a ``gold/1`` annotation.

Every gold item is located by its ``evidence`` string: all its occurrences in the text,
keeping only those outside ``Document.removed`` unless every occurrence is inside.

Noise: a gold noise string is covered when some occurrence (trimmed of surrounding
whitespace) lies inside the union of the removed ranges.

Sources: each gold source is paired with at most one system source and each system
source with at most one gold source, greedily, best first: most evidence occurrences
overlapped by the system source's mentions, then most alias occurrences. A gold source
is *found* when its partner overlaps its evidence (a partner reached only through an
alias still serves to map chains).

Claims: only system claims whose mode is not ``unattributed`` compete. A system claim
covers a gold claim when its content spans share at least ``CLAIM_COVERAGE_MIN`` of
the word tokens of one evidence occurrence. Each gold claim takes the system claim that
covers it most, and among equal covers the one with the least content (the most specific).
One system claim may cover several gold claims: annotations often split one quotation
that runs over several paragraphs into a claim per paragraph. A found claim's chain is right when the system chain equals the gold
chain with each gold source replaced by its partner, element by element.

Places and events are scored in ``seeds_events`` (its docstring gives the rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.evaluate.common import (
    AnalyzeFn,
    analyze_in_order,
    clip,
    covered,
    find_all,
    format_lines,
    merge_ranges,
    ratio,
    read_text,
    tokens_in,
    word_tokens,
)
from claimgraph.evaluate.seeds_events import (
    EventOutcome,
    NoisePlaceOutcome,
    PlaceOutcome,
    event_line,
    noise_place_line,
    place_line,
    score_events,
    score_places,
)
from claimgraph.evaluate.seeds_gold import (
    GoldClaim,
    GoldDocument,
    GoldSource,
    load_gold,
    locate_evidence,
)
from claimgraph.model import Claim, Document, DocumentAnalysis, Source, Span

# Share of an evidence string's word tokens a claim's content must cover to match it.
# Half: gold evidence marks the core of the claim, and systems may legitimately cut
# a reporting clause or a trailing qualifier either side; set by hand, not tuned.
CLAIM_COVERAGE_MIN = 0.5


@dataclass(slots=True)
class NoiseOutcome:
    text: str
    covered: bool
    in_text: bool


@dataclass(slots=True)
class SourceOutcome:
    gold: GoldSource
    system: Source | None  # the partner, if any
    by_evidence: bool  # the partner overlaps the evidence, not just an alias
    in_text: bool

    @property
    def found(self) -> bool:
        return self.system is not None and self.by_evidence

    @property
    def anonymity_ok(self) -> bool:
        return self.found and self.system is not None and self.system.anonymous == self.gold.anonymous

    @property
    def kind_ok(self) -> bool:
        return self.found and self.system is not None and self.system.kind == self.gold.kind


@dataclass(slots=True)
class ClaimOutcome:
    gold: GoldClaim
    system: Claim | None
    coverage: float  # of the partner, or the best attributed claim's when unmatched
    expected_chain: list[str | None]  # gold chain mapped to system source ids
    in_text: bool
    unattributed_cover: bool  # an unattributed claim would have matched
    taken_by: str | None = None  # when unmatched: the gold claim that took the best covering claim

    @property
    def found(self) -> bool:
        return self.system is not None

    @property
    def chain_ok(self) -> bool:
        return (
            self.system is not None
            and None not in self.expected_chain
            and list(self.system.chain) == self.expected_chain
        )

    @property
    def mode_ok(self) -> bool:
        return self.system is not None and self.system.mode == self.gold.mode

    @property
    def hedged_ok(self) -> bool:
        return self.system is not None and self.system.hedged == self.gold.hedged


@dataclass(slots=True)
class DocumentOutcome:
    gold: GoldDocument
    text: str
    noise: list[NoiseOutcome]
    sources: list[SourceOutcome]
    claims: list[ClaimOutcome]
    system_sources: int
    system_claims: int  # attributed ones
    unattributed: int
    unmatched: list[Claim] = field(default_factory=list)  # attributed, content overlaps no gold claim
    places: list[PlaceOutcome] = field(default_factory=list)
    noise_places: list[NoisePlaceOutcome] = field(default_factory=list)
    events: list[EventOutcome] = field(default_factory=list)
    system_places: int = 0
    system_place_entries: int = 0  # distinct gazetteer entries among the system's places
    system_events: int = 0


def _trim(span: Span, text: str) -> Span:
    piece = span.text(text)
    start = span.start + len(piece) - len(piece.lstrip())
    return Span(start, max(start, span.end - (len(piece) - len(piece.rstrip()))))


def score_noise(gold: GoldDocument, document: Document) -> list[NoiseOutcome]:
    """Which gold noise strings lie inside the removed ranges."""
    union = merge_ranges(r.span for r in document.removed)
    out = []
    for noise in gold.noise:
        every = find_all(document.text, noise)
        out.append(
            NoiseOutcome(noise, any(covered(_trim(o, document.text), union) for o in every), bool(every))
        )
    return out


def _hits(occurrences: list[Span], mentions: list[Span]) -> int:
    return sum(1 for o in occurrences if any(o.overlaps(m) for m in mentions))


def score_sources(gold: GoldDocument, result: DocumentAnalysis) -> list[SourceOutcome]:
    """Pair gold and system sources one-to-one by evidence, then alias, overlap."""
    text, removed = result.document.text, [r.span for r in result.document.removed]
    candidates: list[tuple[int, int, int, int]] = []
    in_text: list[bool] = []
    for g, source in enumerate(gold.sources):
        evidence = locate_evidence(text, source.evidence, removed)
        aliases = [o for alias in source.aliases for o in locate_evidence(text, alias, removed)]
        in_text.append(bool(evidence))
        for s, system in enumerate(result.sources):
            by_evidence, by_alias = _hits(evidence, system.mentions), _hits(aliases, system.mentions)
            if by_evidence or by_alias:
                candidates.append((-by_evidence, -by_alias, g, s))
    partner: dict[int, tuple[int, bool]] = {}
    taken: set[int] = set()
    for by_evidence, _, g, s in sorted(candidates):
        if g not in partner and s not in taken:
            partner[g] = (s, by_evidence < 0)
            taken.add(s)
    out = []
    for g, source in enumerate(gold.sources):
        s, by_evidence = partner.get(g, (-1, False))
        out.append(SourceOutcome(source, result.sources[s] if s >= 0 else None, by_evidence, in_text[g]))
    return out


def _coverage(occurrences: list[Span], tokens: list[Span], content: list[Span]) -> float:
    claimed = tokens_in(tokens, content)
    best = 0.0
    for occurrence in occurrences:
        wanted = tokens_in(tokens, [occurrence])
        best = max(best, ratio(len(wanted & claimed), len(wanted)))
    return best


def score_claims(
    gold: GoldDocument, result: DocumentAnalysis, sources: list[SourceOutcome]
) -> tuple[list[ClaimOutcome], list[Claim]]:
    """Pair each gold claim with its best-covering system claim; return outcomes and unmatched claims."""
    text, removed = result.document.text, [r.span for r in result.document.removed]
    tokens = word_tokens(text)
    attributed = [c for c in result.claims if c.mode != "unattributed"]
    unattributed = [c for c in result.claims if c.mode == "unattributed"]
    occurrences = [locate_evidence(text, g.evidence, removed) for g in gold.claims]
    coverage = [[_coverage(occ, tokens, c.content) for c in attributed] for occ in occurrences]
    size = [sum(len(s) for s in c.content) for c in attributed]
    pairs = sorted(
        (-cov, size[c], g, c)
        for g, row in enumerate(coverage)
        for c, cov in enumerate(row)
        if cov >= CLAIM_COVERAGE_MIN
    )
    partner: dict[int, int] = {}
    for _, _, g, c in pairs:
        partner.setdefault(g, c)
    owner = {c: gold.claims[g].id for g, c in partner.items()}
    mapped = {o.gold.id: (o.system.id if o.system is not None else None) for o in sources}
    outcomes = []
    for g, claim in enumerate(gold.claims):
        match = partner.get(g)
        row = coverage[g]
        pick = match if match is not None else max(range(len(row)), key=row.__getitem__, default=-1)
        best = row[pick] if pick >= 0 else 0.0
        rival = owner.get(pick) if match is None and best >= CLAIM_COVERAGE_MIN else None
        outcomes.append(
            ClaimOutcome(
                gold=claim,
                system=attributed[match] if match is not None else None,
                coverage=best,
                expected_chain=[mapped.get(s) for s in claim.chain],
                in_text=bool(occurrences[g]),
                taken_by=rival,
                unattributed_cover=any(
                    _coverage(occurrences[g], tokens, u.content) >= CLAIM_COVERAGE_MIN for u in unattributed
                ),
            )
        )
    every_evidence = [o for g in gold.claims for o in find_all(text, g.evidence)]
    unmatched = [c for c in attributed if not any(s.overlaps(o) for s in c.content for o in every_evidence)]
    return outcomes, unmatched


def score_document(gold: GoldDocument, result: DocumentAnalysis) -> DocumentOutcome:
    """Every outcome for one gold document and the system's analysis of it."""
    sources = score_sources(gold, result)
    claims, unmatched = score_claims(gold, result, sources)
    attributed = sum(1 for c in result.claims if c.mode != "unattributed")
    places, noise_places = score_places(gold, result)
    return DocumentOutcome(
        gold=gold,
        text=result.document.text,
        noise=score_noise(gold, result.document),
        sources=sources,
        claims=claims,
        system_sources=len(result.sources),
        system_claims=attributed,
        unattributed=len(result.claims) - attributed,
        unmatched=unmatched,
        places=places,
        noise_places=noise_places,
        events=score_events(gold, result),
        system_places=len(result.places),
        system_place_entries=len({p.gazetteer_id or p.name for p in result.places}),
        system_events=len(result.events),
    )


def _source_line(o: SourceOutcome) -> str:
    if not o.in_text:
        return f"source {o.gold.id}: MISSED, evidence not in the text"
    if o.system is None:
        return f"source {o.gold.id}: MISSED, no system source mention overlaps {clip(o.gold.evidence)!r}"
    if not o.by_evidence:
        return f"source {o.gold.id}: MISSED, {o.system.id} overlaps only an alias (used for chains)"
    notes = []
    if not o.anonymity_ok:
        notes.append(f"anonymous {o.system.anonymous}, gold {o.gold.anonymous}")
    if not o.kind_ok:
        notes.append(f"kind {o.system.kind}, gold {o.gold.kind}")
    return f"source {o.gold.id}: found as {o.system.id}" + (f" ({'; '.join(notes)})" if notes else "")


def _claim_line(o: ClaimOutcome) -> str:
    if not o.in_text:
        return f"claim {o.gold.id}: MISSED, evidence not in the text"
    if o.system is None:
        if o.taken_by is not None:
            why = f"the claim that covers it best went to gold {o.taken_by}"
        elif o.unattributed_cover:
            why = "only an unattributed claim covers it"
        else:
            why = "no claim covers it"
        return f"claim {o.gold.id}: MISSED, {why} (best coverage {100 * o.coverage:.1f}%)"
    notes = []
    if not o.chain_ok:
        expected = ["?" if s is None else s for s in o.expected_chain]
        notes.append(f"chain {list(o.system.chain)}, expected {expected} from gold {list(o.gold.chain)}")
    if not o.mode_ok:
        notes.append(f"mode {o.system.mode}, gold {o.gold.mode}")
    if not o.hedged_ok:
        notes.append(f"hedged {o.system.hedged}, gold {o.gold.hedged}")
    head = f"claim {o.gold.id}: found as {o.system.id} ({100 * o.coverage:.1f}% covered)"
    return head + (f"; {'; '.join(notes)}" if notes else "")


def _document_lines(d: DocumentOutcome) -> list[str]:
    lines = [f"{d.gold.id} ({d.gold.file.name}):"]
    for n in d.noise:
        state = "covered" if n.covered else ("MISSED" if n.in_text else "MISSED, not in the text")
        lines.append(f"  noise {clip(n.text)!r}: {state}")
    lines.extend(f"  {_source_line(o)}" for o in d.sources)
    lines.extend(f"  {_claim_line(o)}" for o in d.claims)
    for claim in d.unmatched:
        content = " ".join(s.text(d.text) for s in claim.content)
        lines.append(f"  system claim {claim.id} matches no gold claim: {clip(content)!r}")
    lines.extend(f"  {place_line(o)}" for o in d.places)
    lines.extend(f"  {noise_place_line(o)}" for o in d.noise_places)
    lines.extend(f"  {event_line(o, d.text)}" for o in d.events)
    return lines


@dataclass(slots=True)
class SeedsResult:
    """Figures (fractions), counts, and per-document outcomes for diagnostics."""

    gold_path: str
    figures: dict[str, float]
    counts: dict[str, int]
    documents: list[DocumentOutcome]

    def format(self, verbose: bool = False) -> str:
        lines = [f"Seeds: {self.gold_path}", *format_lines(self.figures, self.counts)]
        if verbose:
            for d in self.documents:
                lines.extend(_document_lines(d))
        return "\n".join(lines)


def summarize(gold_path: str, outcomes: list[DocumentOutcome]) -> SeedsResult:
    """Turn per-document outcomes into figures and counts."""
    noise = [n for d in outcomes for n in d.noise]
    sources = [s for d in outcomes for s in d.sources]
    claims = [c for d in outcomes for c in d.claims]
    found = [c for c in claims if c.found]
    places = [p for d in outcomes for p in d.places]
    noise_places = [n for d in outcomes for n in d.noise_places]
    events = [e for d in outcomes for e in d.events]
    with_places = [e for e in events if e.places_ok is not None]
    with_quantity = [e for e in events if e.quantity_ok is not None]
    with_time = [e for e in events if e.time_ok is not None]
    figures = {
        "seeds.noise.recall": ratio(sum(n.covered for n in noise), len(noise)),
        "seeds.sources.found": ratio(sum(s.found for s in sources), len(sources)),
        "seeds.sources.anonymity": ratio(sum(s.anonymity_ok for s in sources), len(sources)),
        "seeds.sources.kind": ratio(sum(s.kind_ok for s in sources), len(sources)),
        "seeds.claims.found": ratio(len(found), len(claims)),
        "seeds.claims.chain": ratio(sum(c.chain_ok for c in claims), len(claims)),
        "seeds.claims.mode": ratio(sum(c.mode_ok for c in found), len(found)),
        "seeds.claims.hedged": ratio(sum(c.hedged_ok for c in found), len(found)),
        "seeds.places.found": ratio(sum(p.found for p in places), len(places)),
        "seeds.places.country": ratio(sum(p.country_ok for p in places), len(places)),
        "seeds.places.within50km": ratio(sum(p.within_ok for p in places), len(places)),
        "seeds.places.noise_avoided": ratio(sum(not n.output for n in noise_places), len(noise_places)),
        "seeds.events.found": ratio(sum(e.found for e in events), len(events)),
        "seeds.events.places": ratio(sum(bool(e.places_ok) for e in with_places), len(with_places)),
        "seeds.events.quantity": ratio(sum(bool(e.quantity_ok) for e in with_quantity), len(with_quantity)),
        "seeds.events.time": ratio(sum(bool(e.time_ok) for e in with_time), len(with_time)),
    }
    counts = {
        "seeds.documents": len(outcomes),
        "seeds.noise.gold": len(noise),
        "seeds.noise.removed": sum(n.covered for n in noise),
        "seeds.sources.gold": len(sources),
        "seeds.sources.matched": sum(s.found for s in sources),
        "seeds.sources.system": sum(d.system_sources for d in outcomes),
        "seeds.claims.gold": len(claims),
        "seeds.claims.matched": len(found),
        "seeds.claims.system": sum(d.system_claims for d in outcomes),
        "seeds.claims.unattributed": sum(d.unattributed for d in outcomes),
        "seeds.claims.unmatched": sum(len(d.unmatched) for d in outcomes),
        "seeds.gold.not_in_text": sum(not n.in_text for n in noise)
        + sum(not s.in_text for s in sources)
        + sum(not c.in_text for c in claims)
        + sum(not p.in_text for p in places)
        + sum(not e.in_text for e in events),
        "seeds.places.gold": len(places),
        "seeds.places.matched": sum(p.found for p in places),
        "seeds.places.system": sum(d.system_places for d in outcomes),
        "seeds.places.system.entries": sum(d.system_place_entries for d in outcomes),
        "seeds.places.noise.gold": len(noise_places),
        "seeds.places.noise.output": sum(bool(n.output) for n in noise_places),
        "seeds.events.gold": len(events),
        "seeds.events.matched": sum(e.found for e in events),
        "seeds.events.system": sum(d.system_events for d in outcomes),
        "seeds.events.gold_with_places": len(with_places),
        "seeds.events.gold_with_quantity": len(with_quantity),
        "seeds.events.gold_with_time": len(with_time),
    }
    return SeedsResult(gold_path, figures, counts, outcomes)


def evaluate_seeds(gold_path: Path, analyze: AnalyzeFn) -> SeedsResult:
    """Read the gold file and its articles, analyze the articles, score them."""
    gold = load_gold(gold_path)
    documents = [Document(text=read_text(g.file), path=str(g.file)) for g in gold]
    results = analyze_in_order(documents, analyze)
    outcomes = [score_document(g, r) for g, r in zip(gold, results, strict=True)]
    return summarize(str(gold_path), outcomes)
