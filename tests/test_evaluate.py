"""The evaluation harness: brat parsing, PolNeAR and seeds scoring, the floors gate.

Core tests use the fictional fixtures in tests/fixtures/eval/shared (laid out like
../shared) and fake analysis functions, so no parser is loaded. Tests marked ``shared``
read the real evaluation data beside the repository and skip when it is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from claimgraph.errors import EvalError
from claimgraph.evaluate import (
    anonymity,
    check_floors,
    default_floors_path,
    evaluate_polnear,
    evaluate_seeds,
    event_codes,
    format_gate,
    load_floors,
    load_polnear,
    run_gate,
)
from claimgraph.evaluate.brat import parse_ann, span_text_mismatches
from claimgraph.evaluate.common import AnalyzeFn, find_all, normalize_spans, tokens_in, word_tokens
from claimgraph.evaluate.gate import geo_figures
from claimgraph.evaluate.seeds_events import sentence_spans
from claimgraph.evaluate.seeds_gold import GoldDocument, load_gold, locate_evidence
from claimgraph.model import (
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Removed,
    Source,
    Span,
    TimeInterval,
)
from claimgraph.places.gazetteer import distance_km

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "eval" / "shared"
POLNEAR = FIXTURES / "eval" / "polnear" / "dev"
SEEDS_GOLD = FIXTURES / "eval" / "seeds.gold.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def at(text: str, needle: str, nth: int = 0) -> Span:
    """The ``nth`` occurrence of ``needle`` in ``text``."""
    found = find_all(text, needle)
    assert len(found) > nth, needle
    return found[nth]


def claim(
    cue: list[Span], content: list[Span], source: Sequence[Span] = (), *, mode: str = "paraphrase"
) -> Claim:
    return Claim(
        id="c",
        document="d",
        content=content,
        cue=cue,
        source_mentions=list(source),
        chain=[],
        mode=mode,
        hedged=False,
    )


def empty_analysis(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
    for document in documents:
        yield DocumentAnalysis(document=document)


# --- shared helpers -----------------------------------------------------------------


def test_word_tokens_and_membership_count_words_touched_by_spans() -> None:
    text = "Hello, big world!"
    tokens = word_tokens(text)
    assert [t.text(text) for t in tokens] == ["Hello", "big", "world"]
    # A span cut inside a word still counts the whole word; punctuation alone counts nothing.
    assert {t.text(text) for t in tokens_in(tokens, [Span(9, 12)])} == {"big", "world"}
    assert tokens_in(tokens, [Span(5, 7)]) == set()


def test_normalize_spans_trims_whitespace_merges_and_keeps_punctuation() -> None:
    text = "one two, three"
    assert normalize_spans([Span(3, 8), Span(0, 3)], text) == (Span(0, 8),)
    assert normalize_spans([Span(0, 3), Span(4, 7)], text) == (Span(0, 7),)  # gap is a space
    assert normalize_spans([Span(0, 3), Span(9, 14)], text) == (Span(0, 3), Span(9, 14))  # gap holds ","
    assert normalize_spans([Span(3, 4)], text) == ()


# --- brat -------------------------------------------------------------------------


def test_parse_ann_reads_multiline_discontinuous_spans_and_numbered_roles() -> None:
    text = (POLNEAR / "text" / "beta.txt").read_text(encoding="utf-8")
    ann = parse_ann((POLNEAR / "attributions" / "beta_aa01.ann").read_text(encoding="utf-8"), "beta")
    assert ann.problems == []
    assert span_text_mismatches(ann, text) == []
    first, second, third = ann.attributions
    assert len(first.of("content")) == 2
    assert "\n" in ann.bounds["T1"].text
    assert len(second.of("content")) == 2  # Content and Content2
    assert second.of("source") == ()
    assert third.of("cue") == ()


def test_parse_ann_reports_bad_records_without_raising() -> None:
    content = "T1\tCue 0 4\tsaid\nT2\tCue nonsense\nE1\tAttribution:T1 Cue:T1 Target:T1 Content:T9\n"
    ann = parse_ann(content, "bad.ann")
    assert len(ann.problems) == 3
    assert ann.attributions[0].of("cue") == (Span(0, 4),)
    assert span_text_mismatches(ann, "sand and sea") == ["bad.ann:1: T1 text differs from its offsets"]


# --- PolNeAR ------------------------------------------------------------------------


def polnear_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in (POLNEAR / "text").glob("*.txt")}


def fake(predictions: dict[str, list[Claim]]) -> AnalyzeFn:
    """An analysis that returns the given claims for each document, keyed by file stem."""

    def analyze(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for document in documents:
            stem = Path(document.path or "").stem
            yield DocumentAnalysis(document=document, claims=predictions.get(stem, []))

    return analyze


def perfect_polnear() -> dict[str, list[Claim]]:
    alpha, beta = polnear_texts()["alpha"], polnear_texts()["beta"]
    return {
        "alpha": [
            claim(
                [at(alpha, "said")],
                [at(alpha, "Ferry service to Kelby Island will resume next week")],
                [at(alpha, "the harbour authority")],
            ),
            claim(
                [at(alpha, "According to")],
                [at(alpha, "the new pier cost twice the original estimate")],
                [at(alpha, "a council report")],
            ),
            claim(
                [at(alpha, "said", 1)],
                [at(alpha, "We expect full timetables by spring,")],
                [at(alpha, "Mara Olsen, a spokeswoman for the operator")],
                mode="quote",
            ),
        ],
        "beta": [
            claim(
                [at(beta, "wrote")],
                [at(beta, "The audit will finish in June,"), at(beta, "and the budget\nwill follow.")],
                [at(beta, "the chair")],
                mode="quote",
            ),
            claim(
                [at(beta, "It is expected")],
                [at(beta, "prices will rise"), at(beta, "rents, too, will climb")],
            ),
        ],
    }


def test_load_polnear_uses_first_annotator_and_reports_what_it_skips() -> None:
    corpus = load_polnear(POLNEAR)
    assert [a.name for a in corpus.articles] == ["alpha", "beta"]
    assert corpus.articles[0].annotation == "alpha_aa01.ann"
    assert corpus.unused == ["alpha_bb02.ann"]
    assert corpus.unannotated == ["gamma.txt"]
    assert all(a.mismatches == [] and a.problems == [] for a in corpus.articles)
    assert [a.name for a in load_polnear(POLNEAR, limit=1).articles] == ["alpha"]


def test_polnear_perfect_prediction_scores_one_everywhere() -> None:
    result = evaluate_polnear(POLNEAR, fake(perfect_polnear()))
    assert set(result.figures.values()) == {1.0}
    assert result.counts["polnear.documents"] == 2
    assert result.counts["polnear.gold"] == 5
    assert result.counts["polnear.gold.uncued"] == 1
    assert result.counts["polnear.source.exact.tp"] == 4
    assert result.counts["polnear.texts.unannotated"] == 1
    assert result.counts["polnear.annotations.unused"] == 1


def test_polnear_missing_prediction_lowers_recall_only() -> None:
    predictions = perfect_polnear()
    predictions["beta"].pop()  # the source-less attribution
    figures = evaluate_polnear(POLNEAR, fake(predictions)).figures
    assert figures["polnear.cue.exact.precision"] == 1.0
    assert figures["polnear.cue.exact.recall"] == pytest.approx(4 / 5)
    assert figures["polnear.content.exact.recall"] == pytest.approx(4 / 5)
    assert figures["polnear.source.exact.recall"] == 1.0  # it had no source to miss
    # Gold content tokens: 9 + 8 + 6 + 11 + 7 = 41, of which the missing one held 7.
    assert figures["polnear.content.overlap.recall"] == pytest.approx(34 / 41)


def test_polnear_shifted_cue_fails_exact_but_keeps_token_overlap() -> None:
    alpha = polnear_texts()["alpha"]
    said = at(alpha, "said")
    predictions = {
        "alpha": [
            claim(
                [Span(said.start + 1, said.end)],
                [at(alpha, "Ferry service to Kelby Island will resume next week")],
                [at(alpha, "the harbour authority")],
            )
        ]
    }
    result = evaluate_polnear(POLNEAR, fake(predictions))
    figures = result.figures
    assert figures["polnear.cue.exact.precision"] == 0.0
    assert figures["polnear.cue.overlap.precision"] == 1.0
    # Gold cue tokens: said, According to, said, wrote, It is expected = 8.
    assert figures["polnear.cue.overlap.recall"] == pytest.approx(1 / 8)
    assert figures["polnear.content.exact.precision"] == 1.0
    assert figures["polnear.content.exact.recall"] == pytest.approx(1 / 5)
    assert result.counts["polnear.cue.exact.fp"] == 1
    assert result.counts["polnear.cue.exact.fn"] == 5


def test_polnear_exact_match_ignores_whitespace_and_splits_but_not_punctuation() -> None:
    alpha = polnear_texts()["alpha"]
    content = at(alpha, "Ferry service to Kelby Island will resume next week")
    split = [Span(content.start, content.start + 13), Span(content.start + 13, content.end)]
    with_comma = [Span(content.start, content.end + 1)]
    for spans, expected in (([*split, Span(0, 0)], 1.0), (with_comma, 0.0)):
        predictions = {"alpha": [claim([at(alpha, "said")], spans)]}
        figures = evaluate_polnear(POLNEAR, fake(predictions)).figures
        assert figures["polnear.content.exact.precision"] == expected
        assert figures["polnear.content.overlap.precision"] == 1.0


def test_polnear_matching_is_one_to_one_and_needs_cue_overlap() -> None:
    alpha = polnear_texts()["alpha"]
    content = [at(alpha, "Ferry service to Kelby Island will resume next week")]
    twice = {"alpha": [claim([at(alpha, "said")], content), claim([at(alpha, "said")], content)]}
    result = evaluate_polnear(POLNEAR, fake(twice))
    assert result.figures["polnear.cue.exact.precision"] == 0.5
    assert result.counts["polnear.matched"] == 1
    elsewhere = {"alpha": [claim([at(alpha, "Residents")], content)]}
    result = evaluate_polnear(POLNEAR, fake(elsewhere))
    assert result.counts["polnear.content.exact.fp"] == 1
    assert result.figures["polnear.content.overlap.precision"] == 0.0


def test_polnear_ignores_unattributed_and_cueless_claims() -> None:
    alpha = polnear_texts()["alpha"]
    content = [at(alpha, "Ferry service to Kelby Island will resume next week")]
    predictions = {"alpha": [claim([at(alpha, "said")], content, mode="unattributed"), claim([], content)]}
    result = evaluate_polnear(POLNEAR, fake(predictions))
    assert result.counts["polnear.predicted"] == 0
    assert result.counts["polnear.predicted.ignored"] == 2


def test_polnear_format_is_stable_and_verbose_lists_documents() -> None:
    result = evaluate_polnear(POLNEAR, fake(perfect_polnear()))
    assert evaluate_polnear(POLNEAR, fake(perfect_polnear())).format() == result.format()  # a fresh run
    assert "polnear.cue.exact.f1" in result.format()
    assert "100.0%" in result.format()
    verbose = result.format(verbose=True)
    assert "alpha: 3/3/3" in verbose
    assert "gamma.txt: no annotation file" in verbose


def test_polnear_rejects_bad_directory_and_short_analysis(tmp_path: Path) -> None:
    with pytest.raises(EvalError):
        evaluate_polnear(tmp_path, empty_analysis)

    def short(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        yield DocumentAnalysis(document=documents[0])

    with pytest.raises(EvalError, match="2 documents"):
        evaluate_polnear(POLNEAR, short)


def test_polnear_counts_span_text_mismatches(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    (tmp_path / "attributions").mkdir()
    (tmp_path / "text" / "one.txt").write_text("Ann said yes.\n", encoding="utf-8")
    (tmp_path / "attributions" / "one_x.ann").write_text(
        "T1\tSource 0 3\tAnn\nT2\tCue 4 8\tsaw\nT3\tContent 9 12\tyes\n"
        "E1\tAttribution:T2 Cue:T2 Source:T1 Content:T3\n",
        encoding="utf-8",
    )
    result = evaluate_polnear(tmp_path, empty_analysis)
    assert result.counts["polnear.gold.span_text_mismatches"] == 1
    assert result.counts["polnear.gold"] == 1


# --- seeds --------------------------------------------------------------------------

Mutation = Callable[[str, DocumentAnalysis], None]


def seeds_analysis(mutate: Mutation | None = None) -> AnalyzeFn:
    """A perfect analysis of the seeds fixture (system ids prefixed ``s-``), then ``mutate``."""
    gold = {str(g.file): g for g in load_gold(SEEDS_GOLD)}

    def analyze(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for document in documents:
            result = perfect_seed(document, gold[document.path or ""])
            if mutate is not None:
                mutate(gold[document.path or ""].id, result)
            yield result

    return analyze


def perfect_seed(document: Document, gold: GoldDocument) -> DocumentAnalysis:
    text = document.text
    document.removed = [Removed(o.start, o.end, "test") for n in gold.noise for o in find_all(text, n)]
    sources = [
        Source(
            id=f"s-{s.id}",
            document=document.id,
            kind=s.kind,
            anonymous=s.anonymous,
            mentions=[o for needle in (s.evidence, *s.aliases) for o in find_all(text, needle)],
        )
        for s in gold.sources
    ]
    claims = [
        Claim(
            id=f"s-{c.id}",
            document=document.id,
            content=[at(text, c.evidence)],
            cue=[],
            source_mentions=[],
            chain=[f"s-{s}" for s in c.chain],
            mode=c.mode,
            hedged=c.hedged,
        )
        for c in gold.claims
    ]
    removed = [r.span for r in document.removed]
    mentioned = [
        (p, o) for p in gold.places if not p.noise for o in locate_evidence(text, p.evidence, removed)
    ]
    places = [
        Place(
            id=f"s-{gold.id}-p{n}",
            document=document.id,
            mention=occurrence,
            name=p.evidence,
            country=p.country,
            feature=p.feature,
            lat=p.lat,
            lon=p.lon,
        )
        for n, (p, occurrence) in enumerate(mentioned)
    ]
    evidence = {c.id: c.evidence for c in gold.claims}
    events = []
    for e in gold.events:
        # The trigger spans the first claim's evidence (or the first place mention): inside the event's sentences.
        anchor = evidence[e.claims[0]] if e.claims else e.places[0]
        mentions = [o for m in e.places for o in locate_evidence(text, m, removed)]
        start, end = e.time if e.time is not None else (None, None)
        events.append(
            Event(
                id=f"s-{e.id}",
                document=document.id,
                type="test",
                trigger=locate_evidence(text, anchor, removed)[0],
                quantity=e.quantity,
                places=[p.id for p in places if any(p.mention.overlaps(m) for m in mentions)],
                time=TimeInterval(start, end, "day") if e.time is not None else None,
            )
        )
    return DocumentAnalysis(document=document, sources=sources, claims=claims, places=places, events=events)


def system_source(result: DocumentAnalysis, source_id: str) -> Source:
    found = result.source(source_id)
    assert found is not None
    return found


def system_claim(result: DocumentAnalysis, claim_id: str) -> Claim:
    return next(c for c in result.claims if c.id == claim_id)


def system_event(result: DocumentAnalysis, event_id: str) -> Event:
    return next(e for e in result.events if e.id == event_id)


def system_places(result: DocumentAnalysis, name: str) -> list[Place]:
    found = [p for p in result.places if p.mention.text(result.document.text) == name]
    assert found, name
    return found


def seeds_figures(mutate: Mutation | None = None) -> dict[str, float]:
    return evaluate_seeds(SEEDS_GOLD, seeds_analysis(mutate)).figures


def test_seeds_perfect_analysis_scores_one_everywhere() -> None:
    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis())
    assert result.figures == dict.fromkeys(result.figures, 1.0)
    assert len(result.figures) == 16
    assert result.counts["seeds.documents"] == 2
    assert result.counts["seeds.noise.gold"] == 3
    assert result.counts["seeds.sources.gold"] == 5
    assert result.counts["seeds.claims.gold"] == 5
    assert result.counts["seeds.claims.unmatched"] == 0
    assert result.counts["seeds.gold.not_in_text"] == 0
    assert result.counts["seeds.places.gold"] == 3
    assert result.counts["seeds.places.system"] == 3
    assert result.counts["seeds.places.noise.gold"] == 1
    assert result.counts["seeds.places.noise.output"] == 0
    assert result.counts["seeds.events.gold"] == 3
    assert result.counts["seeds.events.matched"] == 3
    assert result.counts["seeds.events.gold_with_places"] == 2
    assert result.counts["seeds.events.gold_with_quantity"] == 1
    assert result.counts["seeds.events.gold_with_time"] == 2


def test_seeds_empty_analysis_scores_zero() -> None:
    result = evaluate_seeds(SEEDS_GOLD, empty_analysis)
    # Outputting no place at all avoids the noise place.
    assert result.figures.pop("seeds.places.noise_avoided") == 1.0
    assert set(result.figures.values()) == {0.0}
    assert "MISSED, no system source mention overlaps" in result.format(verbose=True)


def test_seeds_missing_source_lowers_sources_and_the_chain_through_it() -> None:
    def drop(doc: str, result: DocumentAnalysis) -> None:
        result.sources = [s for s in result.sources if s.id != "s-olsen"]

    figures = seeds_figures(drop)
    assert figures["seeds.sources.found"] == pytest.approx(4 / 5)
    assert figures["seeds.sources.anonymity"] == pytest.approx(4 / 5)
    assert figures["seeds.sources.kind"] == pytest.approx(4 / 5)
    assert figures["seeds.claims.found"] == 1.0
    assert figures["seeds.claims.chain"] == pytest.approx(4 / 5)


def test_seeds_alias_only_source_is_not_found_but_still_maps_chains() -> None:
    def alias_only(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            system_source(result, "s-herald_anon").mentions = find_all(result.document.text, "the person")

    figures = seeds_figures(alias_only)
    assert figures["seeds.sources.found"] == pytest.approx(4 / 5)
    assert figures["seeds.claims.chain"] == 1.0


def test_seeds_wrong_anonymity_and_kind_count_separately() -> None:
    def wrong(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            system_source(result, "s-herald_anon").anonymous = False
            system_source(result, "s-council").kind = "organisation"
            system_source(result, "s-olsen").kind = "organisation"

    figures = seeds_figures(wrong)
    assert figures["seeds.sources.found"] == 1.0
    assert figures["seeds.sources.anonymity"] == pytest.approx(4 / 5)
    assert figures["seeds.sources.kind"] == pytest.approx(3 / 5)


def test_seeds_claim_needs_half_the_evidence_tokens() -> None:
    def cover(words: str) -> Mutation:
        def mutate(doc: str, result: DocumentAnalysis) -> None:
            if doc == "fix-harbour":
                system_claim(result, "s-k1").content = [at(result.document.text, words)]

        return mutate

    # The evidence has 10 word tokens.
    assert seeds_figures(cover("The ferry link to Kelby"))["seeds.claims.found"] == 1.0
    figures = seeds_figures(cover("The ferry link to"))
    assert figures["seeds.claims.found"] == pytest.approx(4 / 5)
    assert figures["seeds.claims.chain"] == pytest.approx(4 / 5)
    assert figures["seeds.claims.mode"] == 1.0  # over found claims


def test_seeds_mode_hedged_and_chain_order_are_compared() -> None:
    def wrong(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            system_claim(result, "s-k2").mode = "paraphrase"
            system_claim(result, "s-k4").hedged = False
            system_claim(result, "s-k1").chain.reverse()

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(wrong))
    assert result.figures["seeds.claims.mode"] == pytest.approx(4 / 5)
    assert result.figures["seeds.claims.hedged"] == pytest.approx(4 / 5)
    assert result.figures["seeds.claims.chain"] == pytest.approx(4 / 5)
    verbose = result.format(verbose=True)
    assert "claim k1: found as s-k1" in verbose
    assert "expected ['s-herald', 's-herald_anon']" in verbose


def test_seeds_unattributed_claims_do_not_match_and_extra_claims_are_counted() -> None:
    def change(doc: str, result: DocumentAnalysis) -> None:
        text = result.document.text
        if doc == "fix-harbour":
            system_claim(result, "s-k3").mode = "unattributed"
        else:
            extra = claim([], [at(text, "Water levels in the Orrin valley fell again this week")])
            result.claims.append(extra)

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(change))
    assert result.figures["seeds.claims.found"] == pytest.approx(4 / 5)
    assert result.counts["seeds.claims.unattributed"] == 1
    assert result.counts["seeds.claims.unmatched"] == 1
    assert "claim k3: MISSED, only an unattributed claim covers it" in result.format(verbose=True)


def test_seeds_one_system_claim_may_cover_several_gold_claims() -> None:
    """A quotation kept as one claim covers each gold claim it contains."""

    def merge(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            k1, k2 = system_claim(result, "s-k1"), system_claim(result, "s-k2")
            k1.content = [*k1.content, *k2.content]
            result.claims.remove(k2)

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(merge))
    assert result.figures["seeds.claims.found"] == pytest.approx(1.0)
    verbose = result.format(verbose=True)
    assert "claim k1: found as s-k1" in verbose and "claim k2: found as s-k1" in verbose


def test_seeds_gold_claim_prefers_the_most_specific_cover() -> None:
    """Of two claims covering a gold claim fully, the one with less content is its partner."""

    def widen(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            k1, k2 = system_claim(result, "s-k1"), system_claim(result, "s-k2")
            k2.content = [*k2.content, *k1.content]

    verbose = evaluate_seeds(SEEDS_GOLD, seeds_analysis(widen)).format(verbose=True)
    assert "claim k1: found as s-k1" in verbose


def test_seeds_noise_must_be_covered_by_the_union_of_removed_ranges() -> None:
    def partial(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            text = result.document.text
            local = at(text, "LOCAL NEWS\n")  # a trailing newline does not matter
            signup = at(text, "Sign up for our newsletter")
            result.document.removed = [
                Removed(local.start, local.end, "test"),
                Removed(signup.start, signup.start + 4, "test"),
                Removed(signup.start + 4, signup.end, "test"),
                Removed(text.index("Storm"), len(text), "test"),  # misses "Read more: "
            ]

    assert seeds_figures(partial)["seeds.noise.recall"] == pytest.approx(2 / 3)


def test_seeds_place_needs_the_right_country_on_every_mention() -> None:
    def wrong(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            system_places(result, "Kelby Island")[0].country = "IE"

    figures = seeds_figures(wrong)
    assert figures["seeds.places.found"] == 1.0
    assert figures["seeds.places.country"] == pytest.approx(2 / 3)
    assert figures["seeds.places.within50km"] == pytest.approx(2 / 3)


def test_seeds_place_within_50_km_of_the_gold_point() -> None:
    assert distance_km(69.0, 18.0, 69.4, 18.0) < 50 < distance_km(69.0, 18.0, 69.5, 18.0)

    def move(lat: float | None) -> Mutation:
        def mutate(doc: str, result: DocumentAnalysis) -> None:
            if doc == "fix-valley":
                system_places(result, "Tarsk")[0].lat = lat

        return mutate

    assert seeds_figures(move(69.4))["seeds.places.within50km"] == 1.0
    for lat in (69.5, None):
        figures = seeds_figures(move(lat))
        assert figures["seeds.places.country"] == 1.0
        assert figures["seeds.places.within50km"] == pytest.approx(2 / 3)


def test_seeds_country_accepts_any_point_with_its_code() -> None:
    def far(country: str) -> Mutation:
        def mutate(doc: str, result: DocumentAnalysis) -> None:
            if doc == "fix-valley":
                norway = system_places(result, "Norway")[0]
                norway.lat, norway.lon, norway.country = 65.0, 14.0, country

        return mutate

    assert distance_km(62.0, 10.0, 65.0, 14.0) > 300
    assert seeds_figures(far("NO"))["seeds.places.within50km"] == 1.0
    assert seeds_figures(far("SE"))["seeds.places.within50km"] == pytest.approx(2 / 3)


def test_seeds_missing_place_and_place_on_noise_are_counted() -> None:
    def change(doc: str, result: DocumentAnalysis) -> None:
        text = result.document.text
        if doc == "fix-harbour":
            result.places.append(Place(id="s-noise", document="d", mention=at(text, "Brannock"), name="x"))
        else:
            result.places = [p for p in result.places if p.mention.text(text) != "Norway"]

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(change))
    assert result.figures["seeds.places.found"] == pytest.approx(2 / 3)
    assert result.figures["seeds.places.noise_avoided"] == 0.0
    assert result.counts["seeds.places.noise.output"] == 1
    verbose = result.format(verbose=True)
    assert "noise place 'Brannock': OUTPUT as s-noise" in verbose
    assert "place 'Norway': MISSED, no system place on it" in verbose


def test_seeds_event_trigger_must_lie_in_its_claims_sentences() -> None:
    def move(doc: str, result: DocumentAnalysis) -> None:
        text = result.document.text
        if doc == "fix-harbour":
            system_event(result, "s-h1").trigger = at(text, "return")  # in claim k1's sentence
        else:
            system_event(result, "s-w2").trigger = at(text, "fell")  # the sentence before claim v1's

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(move))
    assert result.figures["seeds.events.found"] == pytest.approx(2 / 3)
    assert result.figures["seeds.events.places"] == 1.0  # w2 gives no place
    assert "event w2: MISSED, no system event triggered in its sentences" in result.format(verbose=True)


def test_seeds_event_without_claims_is_found_in_its_places_sentences() -> None:
    def move(words: str) -> Mutation:
        def mutate(doc: str, result: DocumentAnalysis) -> None:
            if doc == "fix-valley":
                system_event(result, "s-w1").trigger = at(result.document.text, words)

        return mutate

    assert seeds_figures(move("drilled"))["seeds.events.found"] == 1.0
    figures = seeds_figures(move("said"))
    assert figures["seeds.events.found"] == pytest.approx(2 / 3)
    # w1 is the only gold event with a quantity, and one of two with places and times.
    assert figures["seeds.events.quantity"] == 0.0
    assert figures["seeds.events.places"] == pytest.approx(1 / 2)
    assert figures["seeds.events.time"] == pytest.approx(1 / 2)


def test_seeds_event_places_quantity_and_time_are_compared() -> None:
    def wrong(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-valley":
            w1 = system_event(result, "s-w1")
            w1.quantity = 11.0
            w1.places = [p.id for p in system_places(result, "Norway")]  # not the gold mention
        else:
            h1 = system_event(result, "s-h1")
            assert h1.time is not None
            h1.time = TimeInterval(h1.time.start, "2025-03-24", "day")

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(wrong))
    assert result.figures["seeds.events.found"] == 1.0
    assert result.figures["seeds.events.quantity"] == 0.0
    assert result.figures["seeds.events.places"] == pytest.approx(1 / 2)
    assert result.figures["seeds.events.time"] == pytest.approx(1 / 2)
    verbose = result.format(verbose=True)
    assert "quantity 11.0, gold 12" in verbose
    assert "time ('2025-03-17', '2025-03-24'), gold ('2025-03-17', '2025-03-23')" in verbose


def test_seeds_events_pair_one_to_one_best_first() -> None:
    """Of two system events in the gold event's sentences, the one with more right attributes is its partner."""

    def add(doc: str, result: DocumentAnalysis) -> None:
        if doc == "fix-harbour":
            decoy = Event(id="s-decoy", document="d", type="test", trigger=at(result.document.text, "ferry"))
            result.events.insert(0, decoy)

    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis(add))
    assert result.figures["seeds.events.time"] == 1.0
    assert result.counts["seeds.events.system"] == 4
    assert "event h1: found as s-h1 ('The ferry link" in result.format(verbose=True)


