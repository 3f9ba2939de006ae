"""The cross-article stage: copies, stories, source keys, origins and grades.

Most tests build analyses by hand (no parser); ``test_fixture_*`` run the real pipeline on
``tests/fixtures/linking/stories.jsonl`` (fiction): a wire story carried by four outlets
(A1-A4), one anonymous source relayed by several outlets, a citation, a town spelled two
ways and a correction (B1-B4), and an anonymous claim confirmed by a named minister (C1-C2).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from claimgraph.attribution import load_lexicons
from claimgraph.attribution.lexicon import Lexicons
from claimgraph.errors import InputError
from claimgraph.linking import Linker, ReliabilityTable, link, parse_reliability_table, story_groups
from claimgraph.linking.copies import COPY_JACCARD, LshIndex, MinHasher, similarity
from claimgraph.linking.features import content_terms, name_phrases
from claimgraph.linking.identity import named_key, normalize_descriptor
from claimgraph.linking.stories import StoryIndex
from claimgraph.model import Analysis, Assessment, Claim, Document, DocumentAnalysis, Source, Span

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

FIXTURES = Path(__file__).parent / "fixtures" / "linking"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def lex() -> Lexicons:
    return load_lexicons()


# -- hand-built analyses -------------------------------------------------------


def _doc(text: str, outlet: str | None, day: int, title: str = "") -> DocumentAnalysis:
    return DocumentAnalysis(
        Document(text=text, outlet=outlet, published=f"2031-05-{day:02d}", title=title or text[:40])
    )


def _claim(
    da: DocumentAnalysis,
    content: str,
    chain: list[tuple[str, str, bool, str | None, str | None]],
    hedged: bool = False,
) -> Claim:
    """Add a claim whose content is the first occurrence of ``content`` and whose chain is
    (kind, mention text, anonymous, name, descriptor) from the outermost relay to the origin."""
    text = da.document.text
    ids: list[str] = []
    for kind, mention, anonymous, name, descriptor in chain:
        existing = next((s for s in da.sources if s.name == name and s.descriptor == descriptor), None)
        if existing is None:
            start = text.lower().index(mention.lower())
            existing = Source(
                id=f"{da.document.id}/s{len(da.sources) + 1}",
                document=da.document.id,
                kind=kind,
                anonymous=anonymous,
                mentions=[Span(start, start + len(mention))],
                name=name,
                descriptor=descriptor,
            )
            da.sources.append(existing)
        ids.append(existing.id)
    start = text.index(content)
    claim = Claim(
        id=f"{da.document.id}/c{len(da.claims) + 1}",
        document=da.document.id,
        content=[Span(start, start + len(content))],
        cue=[],
        source_mentions=[],
        chain=ids,
        mode="paraphrase",
        hedged=hedged,
        source=ids[-1] if ids else None,
    )
    da.claims.append(claim)
    return claim


VEHICLES = "forty armoured vehicles had been moved to the border town of Tarvik in the highlands"
OFFICIAL = ("anonymous", "a senior defence official", True, None, "a senior defence official")
LEDGER = ("outlet", "Daily Ledger", False, "Daily Ledger", None)


def _echo() -> list[DocumentAnalysis]:
    """Fiction: two outlets relay one anonymous official through the Daily Ledger."""
    a = _doc(f"Fiction. A senior defence official told the Daily Ledger that {VEHICLES}.", "Daily Ledger", 10)
    b = _doc(
        f"Fiction. According to the Daily Ledger, a senior defence official said {VEHICLES}.",
        "Harbour Times",
        11,
    )
    c = _doc(
        f"Fiction. The Daily Ledger says a senior defence official claimed {VEHICLES}.",
        "Kestrel Bay Post",
        11,
    )
    _claim(a, VEHICLES, [LEDGER, OFFICIAL])
    _claim(b, VEHICLES, [LEDGER, OFFICIAL])
    _claim(c, VEHICLES, [LEDGER, OFFICIAL], hedged=True)
    return [a, b, c]


def _by_subject(analysis: Analysis, claim_count: int) -> Assessment:
    found = [a for a in analysis.assessments if len(a.subject) == claim_count]
    assert len(found) == 1, [a.subject for a in analysis.assessments]
    return found[0]


def test_anonymous_echo_is_circular_with_one_origin(lex: Lexicons) -> None:
    analysis = link(Analysis(documents=_echo()), ReliabilityTable(), lex)
    assert len(analysis.stories) == 1
    a = _by_subject(analysis, 3)
    assert a.independent_origins == 1
    assert a.circular is True
    assert a.origins == ["anonymous:outlet:daily ledger|senior defence official"]
    assert int(a.credibility) >= 3
    assert "outlet:harbour times" in a.relays and "outlet:daily ledger" in a.relays
    assert any("circular" in r for r in a.reasons)
    assert any("relayed by outlet:daily ledger" in r for r in a.reasons)


def test_named_confirmation_gives_two_origins_and_grade_one(lex: Lexicons) -> None:
    documents = _echo()[:2]
    minister = _doc(
        f"Fiction. Defence minister Lena Varga confirmed that {VEHICLES}.", "Northern Courier", 12
    )
    _claim(minister, VEHICLES, [("person", "Lena Varga", False, "Lena Varga", None)])
    analysis = link(Analysis(documents=[*documents, minister]), ReliabilityTable(), lex)
    a = _by_subject(analysis, 3)
    assert a.independent_origins == 2
    assert a.circular is False
    assert a.credibility == "1"
    assert "person:lena varga" in a.origins
    assert any("person:lena varga" in r for r in a.reasons)


def test_anonymous_sources_differ_when_outlets_or_descriptors_differ(lex: Lexicons) -> None:
    a = _doc(f"Fiction. A senior defence official told the Daily Ledger that {VEHICLES}.", "Daily Ledger", 10)
    b = _doc(f"Fiction. A senior defence official told Radio Kestrel that {VEHICLES}.", "Radio Kestrel", 10)
    c = _doc(f"Fiction. A border guard told the Daily Ledger that {VEHICLES}.", "Daily Ledger", 11)
    _claim(a, VEHICLES, [LEDGER, OFFICIAL])
    _claim(b, VEHICLES, [("outlet", "Radio Kestrel", False, "Radio Kestrel", None), OFFICIAL])
    _claim(c, VEHICLES, [LEDGER, ("anonymous", "A border guard", True, None, "A border guard")])
    analysis = link(Analysis(documents=[a, b, c]), ReliabilityTable(), lex)
    keys = {s.key for da in analysis.documents for s in da.sources if s.anonymous}
    assert len(keys) == 3
    assessment = _by_subject(analysis, 3)
    # three anonymous origins: probably true at best, never confirmed
    assert assessment.independent_origins == 3
    assert assessment.credibility == "2"


def test_outlet_aliases_share_one_key(lex: Lexicons) -> None:
    ap = Source(id="d/s1", document="d", kind="outlet", anonymous=False, name="AP")
    full = Source(id="e/s1", document="e", kind="outlet", anonymous=False, name="The Associated Press")
    assert named_key(ap, lex) == named_key(full, lex) == "outlet:associated press"
    person = Source(id="d/s2", document="d", kind="person", anonymous=False, name="Minister Lena  Varga")
    assert named_key(person, lex) in ("person:lena varga", "person:minister lena varga")
    assert named_key(Source(id="x", document="d", kind="anonymous", anonymous=True), lex) is None
    assert normalize_descriptor("A  Senior defence official") == "senior defence official"


def test_unattributed_claims_of_copies_trace_to_the_earliest_copy(lex: Lexicons) -> None:
    body = (
        "Fiction. A fire broke out on the ferry Saltmarsh Queen in the harbour of Varnholm on Monday, "
        "and the crew evacuated more than two hundred passengers onto the quay before firefighters from "
        "three stations brought the blaze under control. The operator cancelled crossings to Ostholm."
    )
    docs = [
        _doc(body, "Harbour Times", 3),
        _doc(body.replace("on Monday", "late on Monday"), "Northern Courier", 4),
        _doc(body.replace("more than", "over"), "Daily Ledger", 5),
    ]
    for da in docs:
        _claim(da, "The operator cancelled crossings to Ostholm", [])
    analysis = link(Analysis(documents=docs), ReliabilityTable(), lex)
    a = _by_subject(analysis, 3)
    assert a.origins == ["outlet:harbour times"]
    assert a.circular is True
    assert any("near-copy" in r for r in a.reasons)


def test_citation_maps_a_report_to_the_cited_outlet(lex: Lexicons) -> None:
    a = _doc(f"Fiction. The Daily Ledger has learned that {VEHICLES}.", "Daily Ledger", 10)
    b = _doc(f"Fiction. About {VEHICLES}, as first reported by the Daily Ledger.", "Harbour Times", 11)
    _claim(a, VEHICLES, [])
    _claim(b, VEHICLES, [])
    analysis = link(Analysis(documents=[a, b]), ReliabilityTable(), lex)
    assessment = _by_subject(analysis, 2)
    assert assessment.origins == ["outlet:daily ledger"]
    assert assessment.circular is True
    assert any("first reported by the Daily Ledger" in r for r in assessment.reasons)


# -- copies, stories, incremental cost -----------------------------------------


def test_minhash_estimates_jaccard_and_lsh_finds_copies() -> None:
    hasher = MinHasher.create()
    text = " ".join(f"word{i} alpha beta" for i in range(80))
    rewrite = text.replace("word7 ", "term7 ").replace("word50 ", "term50 ")
    other = " ".join(f"other{i} gamma delta" for i in range(80))
    s1, s2, s3 = (hasher.text_signature(t) for t in (text, rewrite, other))
    assert similarity(s1, s1) == 1.0
    assert similarity(s1, s2) >= COPY_JACCARD
    assert similarity(s1, s3) < 0.1
    index = LshIndex()
    index.add("a", s1)
    assert index.add("b", s2) == {"a"}
    assert index.add("c", s3) == set()
    assert MinHasher.create().text_signature(text).tolist() == s1.tolist()  # stable across instances


def test_features_fold_possessives_and_split_names() -> None:
    assert content_terms("Kestria's tanks and the tanks")["tank"] == 2
    names = name_phrases(
        "Officials in Kestria's Defence Ministry and the Daily Ledger met. However, talks failed."
    )
    assert "defence ministry" in names and "daily ledger" in names
    assert "however" not in names


def _synthetic(n: int, seed: int = 7) -> list[DocumentAnalysis]:
    """``n`` fictional documents on n/3 topics, three documents each, days spread over a year."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    out = []
    for i in range(n):
        topic = i // 3
        words = [f"topic{topic}x{j}" for j in range(12)] + rng.sample(vocabulary, 120)
        rng.shuffle(words)
        text = f"Fiction about Place{topic} and Person{topic}. " + " ".join(words)
        out.append(_doc(text, f"Outlet {i % 5}", 1 + (topic % 28)))
    return out


