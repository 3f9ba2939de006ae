"""Geoparsing evaluation on the XML corpora of the "Pragmatic Guide to Geoparsing Evaluation".

Two formats are read (``../shared/eval/README.md``, geo section):

- LGL: ``article/text`` and ``toponyms/toponym`` with ``start``, ``end``,
  ``phrase`` and an optional ``gaztag`` holding ``lat``/``lon``.
- GeoVirus: ``article/text`` and ``locations/location`` with ``name``,
  ``start``, ``end``, ``lat``, ``lon``; most offsets are one character off.

A gold offset that does not frame its name is re-anchored on the nearest
occurrence of the name within ``REANCHOR_WINDOW`` characters, so both formats
are then scored by span overlap.

Figures (fractions in [0, 1] except the errors in km):

- recognition precision, recall, F1: a predicted place matches at most one gold
  toponym whose span it overlaps (one-to-one, in text order);
- over matched pairs whose gold has coordinates: ``acc@161`` (share with error
  at most 161 km), ``mean_error_km``, ``median_error_km`` and ``auc``, the area
  under the curve of log errors as the Pragmatic Guide defines it::

      auc = trapz(sorted(ln(1 + e_i)), i = 0 .. n-1) / (ln(20039) * (n - 1))

  where ``e_i`` are the errors in km and 20,039 km is half the Earth's
  circumference (the largest possible error); 0 is perfect, 1 the worst. A
  matched prediction without coordinates counts as the largest error.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimgraph.errors import EvalError
from claimgraph.model import Document, Place, Span
from claimgraph.places.gazetteer import distance_km

LocateFn = Callable[[Document], Sequence[Place]]

ACCURACY_KM = 161.0
MAX_ERROR_KM = 20039.0
# How far a gold offset may be from its name before it is re-anchored (GeoVirus is off by one).
REANCHOR_WINDOW = 5


@dataclass(frozen=True, slots=True)
class GoldToponym:
    span: Span
    name: str
    lat: float | None
    lon: float | None


@dataclass(slots=True)
class GoldArticle:
    text: str
    toponyms: list[GoldToponym]
    id: str = ""


@dataclass(slots=True)
class GeoResult:
    """Figures of one run; ``format()`` prints them."""

    figures: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def format(self, verbose: bool = False) -> str:
        lines = []
        for name, value in self.figures.items():
            if name.endswith("_km"):
                lines.append(f"{name:<18} {value:10.1f}")
            elif name == "auc":
                lines.append(
                    f"{name:<18} {value:10.3f}  (area under the log-error curve; 0 is best, 1 worst)"
                )
            else:
                lines.append(f"{name:<18} {100 * value:9.1f}%")
        if verbose:
            lines.extend(f"{name:<18} {value:10d}" for name, value in self.counts.items())
            lines.append(f"{'seconds':<18} {self.seconds:10.1f}")
        return "\n".join(lines)


def _float(node: ET.Element | None, tag: str) -> float | None:
    if node is None:
        return None
    value = node.findtext(tag)
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _reanchor(text: str, start: int, end: int, name: str) -> Span | None:
    """The span of ``name`` at or nearest to ``start`` (None when the name is nowhere near)."""
    if not name or text[start:end] == name:
        return Span(start, end) if 0 <= start <= end <= len(text) else None
    for delta in range(1, REANCHOR_WINDOW + 1):
        for s in (start - delta, start + delta):
            if s >= 0 and text[s : s + len(name)] == name:
                return Span(s, s + len(name))
    return None


def _toponym(text: str, node: ET.Element) -> GoldToponym | None:
    name = (node.findtext("phrase") or node.findtext("name") or "").strip()
    try:
        start, end = int(node.findtext("start") or ""), int(node.findtext("end") or "")
    except ValueError:
        return None
    span = _reanchor(text, start, end, name)
    if span is None:
        return None
    coords = node.find("gaztag") if node.find("gaztag") is not None else node
    return GoldToponym(span, name, _float(coords, "lat"), _float(coords, "lon"))


def load_geo(xml_path: Path) -> list[GoldArticle]:
    """Read an LGL- or GeoVirus-format file; toponyms whose offsets cannot be placed are dropped."""
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise EvalError(f"{xml_path}: cannot read geo gold ({exc})") from exc
    articles = []
    for k, node in enumerate(root.iter("article")):
        text = node.findtext("text") or ""
        nodes = [n for n in node.iter() if n.tag in ("toponym", "location")]
        found = [t for t in (_toponym(text, n) for n in nodes) if t is not None]
        articles.append(GoldArticle(text=text, toponyms=found, id=node.get("docid") or str(k)))
    if not articles:
        raise EvalError(f"{xml_path}: no <article> elements")
    return articles


def auc_of_errors(errors: Sequence[float]) -> float:
    """Area under the sorted ln(1 + error) curve, normalised by ln(20039) (see module docstring)."""
    if len(errors) < 2:
        return math.log1p(errors[0]) / math.log(MAX_ERROR_KM) if errors else 0.0
    ys = sorted(math.log1p(e) for e in errors)
    area = sum((a + b) / 2 for a, b in itertools.pairwise(ys))
    return area / (math.log(MAX_ERROR_KM) * (len(ys) - 1))


def _match(gold: Sequence[GoldToponym], predicted: Sequence[Place]) -> list[tuple[GoldToponym, Place]]:
    pairs = []
    used: set[int] = set()
    for place in sorted(predicted, key=lambda p: (p.mention.start, p.mention.end)):
        for k, toponym in enumerate(gold):
            if k not in used and toponym.span.overlaps(place.mention):
                used.add(k)
                pairs.append((toponym, place))
                break
    return pairs


def score_geo(articles: Sequence[GoldArticle], predictions: Sequence[Sequence[Place]]) -> GeoResult:
    """Figures for ``predictions[i]`` against ``articles[i]``."""
    n_gold = n_pred = n_match = 0
    errors: list[float] = []
    for article, predicted in zip(articles, predictions, strict=True):
        n_gold += len(article.toponyms)
        n_pred += len(predicted)
        pairs = _match(article.toponyms, predicted)
        n_match += len(pairs)
        for toponym, place in pairs:
            if toponym.lat is None or toponym.lon is None:
                continue
            if place.lat is None or place.lon is None:
                errors.append(MAX_ERROR_KM)
            else:
                errors.append(distance_km(toponym.lat, toponym.lon, place.lat, place.lon))
    precision = n_match / n_pred if n_pred else 0.0
    recall = n_match / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    figures = {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "acc@161": sum(e <= ACCURACY_KM for e in errors) / len(errors) if errors else 0.0,
        "mean_error_km": statistics.fmean(errors) if errors else 0.0,
        "median_error_km": statistics.median(errors) if errors else 0.0,
        "auc": auc_of_errors(errors),
    }
    counts = {"gold": n_gold, "predicted": n_pred, "matched": n_match, "scored": len(errors)}
    return GeoResult(figures=figures, counts=counts)


def evaluate_geo(xml_path: Path | str, locate_fn: LocateFn) -> GeoResult:
    """Run ``locate_fn`` on every article of ``xml_path`` and score it; an article that raises predicts nothing."""
    articles = load_geo(Path(xml_path))
    started = time.perf_counter()
    predictions: list[Sequence[Place]] = []
    failed = 0
    for article in articles:
        document = Document(text=article.text, path=f"{xml_path}#{article.id}")
        try:
            predictions.append(list(locate_fn(document)))
        except Exception:  # one bad article must not end the run; counted in ``failed``
            failed += 1
            predictions.append([])
    result = score_geo(articles, predictions)
    result.counts["failed"] = failed
    result.seconds = time.perf_counter() - started
    return result