def test_sentence_spans_tile_the_text_and_skip_initials() -> None:
    text = 'J. R. Doe said "Yes." Then the U.S. team left.\nNew line here'
    spans = sentence_spans(text)
    assert [s.text(text) for s in spans] == [
        'J. R. Doe said "Yes." ',
        "Then the U.S. team left.\n",
        "New line here",
    ]
    assert sentence_spans("") == []


def test_seeds_format_is_stable() -> None:
    result = evaluate_seeds(SEEDS_GOLD, seeds_analysis())
    text = result.format()
    assert text == result.format()
    assert "seeds.claims.found" in text
    assert re.search(r"^seeds.places.within50km +100.0%$", text, re.MULTILINE)
    assert "claim k1" not in text
    verbose = result.format(verbose=True)
    assert "claim k1: found as s-k1 (100.0% covered)" in verbose
    assert "place 'Tarsk': found 1x, resolved: Tarsk (NO), up to 0 km from gold" in verbose
    assert "noise place 'Brannock': not output" in verbose
    assert "event w1: found as s-w1" in verbose


def write_gold(tmp_path: Path, gold: dict[str, object]) -> Path:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "one.txt").write_text("Ann said yes.\n", encoding="utf-8")
    (tmp_path / "eval").mkdir(exist_ok=True)
    path = tmp_path / "eval" / "gold.json"
    path.write_text(json.dumps(gold), encoding="utf-8")
    return path


