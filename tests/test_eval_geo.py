"""The geoparsing harness on tiny synthetic files in the LGL and GeoVirus formats."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from claimgraph.errors import EvalError
from claimgraph.evaluate.geo import GoldArticle, GoldToponym, auc_of_errors, evaluate_geo, load_geo, score_geo
from claimgraph.model import Document, Place, Span
from claimgraph.places.gazetteer import distance_km

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "geo"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "geo"


def _place(document: Document, n: int, start: int, end: int, lat: float | None, lon: float | None) -> Place:
    return Place(
        id=f"{document.id}/p{n}",
        document=document.id,
        mention=Span(start, end),
        name=document.text[start:end],
        lat=lat,
        lon=lon,
    )


def test_lgl_format_exact_figures() -> None:
    def locate(document: Document) -> list[Place]:
        return [
            _place(document, 1, 0, 5, 48.85, 2.35),  # Paris, exact
            _place(document, 2, 12, 18, 46.0, 3.0),  # France, one degree of longitude off
            _place(document, 3, 25, 28, None, None),  # "too": a false positive
        ]

    result = evaluate_geo(FIXTURES / "lgl_tiny.xml", locate)
    d = distance_km(46.0, 2.0, 46.0, 3.0)
    f = result.figures
    assert result.counts == {"gold": 3, "predicted": 3, "matched": 2, "scored": 2, "failed": 0}
    assert f["precision"] == pytest.approx(2 / 3)
    assert f["recall"] == pytest.approx(2 / 3)
    assert f["f1"] == pytest.approx(2 / 3)
    assert f["acc@161"] == 1.0
    assert f["mean_error_km"] == pytest.approx(d / 2)
    assert f["median_error_km"] == pytest.approx(d / 2)
    assert f["auc"] == pytest.approx(math.log1p(d) / 2 / math.log(20039))
    assert "acc@161" in result.format()


def test_geovirus_offsets_shifted_by_one_are_reanchored() -> None:
    articles = load_geo(FIXTURES / "geovirus_tiny.xml")
    text = articles[0].text
    assert [text[t.span.start : t.span.end] for t in articles[0].toponyms] == ["Lima", "Cusco"]

    def locate(document: Document) -> list[Place]:
        lima = document.text.index("Lima")
        cusco = document.text.index("Cusco")
        return [
            _place(document, 1, lima, lima + 4, -12.05, -77.04),
            _place(document, 2, cusco, cusco + 5, -12.05, -77.04),
        ]

    result = evaluate_geo(FIXTURES / "geovirus_tiny.xml", locate)
    assert result.figures["precision"] == 1.0 and result.figures["recall"] == 1.0
    assert result.figures["acc@161"] == 0.5
    assert result.figures["median_error_km"] == pytest.approx(distance_km(-13.53, -71.97, -12.05, -77.04) / 2)


def test_a_failing_locator_counts_as_predicting_nothing() -> None:
    def broken(document: Document) -> list[Place]:
        raise RuntimeError("boom")

    result = evaluate_geo(FIXTURES / "lgl_tiny.xml", broken)
    assert result.counts["failed"] == 1
    assert result.figures["recall"] == 0.0


def test_auc_bounds() -> None:
    assert auc_of_errors([0.0, 0.0, 0.0]) == 0.0
    assert auc_of_errors([20039.0, 20039.0]) == pytest.approx(1.0, rel=1e-4)


def test_malformed_file_raises_eval_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<articles><article>", encoding="utf-8")
    with pytest.raises(EvalError):
        load_geo(bad)
    with pytest.raises(EvalError):
        load_geo(tmp_path / "missing.xml")


@pytest.mark.shared
def test_shared_corpora_parse() -> None:
    if not (SHARED / "lgl.xml").exists():
        pytest.skip(f"../shared evaluation data absent ({SHARED})")
    lgl = load_geo(SHARED / "lgl.xml")
    assert len(lgl) == 588
    assert sum(len(a.toponyms) for a in lgl) == 5088
    virus = load_geo(SHARED / "GeoVirus.xml")
    assert sum(len(a.toponyms) for a in virus) == 2170


def test_format_prints_auc_as_a_fraction_and_errors_in_km() -> None:
    result = score_geo(
        [GoldArticle(text="Lima", toponyms=[GoldToponym(Span(0, 4), "Lima", -12.05, -77.04)])],
        [[Place(id="d/p1", document="d", mention=Span(0, 4), name="Lima", lat=-13.53, lon=-71.97)]],
    )
    lines = {line.split()[0]: line.split()[1] for line in result.format().splitlines()}
    expected = math.log1p(distance_km(-12.05, -77.04, -13.53, -71.97)) / math.log(20039)
    assert float(lines["auc"]) == pytest.approx(expected, abs=5e-4)
    assert 0.0 < float(lines["auc"]) < 1.0
    assert lines["acc@161"] == "0.0%"
    assert float(lines["median_error_km"]) == pytest.approx(
        distance_km(-12.05, -77.04, -13.53, -71.97), abs=0.1
    )
