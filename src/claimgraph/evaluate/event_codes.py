"""Score CASE 2021 event codes on labelled snippets (``claimgraph eval events FILE``).

Inputs, one snippet of news text and its gold code each:

- JSONL: one object a line with ``text`` and ``label``;
- TSV: ``text<TAB>label`` a line (a first line ``text<TAB>label`` is a header);
- PLOVER gold records (a JSON array, ``PLOVER_GSR_CAMEO.json``): each record's
  ``text``, with its ``event`` (and ``mode``) mapped to a CASE code by the table in
  ``data/plover_case.json``; records of types that do not map cleanly are left out.

Figures: accuracy (share of snippets given the gold code), macro-F1 (the mean of
per-code F1 over the codes that occur in the gold), and per code precision, recall,
F1 and support. Lines that cannot be read are skipped and counted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import clip, f1, format_lines, ratio, read_text

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

PLOVER_MAP_FILE = "plover_case.json"

ClassifyMany = Callable[[Sequence[str]], list[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    label: str


def load_plover_map(path: Path | None = None) -> dict[str, str | dict[str, str]]:
    """The PLOVER -> CASE table (``path``, or the packaged ``data/plover_case.json``)."""
    try:
        if path is not None:
            raw = json.loads(path.read_text(encoding="utf-8"))
        else:
            raw = json.loads(
                resources.files("claimgraph").joinpath("data", PLOVER_MAP_FILE).read_text(encoding="utf-8")
            )
        table = raw["map"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EvalError(f"cannot read the PLOVER -> CASE table: {exc!r}") from exc
    if not isinstance(table, dict):
        raise EvalError("the PLOVER -> CASE table must be an object")
    return table


def plover_snippets(records: list[Any], table: dict[str, str | dict[str, str]]) -> list[Snippet]:
    """PLOVER records whose type (and mode) map to one CASE code, one snippet per distinct text."""
    codes: dict[str, set[str]] = {}
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            continue
        target = table.get(str(record.get("event")))
        code = target.get(str(record.get("mode") or "")) if isinstance(target, dict) else target
        if code:
            codes.setdefault(record["text"].strip(), set()).add(code)
    return [Snippet(text, next(iter(c))) for text, c in codes.items() if len(c) == 1]


def read_snippets(path: Path) -> tuple[list[Snippet], int]:
    """The labelled snippets of ``path`` (JSONL, TSV or PLOVER JSON) and the number of lines skipped."""
    text = read_text(path)
    if path.suffix == ".json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(records, list):
            raise EvalError(f"{path}: expected a JSON array of PLOVER records")
        return plover_snippets(records, load_plover_map()), 0
    out: list[Snippet] = []
    skipped = 0
    tsv = path.suffix in (".tsv", ".tab")
    for n, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        if tsv:
            parts = line.rsplit("\t", 1)
            if len(parts) != 2 or (n == 0 and parts == ["text", "label"]):
                skipped += n != 0 or len(parts) != 2
                continue
            sample, label = parts
        else:
            try:
                obj = json.loads(line)
                sample, label = str(obj["text"]), str(obj["label"])
            except (json.JSONDecodeError, KeyError, TypeError):
                skipped += 1
                continue
        if sample.strip() and label.strip():
            out.append(Snippet(sample.strip(), label.strip()))
        else:
            skipped += 1
    return out, skipped


@dataclass(slots=True)
class CodeScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(slots=True)
class EventCodesResult:
    source: str
    method: str
    accuracy: float
    macro_f1: float
    per_code: dict[str, CodeScores]
    snippets: int
    skipped: int
    errors: list[tuple[Snippet, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def figures(self) -> dict[str, float]:
        return {"events.codes.accuracy": self.accuracy, "events.codes.macro_f1": self.macro_f1}

    def format(self, verbose: bool = False) -> str:
        lines = [f"Event codes: {self.source} ({self.method})"]
        lines += format_lines(
            self.figures, {"events.codes.snippets": self.snippets, "events.codes.skipped": self.skipped}
        )
        if self.seconds:
            lines.append(
                f"{'events.codes.ms_per_snippet':<29}{1000 * self.seconds / max(self.snippets, 1):6.2f}"
            )
        lines.append(f"{'code':<32}{'P':>6}{'R':>6}{'F1':>6}{'n':>5}")
        for code, s in sorted(self.per_code.items()):
            lines.append(
                f"{code:<32}{100 * s.precision:6.1f}{100 * s.recall:6.1f}{100 * s.f1:6.1f}{s.support:5d}"
            )
        if verbose:
            lines.extend(f"  gold {s.label}, got {got}: {clip(s.text, 90)}" for s, got in self.errors)
        return "\n".join(lines)


def score_codes(
    snippets: Sequence[Snippet], predicted: Sequence[str]
) -> tuple[float, float, dict[str, CodeScores]]:
    """Accuracy, macro-F1 over the gold codes, and per-code scores (gold and predicted codes)."""
    if len(snippets) != len(predicted):
        raise EvalError("one prediction per snippet expected")
    codes = sorted({s.label for s in snippets} | set(predicted))
    per: dict[str, CodeScores] = {}
    for code in codes:
        tp = sum(1 for s, p in zip(snippets, predicted, strict=True) if s.label == code and p == code)
        gold = sum(1 for s in snippets if s.label == code)
        said = sum(1 for p in predicted if p == code)
        precision, recall = ratio(tp, said), ratio(tp, gold)
        per[code] = CodeScores(precision, recall, f1(precision, recall), gold)
    accuracy = ratio(sum(s.label == p for s, p in zip(snippets, predicted, strict=True)), len(snippets))
    gold_codes = [c for c in codes if per[c].support]
    macro = ratio(sum(per[c].f1 for c in gold_codes), len(gold_codes))
    return accuracy, macro, per


def evaluate_event_codes(path: Path, classify_many: ClassifyMany, method: str) -> EventCodesResult:
    """Read the snippets of ``path``, classify them, score the codes."""
    import time

    snippets, skipped = read_snippets(path)
    if not snippets:
        raise EvalError(f"{path}: no labelled snippets")
    started = time.perf_counter()
    predicted = [code for code, _ in classify_many([s.text for s in snippets])]
    seconds = time.perf_counter() - started
    accuracy, macro, per = score_codes(snippets, predicted)
    errors = [(s, p) for s, p in zip(snippets, predicted, strict=True) if s.label != p]
    return EventCodesResult(
        source=str(path),
        method=method,
        accuracy=accuracy,
        macro_f1=macro,
        per_code=per,
        snippets=len(snippets),
        skipped=skipped,
        errors=errors,
        seconds=seconds,
    )


def pipeline_classify_many(pipeline: Pipeline) -> ClassifyMany:
    """Classify snippets through the pipeline's events: the code of the most confident
    event detected in the snippet (taxonomy type plus cue words), else the cue rules alone."""
    from claimgraph.events.acled import AcledClassifier, load_labels
    from claimgraph.model import Document

    fallback = pipeline.acled if pipeline.acled is not None else AcledClassifier(labels=load_labels())

    def classify_many(texts: Sequence[str]) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        for result in pipeline.analyze_many([Document(text=t) for t in texts]):
            coded = [(e.confidence or 0.0, e.acled_code) for e in result.events if e.acled_code]
            if coded:
                confidence, code = max(coded)
                out.append((str(code), confidence))
            else:
                out.append(fallback.classify(result.document.text))
        return out

    return classify_many


# The untuned invented snippets shipped with the tests (relative to the repository root).
TEST_SNIPPETS = Path("tests") / "fixtures" / "events_test.jsonl"
PLOVER_RECORDS = Path("eval") / "events" / "PLOVER_GSR_CAMEO.json"


# Gate sets: name -> where its file lives ("shared" or "repo") and the file.
GATE_SETS = {"plover": ("shared", PLOVER_RECORDS), "test": ("repo", TEST_SNIPPETS)}
GATE_MEASURES = ("accuracy", "macro_f1")


def gate_figure_name(name: str, measure: str) -> str:
    """The gate's name for one measure of one evaluation set ('events.codes.plover.accuracy')."""
    return f"events.codes.{name}.{measure}"


def gate_figure_names() -> list[str]:
    """Every figure ``gate_figures`` can produce."""
    return [gate_figure_name(name, measure) for name in GATE_SETS for measure in GATE_MEASURES]


def gate_figures(shared_dir: Path, repo_dir: Path) -> dict[str, float]:
    """Event-code figures for the CI gate, with the cue rules (deterministic, no extra needed).

    Reads PLOVER's records under ``shared_dir`` and the untuned test snippets under
    ``repo_dir``; a missing file gives no figures for it.
    """
    from claimgraph.events.acled import make_classifier

    classify = make_classifier("rules").classify_many
    out: dict[str, float] = {}
    for name, (root, relative) in GATE_SETS.items():
        path = (shared_dir if root == "shared" else repo_dir) / relative
        if path.is_file():
            result = evaluate_event_codes(path, classify, "rules")
            figures = {"accuracy": result.accuracy, "macro_f1": result.macro_f1}
            out.update({gate_figure_name(name, m): figures[m] for m in GATE_MEASURES})
    return out
