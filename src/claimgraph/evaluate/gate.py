"""The CI gate: run the seeds, PolNeAR dev and geoparsing evaluations and hold each figure to a pinned floor.

``eval/floors.json`` at the repository root maps figure names to the lowest accepted
value (fractions, as in ``Result.figures``). A figure below its floor fails the gate,
and so does a floored figure that no evaluator produced (a renamed figure must not
pass silently).

Anonymity typing is scored with the project's own annotation of PolNeAR dev sources
(``eval/anonymity/``), on the same analyses as PolNeAR (each article is analyzed once),
and event codes with the cue rules on PLOVER and the project's untuned test snippets.

Geoparsing runs on ``eval/geo/lgl.xml`` and ``eval/geo/GeoVirus.xml`` when they are
present; only its fractions where higher is better are gate figures
(``GEO_FIGURES``): errors in km and the AUC are printed by ``claimgraph eval geo``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.evaluate import anonymity, event_codes
from claimgraph.evaluate.common import AnalyzeFn, read_text
from claimgraph.evaluate.geo import LocateFn, evaluate_geo
from claimgraph.evaluate.polnear import evaluate_polnear
from claimgraph.evaluate.seeds import evaluate_seeds
from claimgraph.model import Document, DocumentAnalysis, Place

# Slack for floating-point noise when a figure equals its floor (figures are ratios of
# small integers; a real regression moves them by far more than this).
FLOOR_TOLERANCE = 1e-9

SEEDS_GOLD = Path("eval") / "seeds.gold.json"
POLNEAR_DEV = Path("eval") / "polnear" / "dev"
GEO_DIR = Path("eval") / "geo"
# Geo corpus file -> figure prefix.
GEO_CORPORA = {"lgl.xml": "geo.lgl", "GeoVirus.xml": "geo.geovirus"}
# ``GeoResult`` figure -> gate figure suffix (``acc@161`` loses its "@" to stay a plain name).
GEO_FIGURES = {"precision": "precision", "recall": "recall", "f1": "f1", "acc@161": "acc161"}


def default_floors_path() -> Path:
    """``eval/floors.json`` of the source checkout this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[3] / "eval" / "floors.json"


def load_floors(path: Path) -> dict[str, float]:
    """Read a floors file: one JSON object of figure name -> number in [0, 1]."""
    try:
        raw = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise EvalError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict):
        raise EvalError(f"{path}: expected an object of figure name -> floor")
    floors: dict[str, float] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise EvalError(f"{path}: floor of {name!r} must be a number between 0 and 1")
        floors[name] = float(value)
    return floors


def check_floors(figures: Mapping[str, float], floors: Mapping[str, float]) -> list[str]:
    """One message per floored figure that is missing or below its floor, in the floors' order."""
    failures: list[str] = []
    for name, floor in floors.items():
        value = figures.get(name)
        if value is None or math.isnan(value):
            failures.append(f"{name}: missing (floor {100 * floor:.1f}%)")
        elif value < floor - FLOOR_TOLERANCE:
            failures.append(f"{name}: {100 * value:.1f}% is below its floor {100 * floor:.1f}%")
    return failures


def places_of(analyze: AnalyzeFn) -> LocateFn:
    """A locator that runs the whole ``analyze`` on one document and keeps its places."""

    def locate(document: Document) -> list[Place]:
        return [p for result in analyze([document]) for p in result.places]

    return locate


def geo_figures(shared_dir: Path, locate: LocateFn) -> dict[str, float]:
    """``geo.<corpus>.<figure>`` for each corpus of ``GEO_CORPORA`` found in ``shared_dir/eval/geo``."""
    figures: dict[str, float] = {}
    for name, prefix in GEO_CORPORA.items():
        path = shared_dir / GEO_DIR / name
        if path.is_file():
            result = evaluate_geo(path, locate)
            figures.update({f"{prefix}.{short}": result.figures[key] for key, short in GEO_FIGURES.items()})
    return figures


def memoized(analyze: AnalyzeFn) -> AnalyzeFn:
    """``analyze`` that keeps each document's result by id, so two evaluations over the
    same articles (PolNeAR dev and its anonymity annotation) parse them once."""
    done: dict[str, DocumentAnalysis] = {}

    def run(documents: Sequence[Document]) -> Iterable[DocumentAnalysis]:
        todo = [d for d in documents if d.id not in done]
        if todo:
            for document, result in zip(todo, analyze(todo), strict=True):
                done[document.id] = result
        return [done[d.id] for d in documents]

    return run


def repository_dir() -> Path:
    """The source checkout this package was installed from (editable install)."""
    return default_floors_path().parents[1]


def run_gate(
    shared_dir: Path,
    analyze: AnalyzeFn,
    *,
    floors_path: Path | None = None,
    locate: LocateFn | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Evaluate on the seeds, PolNeAR dev and the geo corpora under ``shared_dir/eval``; check floors.

    ``floors_path`` defaults to ``default_floors_path()``. ``locate`` geoparses one
    document (``places.make_locator``); without it the places come from ``analyze``
    run on each article (the whole pipeline, slower, and the text is cleaned first).
    Returns every figure (seeds, PolNeAR, anonymity, event codes, then geo) and the failure messages (empty
    when the gate passes).
    """
    path = floors_path or default_floors_path()
    if not path.is_file():
        raise EvalError(f"{path}: floors file not found")
    floors = load_floors(path)
    figures = dict(evaluate_seeds(shared_dir / SEEDS_GOLD, analyze).figures)
    once = memoized(analyze)
    figures.update(evaluate_polnear(shared_dir / POLNEAR_DEV, once).figures)
    figures.update(anonymity.gate_figures(shared_dir, once))
    figures.update(event_codes.gate_figures(shared_dir, repository_dir()))
    figures.update(geo_figures(shared_dir, locate or places_of(analyze)))
    return figures, check_floors(figures, floors)


def format_gate(figures: Mapping[str, float], failures: list[str], floors: Mapping[str, float]) -> str:
    """Every figure with its floor (``-`` when none), then the verdict."""
    width = max((len(name) for name in figures), default=0) + 2
    lines = []
    for name, value in figures.items():
        floor = f"{100 * floors[name]:6.1f}%" if name in floors else "      -"
        lines.append(f"{name:<{width}}{100 * value:6.1f}%  floor {floor}")
    lines.extend(f"FAIL {failure}" for failure in failures)
    lines.append("gate: FAILED" if failures else "gate: passed")
    return "\n".join(lines)