def test_blocking_cost_grows_linearly(lex: Lexicons) -> None:
    counts = []
    for n in (150, 600):
        linker = Linker(table=ReliabilityTable(), lexicons=lex)
        linker.add(_synthetic(n))
        counts.append(linker.index.comparisons)
        groups = [g for g in linker.index.story_groups() if len(g) > 1]
        assert len(groups) == n // 3  # every topic found, nothing chained across topics
    assert counts[1] < 600 * 599 // 2 // 10  # far from all pairs
    assert counts[1] / counts[0] <= 4 * 1.5  # 4x the documents: about 4x the comparisons


def test_adding_later_compares_only_the_new_documents(lex: Lexicons) -> None:
    documents = _synthetic(60)
    linker = Linker(table=ReliabilityTable(), lexicons=lex)
    linker.add(documents[:57])
    before = linker.index.comparisons
    linker.add(documents[57:])
    assert linker.index.comparisons - before <= 3 * 60  # bounded by the buckets, not by n
    whole = story_groups(documents, lex)
    assert sorted(map(sorted, linker.index.story_groups())) == sorted(map(sorted, whole))


def test_date_window_keeps_distant_reports_apart(lex: Lexicons) -> None:
    text = "Fiction. The Molva dam above Dunmere cracked, engineers found, and water levels were lowered."
    a = DocumentAnalysis(Document(text=text, published="2031-01-01"))
    b = DocumentAnalysis(Document(text=text + " Again.", published="2031-06-01"))
    index = StoryIndex()
    linker = Linker(table=ReliabilityTable(), lexicons=lex, index=index)
    linker.add([a, b])
    assert index.comparisons == 0