def test_seeds_gold_errors_name_the_problem(tmp_path: Path) -> None:
    source = {"id": "ann", "kind": "person", "anonymous": False, "evidence": "Ann"}
    good_claim = {"id": "x", "evidence": "yes", "mode": "paraphrase", "chain": ["ann"], "hedged": False}
    document = {"id": "one", "file": "seeds/one.txt", "sources": [source], "claims": [good_claim]}
    path = write_gold(tmp_path, {"format": "gold/1", "documents": [document]})
    assert evaluate_seeds(path, empty_analysis).counts["seeds.claims.gold"] == 1
    bad_event = {"id": "e", "places": [], "claims": ["nope"]}
    bad_place = {"evidence": "Ann", "lat": 1.0, "lon": 2.0}
    bad_time = {"id": "e", "claims": ["x"], "time": {}}
    cases: list[tuple[dict[str, object], str]] = [
        ({"format": "gold/2", "documents": []}, "gold/1"),
        ({"format": "gold/1", "documents": [{**document, "events": [bad_event]}]}, "unknown claims"),
        ({"format": "gold/1", "documents": [{**document, "places": [bad_place]}]}, "'country'"),
        ({"format": "gold/1", "documents": [{**document, "events": [bad_time]}]}, "neither"),
        (
            {
                "format": "gold/1",
                "documents": [{**document, "places": [{**bad_place, "country": "XX", "lat": "n"}]}],
            },
            "'lat' must be a number",
        ),
        ({"format": "gold/1", "documents": [{**document, "file": "seeds/none.txt"}]}, "not found"),
        (
            {"format": "gold/1", "documents": [{**document, "claims": [{**good_claim, "chain": ["bob"]}]}]},
            "unknown sources",
        ),
        (
            {"format": "gold/1", "documents": [{**document, "sources": [{**source, "anonymous": "no"}]}]},
            "anonymous",
        ),
    ]
    for gold, message in cases:
        path = write_gold(tmp_path, gold)
        with pytest.raises(EvalError, match=message):
            evaluate_seeds(path, empty_analysis)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(EvalError, match="not valid JSON"):
        evaluate_seeds(path, empty_analysis)


