"""The learned cue detector and the script that trains it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from claimgraph.attribution.cue_model import CueModel, features, is_candidate, train
from claimgraph.attribution.quotes import find_quotes

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SPLIT = ROOT / "tests/fixtures/eval/shared/eval/polnear/dev"


def _examples() -> list[tuple[list[str], bool]]:
    said = [(["bias", "lemma=say", "has_clause"], True)] * 30
    nouns = [(["bias", "lemma=table"], False)] * 60
    walked = [(["bias", "lemma=walk", "has_clause"], False)] * 30
    return said + nouns + walked


def test_training_separates_what_the_examples_separate() -> None:
    model = train(_examples())
    assert model.probability(["bias", "lemma=say", "has_clause"]) > 0.8
    assert model.probability(["bias", "lemma=walk", "has_clause"]) < 0.2
    assert model.probability(["bias", "lemma=table"]) < 0.2


def test_training_is_deterministic_and_round_trips() -> None:
    first, second = train(_examples()), train(_examples())
    assert first.to_json() == second.to_json()
    again = CueModel.from_json(json.loads(json.dumps(first.to_json())))
    feats = ["bias", "lemma=say", "has_clause"]
    assert again.probability(feats) == pytest.approx(first.probability(feats), abs=1e-3)


def test_rare_features_are_ignored() -> None:
    model = train([*_examples(), (["bias", "lemma=once"], True)])
    assert "lemma=once" not in model.weights


def test_bad_model_file_is_refused() -> None:
    with pytest.raises(ValueError):
        CueModel.from_json({"weights": [1, 2]})


def test_features_describe_the_parse(nlp: object) -> None:
    doc = nlp("The minister said that the bridge would reopen.")  # type: ignore[operator]
    said = next(t for t in doc if t.lower_ == "said")
    assert is_candidate(said)
    feats = features(said)
    assert "lemma=say" in feats and "has_clause" in feats and "subj=pos:NOUN" in feats
    assert "where=none" in feats and "child_lemma=ccomp/reopen" in feats


def test_features_say_where_the_quotation_is(nlp: object) -> None:
    text = "“The bridge will reopen,” the minister said."
    doc = nlp(text)  # type: ignore[operator]
    said = next(t for t in doc if t.lower_ == "said")
    reopen = next(t for t in doc if t.lower_ == "reopen")
    quotes = find_quotes(text)
    assert "where=sent_before" in features(said, quotes)
    assert "where=in" in features(reopen, quotes) and "quote=True" in features(reopen, quotes)


def test_shipped_model_finds_plain_speech_cues(pipeline: object) -> None:
    model = pipeline.lexicons.cue_model  # type: ignore[attr-defined]
    assert model is not None
    doc = pipeline.nlp("The mayor said the ferry would run. The ferry ran on Tuesday.")  # type: ignore[attr-defined]
    said = next(t for t in doc if t.lower_ == "said")
    ran = next(t for t in doc if t.lower_ == "ran")
    assert model.score(said) > 0.5 > model.score(ran)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_cue_model", ROOT / "scripts/train_cue_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_training_script_is_reproducible(tmp_path: Path) -> None:
    script = _script()
    out_a, out_b = tmp_path / "a.json", tmp_path / "b.json"
    cue_a, cue_b = tmp_path / "cue_a.json", tmp_path / "cue_b.json"
    for out, cue in ((out_a, cue_a), (out_b, cue_b)):
        assert script.main([str(FIXTURE_SPLIT), "-o", str(out), "--cue-extent-output", str(cue)]) == 0
    assert out_a.read_bytes() == out_b.read_bytes()
    assert cue_a.read_bytes() == cue_b.read_bytes()
    keys = {"_about", "examples", "positives", "weights"}  # counts and weights only
    payload = json.loads(out_a.read_text(encoding="utf-8"))
    assert payload["examples"] > 0 and payload["positives"] > 0
    assert set(payload) == keys
    assert set(json.loads(cue_a.read_text(encoding="utf-8"))) == keys


def test_reporting_verbs_pass_from_a_lower_probability(pipeline: object) -> None:
    from dataclasses import replace

    from claimgraph.attribution import attribute
    from claimgraph.attribution.cues import CUE_THRESHOLD, REPORTING_THRESHOLD
    from claimgraph.model import Document

    undecided = CueModel(weights={})  # every word gets probability 0.5
    assert REPORTING_THRESHOLD < undecided.probability(["bias"]) < CUE_THRESHOLD
    lex = replace(pipeline.lexicons, cue_model=undecided, cue_extent=None)  # type: ignore[attr-defined]
    assert "say" in lex.reporting and "hope" not in lex.reporting
    for text, found in (
        ("Ann Lusk said the pier was old.", True),
        ("Ann Lusk hoped the pier was old.", False),
    ):
        _, claims = attribute(Document(text=text), pipeline.nlp(text), lex)  # type: ignore[attr-defined]
        assert bool(claims) is found, text