# -- reliability table -----------------------------------------------------------


def test_reliability_table_grades_listed_outlets_only(lex: Lexicons) -> None:
    table = parse_reliability_table(
        {"outlets": {"The Daily Ledger": {"reliability": "B", "note": "test"}}}, lex
    )
    a = _doc(f"Fiction. The Daily Ledger has learned that {VEHICLES}.", "Daily Ledger", 10)
    _claim(a, VEHICLES, [])
    analysis = link(Analysis(documents=[a]), table, lex)
    assert analysis.assessments[0].reliability == "B"
    echo = link(Analysis(documents=_echo()), table, lex)
    assert _by_subject(echo, 3).reliability == "F"  # the origin is the anonymous official
    with pytest.raises(InputError):
        parse_reliability_table({"outlets": {"X": {"reliability": "Z"}}}, lex)


def test_packaged_table_is_empty_and_defaults_to_f() -> None:
    from importlib import resources

    data = json.loads(resources.files("claimgraph").joinpath("data/outlet_reliability.json").read_text())
    assert data["default"] == "F" and data["outlets"] == {}


# -- the real pipeline on the fixtures and the seeds ------------------------------


@pytest.fixture(scope="module")
def fixture_analysis(pipeline: Pipeline) -> tuple[Analysis, dict[str, str]]:
    from claimgraph.ingest import iter_inputs

    documents = [d for d in iter_inputs([str(FIXTURES / "stories.jsonl")]) if isinstance(d, Document)]
    analysis = link(Analysis(documents=list(pipeline.analyze_many(documents))), lexicons=pipeline.lexicons)
    names = {da.document.id: str(da.document.meta["external_id"]) for da in analysis.documents}
    return analysis, names