# --- gate ---------------------------------------------------------------------------


def test_check_floors_reports_low_and_missing_figures() -> None:
    figures = {"a": 0.5, "b": 0.1 + 0.2}
    assert check_floors(figures, {"a": 0.5, "b": 0.3}) == []
    assert check_floors(figures, {"a": 0.6, "c": 0.0}) == [
        "a: 50.0% is below its floor 60.0%",
        "c: missing (floor 0.0%)",
    ]


def test_load_floors_rejects_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "floors.json"
    for content in ("[", "[]", '{"a": "high"}', '{"a": 1.5}', '{"a": true}'):
        path.write_text(content, encoding="utf-8")
        with pytest.raises(EvalError):
            load_floors(path)
    path.write_text('{"a": 0.25, "b": 1}', encoding="utf-8")
    assert load_floors(path) == {"a": 0.25, "b": 1.0}


def test_repository_floors_name_only_figures_the_evaluators_produce() -> None:
    floors = load_floors(default_floors_path())
    figures = {
        **evaluate_seeds(SEEDS_GOLD, empty_analysis).figures,
        **evaluate_polnear(POLNEAR, empty_analysis).figures,
        **geo_figures(FIXTURES, lambda document: []),
        **anonymity.score([], 0)[0],
        **dict.fromkeys(event_codes.gate_figure_names(), 0.0),
    }
    assert floors
    assert set(floors) <= set(figures)
    assert check_floors(figures, {name: 0.0 for name in floors}) == []


