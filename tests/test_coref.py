"""Coreference of sources inside one article, and relay chains, on fictional sentences.

Each test states one resolution or relay rule of ``attribution/coref.py`` (or of the cue
rules that feed it). Tests marked ``xfail(strict=True)`` record relays the cue rules in
``attribution/cues.py`` do not build yet; they fail loudly (XPASS) once fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimgraph.attribution import load_lexicons
from claimgraph.attribution.coref import Resolver
from claimgraph.attribution.mentions import Mention
from claimgraph.model import Claim, Document, DocumentAnalysis, Span
from spans import at

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline


def run(pipeline: Pipeline, text: str) -> DocumentAnalysis:
    return pipeline.analyze(Document(text=text, path="test.txt"))


def said_by(da: DocumentAnalysis, mention: str) -> Claim:
    """The one claim whose source mention reads ``mention``."""
    text = da.document.text
    found = [c for c in da.claims if [m.text(text) for m in c.source_mentions] == [mention]]
    assert len(found) == 1, [[m.text(text) for m in c.source_mentions] for c in da.claims]
    return found[0]


def chain(da: DocumentAnalysis, claim: Claim) -> list[tuple[str, bool, str | None]]:
    """(kind, anonymous, name or descriptor) of each source of the chain, outermost first."""
    out = []
    for source_id in claim.chain:
        s = da.source(source_id)
        assert s is not None
        out.append((s.kind, s.anonymous, s.name or s.descriptor))
    return out


# --- coreference ----------------------------------------------------------------------------


def test_mr_and_surname_is_the_person_named_before(pipeline: Pipeline) -> None:
    text = (
        "Mahmoud Abbas said the talks were over.\n\n"
        "The mayor of the port, Leo Dunn, said the ferry would run.\n\n"
        "Mr Abbas added that he would travel to Cairo."
    )
    da = run(pipeline, text)
    first, last = said_by(da, "Mahmoud Abbas"), said_by(da, "Mr Abbas")
    assert first.source == last.source
    abbas = da.source(first.source or "")
    assert abbas is not None and (abbas.kind, abbas.name) == ("person", "Mahmoud Abbas")
    assert abbas.mentions == [at(text, "Mahmoud Abbas"), at(text, "Mr Abbas")]
    assert last.explanation["source_resolution"] == "name"


def test_the_insider_and_the_second_source_keep_their_relay(pipeline: Pipeline) -> None:
    text = (
        "A source in the ministry told the Northern Courier that the budget was cut. "
        "The insider said the cuts were deep. "
        "A second source said the minister knew. "
        "The second source added that nobody objected."
    )
    da = run(pipeline, text)
    courier = ("outlet", False, "Northern Courier")
    first = ("anonymous", True, "A source in the ministry")
    second = ("anonymous", True, "A second source")
    assert chain(da, said_by(da, "A source in the ministry")) == [courier, first]
    assert chain(da, said_by(da, "The insider")) == [courier, first]
    assert chain(da, said_by(da, "A second source")) == [courier, second]
    assert chain(da, said_by(da, "The second source")) == [courier, second]
    anonymous = [s for s in da.sources if s.anonymous]
    assert [len(s.mentions) for s in anonymous] == [2, 2]


def test_a_definite_office_is_the_person_named_before(pipeline: Pipeline) -> None:
    text = "Marta Olenko visited the port on Monday. The minister said the tankers had left."
    da = run(pipeline, text)
    claim = said_by(da, "The minister")
    assert chain(da, claim) == [("person", False, "Marta Olenko")]
    assert claim.explanation["source_resolution"] == "definite"


def test_a_definite_office_prefers_the_person_named_with_that_office(pipeline: Pipeline) -> None:
    text = (
        "Defence Minister Marta Olenko said the units had moved.\n\n"
        "Captain Ivo Marsh said the ferry was late.\n\n"
        "The minister added that no weapon was pointed at the border."
    )
    da = run(pipeline, text)
    assert said_by(da, "The minister").source == said_by(da, "Defence Minister Marta Olenko").source


def test_he_skips_a_group_for_the_person_named_before(pipeline: Pipeline) -> None:
    text = (
        "Captain Ivo Marsh spoke first.\n\n"
        "Dock workers said the pier had been closed for a week.\n\n"
        "He said the engines had failed twice."
    )
    da = run(pipeline, text)
    assert chain(da, said_by(da, "Dock workers")) == [("anonymous", True, "Dock workers")]
    assert chain(da, said_by(da, "He")) == [("person", False, "Ivo Marsh")]


def test_they_takes_the_anonymity_of_the_group_before(pipeline: Pipeline) -> None:
    text = "Aides to the governor said the plan was dead. They said the vote would fail."
    da = run(pipeline, text)
    aides, they = said_by(da, "Aides to the governor"), said_by(da, "They")
    assert they.source == aides.source
    assert chain(da, they) == [("anonymous", True, "Aides to the governor")]


def test_they_may_be_one_anonymous_source(pipeline: Pipeline) -> None:
    text = (
        "A source at the port said the crates were unmarked.\n\n"
        "The insider said the guards were paid in cash.\n\n"
        "They explained: “Nobody opened them.”"
    )
    da = run(pipeline, text)
    assert said_by(da, "They").source == said_by(da, "A source at the port").source


def test_an_antecedent_counts_by_its_mentions_before_the_pronoun() -> None:
    """Mentions are resolved in the order of their claims' cues: an entity mentioned both
    before and after a pronoun is still a candidate for it."""
    import spacy

    nlp = spacy.blank("en")
    doc = nlp("Aides met . They spoke . The aides left .")
    resolver = Resolver(doc, "doc-1", load_lexicons())

    def mention(i: int, **kw: object) -> Mention:
        tok = doc[i]
        return Mention(span=Span(tok.idx, tok.idx + len(tok)), head=i, text=tok.text, **kw)  # type: ignore[arg-type]

    aides, _ = resolver.resolve(mention(0, kind="anonymous", anonymous=True, plural=True, descriptor="Aides"))
    later, _ = resolver.resolve(mention(7, kind="anonymous", anonymous=True, plural=True, descriptor="Aides"))
    assert later is aides  # the same description repeated
    they, how = resolver.resolve(mention(3, kind="unknown", anonymous=False, pronoun=True, plural=True))
    assert (they, how) == (aides, "pronoun")


# --- relay chains ---------------------------------------------------------------------------


def test_told_an_outlet(pipeline: Pipeline) -> None:
    da = run(pipeline, "A senior official told CNN that the convoy had turned back.")
    (claim,) = da.claims
    assert chain(da, claim) == [("outlet", False, "CNN"), ("anonymous", True, "A senior official")]


def test_in_an_interview_with_an_outlet(pipeline: Pipeline) -> None:
    text = "The minister said in an interview with the Independent that the border would stay shut."
    da = run(pipeline, text)
    (claim,) = da.claims
    assert chain(da, claim) == [("outlet", False, "Independent"), ("person", False, "The minister")]


def test_according_to_an_outlets_report_citing_aides_nests(pipeline: Pipeline) -> None:
    text = "According to a Politico report citing two aides, the governor will resign on Friday."
    da = run(pipeline, text)
    (claim,) = da.claims
    assert chain(da, claim) == [("outlet", False, "Politico"), ("anonymous", True, "two aides")]
    assert claim.content == [at(text, "the governor will resign on Friday")]


def test_according_to_an_outlet_then_an_official_nests(pipeline: Pipeline) -> None:
    text = "According to the Harbour Times, an official said the ferry was sold."
    da = run(pipeline, text)
    claim = said_by(da, "an official")
    assert chain(da, claim) == [("outlet", False, "Harbour Times"), ("anonymous", True, "an official")]


def test_reported_citing_a_source(pipeline: Pipeline) -> None:
    text = "RFA reported, citing a source, that the factory had closed."
    da = run(pipeline, text)
    (claim,) = da.claims
    assert chain(da, claim) == [("outlet", False, "Radio Free Asia"), ("anonymous", True, "a source")]
    assert claim.content == [at(text, "that the factory had closed")]


def test_outlet_citing_people_familiar_with_the_matter(pipeline: Pipeline) -> None:
    text = "The Lantern Post, citing people familiar with the matter, reported that the mine would close."
    da = run(pipeline, text)
    (claim,) = da.claims
    assert chain(da, claim) == [
        ("outlet", False, "Lantern Post"),
        ("anonymous", True, "people familiar with the matter"),
    ]