def _docs_of(a: Assessment, names: dict[str, str]) -> set[str]:
    return {names[c.split("/")[0]] for c in a.subject}


@pytest.mark.slow
def test_fixture_stories(fixture_analysis: tuple[Analysis, dict[str, str]]) -> None:
    analysis, names = fixture_analysis
    stories = sorted(sorted(names[d] for d in s.documents) for s in analysis.stories)
    assert stories == [["A1", "A2", "A3", "A4"], ["B1", "B2", "B3", "B4"], ["C1", "C2"]]


@pytest.mark.slow
def test_fixture_origins_and_grades(fixture_analysis: tuple[Analysis, dict[str, str]]) -> None:
    analysis, names = fixture_analysis
    by_docs = [(_docs_of(a, names), a) for a in analysis.assessments]
    wire = [a for d, a in by_docs if d == {"A1", "A2", "A3", "A4"}]
    assert wire and all(a.independent_origins == 1 and a.circular for a in wire)
    assert any(a.origins == ["person:anna brekke"] and a.credibility == "3" for a in wire)
    echo = [a for d, a in by_docs if {"B1", "B2", "B3"} <= d]
    assert echo and all(a.independent_origins == 1 and a.circular for a in echo)
    assert all(int(a.credibility) >= 3 for d, a in by_docs if d & {"B1", "B2", "B3", "B4"})
    # the correction lowers the echo from 3 to 4 and says so
    assert all(a.credibility == "4" and any("correction" in r for r in a.reasons) for a in echo)
    confirmed = [a for d, a in by_docs if d == {"C1", "C2"} and "person:piet ansel" in a.origins]
    assert confirmed and all(a.independent_origins == 2 and a.credibility == "1" for a in confirmed)
    for _, a in by_docs:
        assert a.reasons and any("document(s):" in r for r in a.reasons)


