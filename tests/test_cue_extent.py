"""Light-verb cues: the cue extent model moves an object or a preposition into the cue."""

from __future__ import annotations

from dataclasses import replace

from claimgraph.attribution import attribute, raw_attributions
from claimgraph.attribution.cue_extent import apply, extend_cues, features, splits
from claimgraph.attribution.cue_model import CueModel
from claimgraph.attribution.quotes import find_quotes
from claimgraph.model import Document
from claimgraph.pipeline import Pipeline

TEXT = "Councillor Ada Brill has expressed misgivings about the new ferry timetable."


def _raws(pipeline: Pipeline, text: str) -> tuple[object, list]:
    doc = pipeline.nlp(text)
    lex = replace(pipeline.lexicons, cue_extent=None)
    return doc, raw_attributions(Document(text=text), doc, lex, find_quotes(text, []))


def _cue(text: str, raw: object) -> str:
    return " | ".join(text[s.start : s.end] for s in sorted(raw.cue))  # type: ignore[attr-defined]


def test_a_light_verb_offers_its_object_and_its_preposition(pipeline: Pipeline) -> None:
    doc, raws = _raws(pipeline, TEXT)
    (raw,) = raws
    assert _cue(TEXT, raw) == "has expressed"
    options = splits(raw, doc)
    kinds = {s.kind: TEXT[: s.end].rsplit(" ", 1)[-1] for s in options}
    assert kinds == {"object": "misgivings", "preposition": "about"}
    for s in options:
        feats = features(raw, doc, s)
        assert f"kind={s.kind}" in feats and "lemma=express/" + s.kind in feats


def test_a_split_moves_words_from_content_to_cue(pipeline: Pipeline) -> None:
    doc, raws = _raws(pipeline, TEXT)
    (raw,) = raws
    prep = next(s for s in splits(raw, doc) if s.kind == "preposition")
    apply(raw, doc, prep)
    assert _cue(TEXT, raw) == "has expressed misgivings about"
    assert [TEXT[s.start : s.end] for s in raw.content] == ["the new ferry timetable"]


def test_content_that_does_not_follow_the_cue_offers_nothing(pipeline: Pipeline) -> None:
    text = "“The timetable is wrong,” Councillor Ada Brill said on Monday."
    doc, raws = _raws(pipeline, text)
    assert raws and all(splits(r, doc) == [] for r in raws)


def test_the_model_picks_the_best_split_or_none(pipeline: Pipeline) -> None:
    prefer_prep = CueModel(weights={"kind=preposition": 3.0, "kind=object": -3.0})
    refuse = CueModel(weights={"bias": -5.0})
    doc, raws = _raws(pipeline, TEXT)
    extend_cues(raws, doc, prefer_prep)
    assert _cue(TEXT, raws[0]) == "has expressed misgivings about"
    doc, raws = _raws(pipeline, TEXT)
    extend_cues(raws, doc, refuse)
    assert _cue(TEXT, raws[0]) == "has expressed"
    doc, raws = _raws(pipeline, TEXT)
    extend_cues(raws, doc, CueModel(weights={}))  # no weights: no decision
    assert _cue(TEXT, raws[0]) == "has expressed"


def test_the_pipeline_applies_the_split(pipeline: Pipeline) -> None:
    lex = replace(
        pipeline.lexicons, cue_extent=CueModel(weights={"kind=preposition": 3.0, "kind=object": -3.0})
    )
    _, claims = attribute(Document(text=TEXT), pipeline.nlp(TEXT), lex)
    (claim,) = claims
    assert claim.explanation["cue_split"]["kind"] == "preposition"
    assert [TEXT[s.start : s.end] for s in claim.cue] == ["has expressed misgivings about"]
    assert [TEXT[s.start : s.end] for s in claim.content] == ["the new ferry timetable"]
