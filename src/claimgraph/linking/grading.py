"""Admiralty grades (NATO AJP-2.1): source reliability A–F and information credibility 1–6.

Reliability comes only from the user's outlet table (``data/outlet_reliability.json`` or a
file of the same format): the grade listed for the origin when the origin is an outlet
in the table, else the table's default, F ("reliability cannot be judged"). Nothing about
any outlet is written in code.

Credibility of one subject (an event cluster, or a group of claims saying the same thing):

    1  confirmed: two or more independent origins, at least one of them named
    2  probably true: two or more independent origins, all anonymous
    3  possibly true: one origin (an echo of one source stays here however many outlets
       carry it)
    6  cannot be judged: nobody identifiable speaks
    +1 (never past 5) when most of the claims are hedged by the reporting article, and
    +1 (never past 5) when a correction notice bears on it: for an event cluster, a
       document of the cluster that corrects itself, published after another report of it;
       for a claim group, also a correction in the same story by an outlet carrying it.

Every grade comes with reasons that name the documents, the relays and the origins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from claimgraph.attribution.lexicon import Lexicons
from claimgraph.errors import InputError
from claimgraph.linking.origins import Origins

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
RELIABILITY_MEANING = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY_MEANING = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}
# Share of a subject's claims hedged by their articles from which credibility drops a step.
HEDGED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class ReliabilityTable:
    """Outlet key -> (grade, note); ``default`` for every outlet not listed."""

    grades: dict[str, tuple[str, str]] = field(default_factory=dict)
    default: str = "F"

    def lookup(self, key: str) -> tuple[str, str | None]:
        """The grade of a source key and the table's note (None when the default applies)."""
        if key in self.grades:
            return self.grades[key]
        return self.default, None


def _problem(path: str, problem: str) -> InputError:
    return InputError(path, problem)


def parse_reliability_table(
    data: Any, lexicons: Lexicons, path: str = "outlet_reliability.json"
) -> ReliabilityTable:
    """A table from the decoded JSON (format in ``data/outlet_reliability.json``'s ``_about``)."""
    from claimgraph.linking.identity import outlet_key

    if not isinstance(data, dict):
        raise _problem(path, "expected a JSON object")
    default = data.get("default", "F")
    if default not in RELIABILITY_GRADES:
        raise _problem(path, f"'default' must be one of A-F, got {default!r}")
    rows = data.get("outlets", {})
    if not isinstance(rows, dict):
        raise _problem(path, "'outlets' must map outlet names to entries")
    grades: dict[str, tuple[str, str]] = {}
    for name, entry in rows.items():
        grade = entry.get("reliability") if isinstance(entry, dict) else entry
        if grade not in RELIABILITY_GRADES:
            raise _problem(path, f"outlet {name!r}: 'reliability' must be one of A-F, got {grade!r}")
        note = str(entry.get("note", "")) if isinstance(entry, dict) else ""
        grades[outlet_key(name, lexicons)] = (grade, note)
    return ReliabilityTable(grades=grades, default=default)


def load_reliability_table(lexicons: Lexicons, path: Path | None = None) -> ReliabilityTable:
    """Read the outlet table from ``path``, or the packaged (nearly empty) one."""
    try:
        if path is None:
            raw = resources.files("claimgraph").joinpath("data/outlet_reliability.json").read_text("utf-8")
            shown = "outlet_reliability.json"
        else:
            raw, shown = path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as error:
        raise _problem(str(path), f"cannot read the outlet table ({error})") from error
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise _problem(shown, f"invalid JSON: {error.msg} (line {error.lineno})") from error
    return parse_reliability_table(data, lexicons, shown)


def reliability(origins: Origins, table: ReliabilityTable) -> tuple[str, str]:
    """The best table grade among the origins, and the reason."""
    listed = [(table.lookup(o), o) for o in origins.origins if o in table.grades]
    if not listed:
        return table.default, (
            f"reliability {table.default} ({RELIABILITY_MEANING[table.default]}): "
            f"no origin ({', '.join(origins.origins)}) is listed in the outlet table"
        )
    (grade, note), key = min(listed, key=lambda x: x[0][0])
    tail = f"; note: {note}" if note else ""
    return grade, f"reliability {grade} ({RELIABILITY_MEANING[grade]}): {key} in the outlet table{tail}"


def credibility(origins: Origins, corrected_by: list[str]) -> tuple[str, list[str]]:
    """Credibility 1–6 of one subject and the reasons; ``corrected_by`` names correction documents."""
    named = {t.origin for t in origins.traces if t.named and t.origin in origins.origins}
    judgeable = any(t.judgeable for t in origins.traces if t.origin in origins.origins)
    n = origins.independent
    reasons: list[str] = []
    if not judgeable:
        return "6", [f"credibility 6 ({CREDIBILITY_MEANING['6']}): nobody identifiable speaks"]
    if n >= 2 and named:
        grade = 1
        reasons.append(
            f"{n} independent origins ({', '.join(origins.origins)}), named: {', '.join(sorted(named))}"
        )
    elif n >= 2:
        grade = 2
        reasons.append(f"{n} independent origins, all anonymous: not confirmed on the record")
    else:
        grade = 3
        kind = "named" if named else "anonymous"
        reports = len(origins.documents)
        reasons.append(
            f"one {kind} origin ({origins.origins[0]}) behind {reports} report(s): not confirmed"
            + (", an echo of one source" if reports > 1 else "")
        )
    hedged = sum(t.hedged for t in origins.traces)
    if hedged and hedged / len(origins.traces) > HEDGED_SHARE:
        grade = min(grade + 1, 5)
        reasons.append(f"{hedged} of {len(origins.traces)} claims are hedged by the reporting article")
    if corrected_by:
        grade = min(grade + 1, 5)
        reasons.append(f"a carrying outlet published a correction ({', '.join(corrected_by)})")
    label = str(grade)
    reasons.insert(0, f"credibility {label} ({CREDIBILITY_MEANING[label]})")
    return label, reasons
