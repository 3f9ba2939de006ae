"""File exports of an Analysis. ``jsonl``: one object a line with a ``type`` field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from claimgraph.model import Analysis

# contract key -> record type
_TYPES = {
    "documents": "document",
    "sources": "source",
    "claims": "claim",
    "events": "event",
    "places": "place",
    "stories": "story",
    "assessments": "assessment",
}


def jsonl_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """The contract's objects, one per record, each tagged with its ``type``."""
    contract = analysis.to_json()
    for key, kind in _TYPES.items():
        for obj in contract[key]:
            yield {"type": kind, **obj}
