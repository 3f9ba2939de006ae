"""The CI gate: run the seeds and PolNeAR dev evaluations and hold each figure to a pinned floor.

``eval/floors.json`` at the repository root maps figure names to the lowest accepted
value (fractions, as in ``Result.figures``). A figure below its floor fails the gate,
and so does a floored figure that no evaluator produced (a renamed figure must not
pass silently).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import AnalyzeFn, read_text
from claimgraph.evaluate.polnear import evaluate_polnear
from claimgraph.evaluate.seeds import evaluate_seeds

# Slack for floating-point noise when a figure equals its floor (figures are ratios of
# small integers; a real regression moves them by far more than this).
FLOOR_TOLERANCE = 1e-9

SEEDS_GOLD = Path("eval") / "seeds.gold.json"
POLNEAR_DEV = Path("eval") / "polnear" / "dev"


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


def run_gate(
    shared_dir: Path, analyze: AnalyzeFn, *, floors_path: Path | None = None
) -> tuple[dict[str, float], list[str]]:
    """Evaluate on ``shared_dir/eval/seeds.gold.json`` and ``shared_dir/eval/polnear/dev``; check floors.

    ``floors_path`` defaults to ``default_floors_path()``. Returns every figure (seeds
    first, then PolNeAR) and the failure messages (empty when the gate passes).
    """
    path = floors_path or default_floors_path()
    if not path.is_file():
        raise EvalError(f"{path}: floors file not found")
    floors = load_floors(path)
    figures = dict(evaluate_seeds(shared_dir / SEEDS_GOLD, analyze).figures)
    figures.update(evaluate_polnear(shared_dir / POLNEAR_DEV, analyze).figures)
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
