"""Agreement between PolNeAR's own annotators, scored like the system."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli
from claimgraph.errors import EvalError
from claimgraph.evaluate.agreement import annotator_agreement

SPLIT = Path(__file__).resolve().parent / "fixtures/eval/shared/eval/polnear/dev"


def test_second_annotator_is_scored_against_the_first() -> None:
    result = annotator_agreement(SPLIT)
    counts, figures = result.counts, result.figures
    # alpha is the only article marked twice: three attributions by aa01, one by bb02
    assert counts["polnear.agreement.documents"] == 1
    assert counts["polnear.agreement.gold"] == 3
    assert counts["polnear.agreement.predicted"] == 1
    assert counts["polnear.agreement.cue.exact.tp"] == 1
    # bb02 stopped the content early: the cue and source agree, the content does not
    assert counts["polnear.agreement.content.exact.tp"] == 0
    assert figures["polnear.agreement.cue.exact.precision"] == 1.0
    assert figures["polnear.agreement.cue.exact.recall"] == pytest.approx(1 / 3)
    assert 0 < figures["polnear.agreement.content.overlap.recall"] < 1
    assert all(not k.startswith("polnear.cue") for k in figures)  # never mistaken for system figures


def test_identical_annotations_agree_fully(tmp_path: Path) -> None:
    split = tmp_path / "split"
    (split / "attributions").mkdir(parents=True)
    shutil.copytree(SPLIT / "text", split / "text")
    ann = SPLIT / "attributions" / "beta_aa01.ann"
    shutil.copy(ann, split / "attributions" / "beta_aa01.ann")
    shutil.copy(ann, split / "attributions" / "beta_zz09.ann")
    result = annotator_agreement(split)
    assert result.counts["polnear.agreement.documents"] == 1
    for kind in ("cue", "source", "content"):
        assert result.figures[f"polnear.agreement.{kind}.exact.f1"] == 1.0


def test_a_split_without_attributions_is_refused(tmp_path: Path) -> None:
    (tmp_path / "text").mkdir()
    with pytest.raises(EvalError, match="attributions"):
        annotator_agreement(tmp_path)


def test_cli_prints_agreement_without_loading_the_pipeline() -> None:
    out = CliRunner().invoke(cli, ["eval", "polnear", str(SPLIT), "--agreement"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("PolNeAR annotator agreement")
    assert "polnear.agreement.cue.exact.f1" in out.output
