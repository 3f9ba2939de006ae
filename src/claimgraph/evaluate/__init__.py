"""Evaluation against gold sets, and the CI gate that holds figures to pinned floors.

    seeds.py     noise, sources, claims and relay chains vs ``gold/1`` (seeds_gold.py reads it)
    polnear.py   attribution spans vs PolNeAR brat standoff (brat.py reads it)
    anonymity.py anonymous-source typing vs the project's annotation of PolNeAR dev sources
    event_codes.py  CASE 2021 / ACLED codes of event snippets (JSONL, TSV or PLOVER records)
    geo.py       toponym recognition and resolution (LGL, GeoVirus XML)
    stories.py   story clustering vs ``stories/1`` gold
    gate.py      all of them, checked against ``eval/floors.json``
    common.py    tokens, span lists, ratios, running the analysis, printing

Each evaluator takes the analysis as a function ``(documents) -> analyses`` (in
practice ``Pipeline.load().analyze_many``) and returns a result with flat
``figures`` (fractions), ``counts`` and ``format(verbose=False)``.
"""

from claimgraph.evaluate.common import AnalyzeFn
from claimgraph.evaluate.gate import check_floors, default_floors_path, format_gate, load_floors, run_gate
from claimgraph.evaluate.polnear import PolnearResult, evaluate_polnear, load_polnear
from claimgraph.evaluate.seeds import CLAIM_COVERAGE_MIN, SeedsResult, evaluate_seeds

__all__ = [
    "CLAIM_COVERAGE_MIN",
    "AnalyzeFn",
    "PolnearResult",
    "SeedsResult",
    "check_floors",
    "default_floors_path",
    "evaluate_polnear",
    "evaluate_seeds",
    "format_gate",
    "load_floors",
    "load_polnear",
    "run_gate",
]