@pytest.mark.slow
@pytest.mark.shared
def test_seeds_one_story_nothing_confirmed(pipeline: Pipeline) -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"shared seeds not found at {seeds}")
    from claimgraph.ingest import iter_inputs

    documents = [d for d in iter_inputs([str(seeds)]) if isinstance(d, Document)]
    analysis = link(Analysis(documents=list(pipeline.analyze_many(documents))), lexicons=pipeline.lexicons)
    assert len(analysis.stories) == 1
    assert sorted(analysis.stories[0].documents) == sorted(d.id for d in documents)
    assert analysis.assessments
    assert all(a.credibility != "1" for a in analysis.assessments)
    multi = [a for a in analysis.assessments if len({c.split("/")[0] for c in a.subject}) > 1]
    assert all(a.independent_origins == 1 for a in multi)


# -- kept vectors and cached reasons (performance, same results) -------------------


def _reference_score(index: StoryIndex, a_id: str, b_id: str) -> float:
    """The pair score recomputed from the index's counters with ``features.weigh``/``cosine``."""
    from claimgraph.linking.features import cosine, weigh
    from claimgraph.linking.stories import MIN_IDF_DOCS, NAME_WEIGHT, TERM_WEIGHT, TITLE_WEIGHT

    a, b = index.docs[a_id], index.docs[b_id]
    n = len(index.docs)
    term_df, name_df = (index.term_df, index.name_df) if n >= MIN_IDF_DOCS else ({}, {})
    n = n if n >= MIN_IDF_DOCS else 0
    terms = cosine(weigh(a.terms, term_df, n), weigh(b.terms, term_df, n))
    names = cosine(weigh(a.names, name_df, n), weigh(b.names, name_df, n))
    titles = cosine(weigh(a.title_terms, term_df, n), weigh(b.title_terms, term_df, n))
    return TERM_WEIGHT * terms + NAME_WEIGHT * names + TITLE_WEIGHT * titles


@pytest.mark.parametrize("n", [12, 90])  # below and above MIN_IDF_DOCS
def test_kept_vectors_score_as_the_tfidf_formula(lex: Lexicons, n: int) -> None:
    linker = Linker(table=ReliabilityTable(), lexicons=lex)
    linker.add(_synthetic(n, seed=11))
    index = linker.index
    ids = list(index.docs)
    rng = random.Random(3)
    pairs = [(ids[0], ids[1]), (ids[0], ids[-1])] + [tuple(rng.sample(ids, 2)) for _ in range(40)]
    for a_id, b_id in pairs:
        expected = _reference_score(index, a_id, b_id)
        assert index.score(index.docs[a_id], index.docs[b_id]) == pytest.approx(expected, abs=1e-12)
    assert any(_reference_score(index, a, b) > 0.3 for a, b in pairs)  # the check saw real matches
    # document frequencies kept as arrays agree with the counters
    for term, df in list(index.term_df.items())[:200]:
        assert index.terms.df[index.terms.ids[term]] == df


def test_identity_reasons_are_cached_and_refreshed() -> None:
    from claimgraph.linking.identity import Identities

    ids = Identities()
    ids.note("person:ola varn", "doc-b", "same canonical name")
    assert ids.reason("person:ola varn").endswith("(in doc-b)")
    ids.note("person:ola varn", "doc-a", "same canonical name")
    assert ids.reason("person:ola varn") == "person:ola varn: same canonical name (in doc-a, doc-b)"
    assert ids.reason("person:ola varn") is ids.reason("person:ola varn")