def test_run_gate_on_fixtures(tmp_path: Path) -> None:
    floors_path = tmp_path / "floors.json"
    floors_path.write_text('{"seeds.claims.found": 1.0, "polnear.cue.exact.f1": 0.5}', encoding="utf-8")
    perfect = perfect_polnear()

    def analyze(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        if any(Path(d.path or "").parent.name == "seeds" for d in documents):
            yield from seeds_analysis()(documents)
        else:
            yield from fake(perfect)(documents)

    figures, failures = run_gate(FIXTURES, analyze, floors_path=floors_path, locate=fake_locate)
    assert failures == []
    assert figures["seeds.claims.found"] == 1.0
    assert figures["polnear.cue.exact.f1"] == 1.0
    assert figures["geo.lgl.f1"] == 1.0
    figures, failures = run_gate(FIXTURES, empty_analysis, floors_path=floors_path)
    assert len(failures) == 2
    report = format_gate(figures, failures, load_floors(floors_path))
    assert report.endswith("gate: FAILED")
    assert "FAIL seeds.claims.found: 0.0% is below its floor 100.0%" in report
    with pytest.raises(EvalError, match="floors file not found"):
        run_gate(FIXTURES, empty_analysis, floors_path=tmp_path / "absent.json")


# Where the fictional geo fixtures' places lie; "Dunmore" is put about 320 km off on purpose.
FAKE_POINTS = {
    "Kelby Island": (57.2, -6.4),
    "Dunmore": (60.0, -6.0),
    "Tarsk": (69.0, 18.0),
    "Fever": (0.0, 0.0),
}


def fake_locate(document: Document) -> list[Place]:
    """Every name of ``FAKE_POINTS`` in the text, at its point ("Velmoor" is never found, "Fever" is wrong)."""
    return [
        Place(id=f"p{n}", document=document.id, mention=o, name=name, lat=lat, lon=lon)
        for n, (name, (lat, lon)) in enumerate(FAKE_POINTS.items())
        for o in find_all(document.text, name)
    ]


def test_geo_figures_on_fixtures() -> None:
    assert distance_km(57.5, -5.0, 60.0, -6.0) > 161
    figures = geo_figures(FIXTURES, fake_locate)
    assert figures == {
        "geo.lgl.precision": 1.0,
        "geo.lgl.recall": 1.0,
        "geo.lgl.f1": 1.0,
        "geo.lgl.acc161": 0.5,
        "geo.geovirus.precision": 0.5,
        "geo.geovirus.recall": 0.5,
        "geo.geovirus.f1": 0.5,
        "geo.geovirus.acc161": 1.0,
    }
    assert geo_figures(FIXTURES / "seeds", fake_locate) == {}  # no eval/geo there: skipped


def test_run_gate_without_locate_takes_places_from_the_analysis(tmp_path: Path) -> None:
    floors_path = tmp_path / "floors.json"
    floors_path.write_text('{"geo.lgl.acc161": 0.5, "geo.geovirus.f1": 0.5}', encoding="utf-8")

    def analyze(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for document in documents:
            places = fake_locate(document) if "#" in (document.path or "") else []
            yield DocumentAnalysis(document=document, places=places)

    figures, failures = run_gate(FIXTURES, analyze, floors_path=floors_path)
    assert failures == []
    assert figures["geo.geovirus.precision"] == 0.5
    figures, failures = run_gate(FIXTURES, empty_analysis, floors_path=floors_path)
    assert failures == [
        "geo.lgl.acc161: 0.0% is below its floor 50.0%",
        "geo.geovirus.f1: 0.0% is below its floor 50.0%",
    ]


# --- real evaluation data (../shared) -----------------------------------------------


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"evaluation data not found at {path} (../shared beside the repository)")
    return path


@pytest.mark.shared
def test_shared_polnear_dev_parses_cleanly_and_an_oracle_scores_one() -> None:
    dev = require_shared(SHARED / "eval" / "polnear" / "dev")
    corpus = load_polnear(dev)
    assert len(corpus.articles) == 84
    assert corpus.unannotated == [] and corpus.orphans == []
    assert [m for a in corpus.articles for m in a.mismatches] == []
    assert [p for a in corpus.articles for p in a.problems] == []
    gold = {a.document.path: a.attributions for a in corpus.articles}

    def oracle(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for d in documents:
            claims = [claim(list(g.of("cue")), list(g.of("content")), g.of("source")) for g in gold[d.path]]
            yield DocumentAnalysis(document=d, claims=claims)

    result = evaluate_polnear(dev, oracle)
    assert set(result.figures.values()) == {1.0}
    # One attribution in dev has no cue (an E line with only its trigger).
    assert result.counts["polnear.gold.uncued"] == 1
    assert result.counts["polnear.gold.span_text_mismatches"] == 0


@pytest.mark.shared
def test_shared_seeds_gold_is_found_in_its_articles() -> None:
    gold_path = require_shared(SHARED / "eval" / "seeds.gold.json")
    gold = {str(g.file): g for g in load_gold(gold_path)}

    def oracle(documents: Sequence[Document]) -> Iterator[DocumentAnalysis]:
        for d in documents:
            yield perfect_seed(d, gold[d.path or ""])

    result = evaluate_seeds(gold_path, oracle)
    assert result.counts["seeds.gold.not_in_text"] == 0
    assert set(result.figures.values()) == {1.0}
    # Every gold event and place is reachable by the matching rules.
    assert result.counts["seeds.events.matched"] == result.counts["seeds.events.gold"] > 0
    assert result.counts["seeds.places.matched"] == result.counts["seeds.places.gold"] > 0
