"""Noise ranges on the two real seed articles, scored against their gold annotation.

Reads ``../shared/eval/seeds.gold.json`` and the seed files beside the repository;
skipped when ``../shared`` is absent. No article text is copied here: the test reads
every string it checks from the gold file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimgraph.clean import NoiseRules, clean, load_noise_rules
from claimgraph.ingest import read_path
from claimgraph.model import Document, Removed, Span

pytestmark = pytest.mark.shared

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "eval" / "seeds.gold.json"
# Copies of body text that may be removed as long as one copy of it stays.
COPY_REASONS = frozenset({"pull-quote", "pull-quote-credit", "repeated-title"})
# Stripped from both ends of a line or an evidence string before comparing them.
EDGE = " \u00a0.!?\"'“”‘’"


@pytest.fixture(scope="module")
def rules() -> NoiseRules:
    return load_noise_rules()


@pytest.fixture(scope="module")
def seeds(rules: NoiseRules) -> list[tuple[dict[str, Any], Document]]:
    if not GOLD.is_file():
        pytest.skip(f"shared evaluation data not found at {GOLD}")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    out = []
    for entry in gold["documents"]:
        items = list(read_path(str(SHARED / entry["file"])))
        assert len(items) == 1 and isinstance(items[0], Document), items
        out.append((entry, clean(items[0], rules)))
    assert out, f"no documents listed in {GOLD}"
    return out


def occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, at = [], text.find(needle)
    while at >= 0:
        spans.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return spans


def covered(document: Document, start: int, end: int) -> bool:
    """True when every character of [start, end) lies in some removed range."""
    return all(any(r.start <= i < r.end for r in document.removed) for i in range(start, end))


def covering(document: Document, start: int, end: int) -> list[Removed]:
    return [r for r in document.removed if r.start < end and start < r.end]


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped of surrounding whitespace."""
    out, position = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            start = position + len(raw) - len(raw.lstrip())
            out.append((start, start + len(raw.strip())))
        position += len(raw) + 1
    return out


def line_at(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


def next_line(text: str, position: int) -> tuple[int, int] | None:
    """The next non-blank line after the line holding ``position``, stripped."""
    _, end = line_at(text, position)
    while end < len(text):
        start, end = line_at(text, end + 1)
        content = text[start:end]
        if content.strip():
            offset = start + len(content) - len(content.lstrip())
            return offset, offset + len(content.strip())
    return None


def test_every_gold_noise_string_is_removed(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    for entry, document in seeds:
        for noise in entry["noise"]:
            found = occurrences(document.text, noise)
            assert found, f"{entry['id']}: gold noise not in text: {noise!r}"
            for start, end in found:
                assert covered(document, start, end), f"{entry['id']}: not removed: {noise!r}"


def test_second_printed_title_is_removed(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    checked = 0
    for entry, document in seeds:
        copies = occurrences(document.text, entry["title"])
        if len(copies) < 2:
            continue
        first, *rest = copies
        assert not document.is_removed(Span(*first))
        assert document.title == entry["title"]
        for start, end in rest:
            assert covered(document, start, end)
            assert {r.reason for r in covering(document, start, end)} == {"repeated-title"}
        checked += 1
    assert checked >= 1, "no seed prints its title twice any more"


def test_titles_match_gold(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    for entry, document in seeds:
        assert document.title == entry["title"], entry["id"]


def test_pull_quote_copy_and_credit_are_removed(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    """A claim printed again on a line of its own: that line and the credit after it go."""
    pull_quotes = 0
    for entry, document in seeds:
        text = document.text
        for claim in entry["claims"]:
            core = claim["evidence"].strip(EDGE)
            for line_start, line_end in lines(text):
                content = text[line_start:line_end]
                if content.strip(EDGE) != core or len(occurrences(text, core)) < 2:
                    continue
                pull_quotes += 1
                assert covered(document, line_start, line_end), f"{entry['id']}: pull quote kept"
                assert {r.reason for r in covering(document, line_start, line_end)} == {"pull-quote"}
                credit = next_line(text, line_start)
                assert credit is not None
                assert covered(document, *credit), f"{entry['id']}: credit kept"
                assert {r.reason for r in covering(document, *credit)} == {"pull-quote-credit"}
    assert pull_quotes >= 1, "no pull quote found in the seeds"


def test_gold_evidence_is_never_lost(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    """Claims and sources: no occurrence overlaps noise, except removed copies of body
    text (pull quotes, repeated titles), and one occurrence always stays."""
    for entry, document in seeds:
        for item in [*entry["claims"], *entry["sources"]]:
            evidence = item["evidence"]
            copies = occurrences(document.text, evidence)
            assert copies, f"{entry['id']}: evidence not in text: {evidence!r}"
            kept = 0
            for start, end in copies:
                overlapping = covering(document, start, end)
                if not overlapping:
                    kept += 1
                    continue
                reasons = {r.reason for r in overlapping}
                assert reasons <= COPY_REASONS, f"{entry['id']}: {evidence!r} removed as {reasons}"
                assert covered(document, start, end), f"{entry['id']}: {evidence!r} partly removed"
            assert kept >= 1, f"{entry['id']}: every copy of {evidence!r} removed"


def test_gold_places_keep_a_body_mention(seeds: list[tuple[dict[str, Any], Document]]) -> None:
    """Places mentioned in the body keep a mention; places the gold puts in noise lose all."""
    for entry, document in seeds:
        for place in entry["places"]:
            if place.get("noise"):
                for start, end in occurrences(document.text, place["evidence"]):
                    assert covered(document, start, end), f"{entry['id']}: {place['evidence']!r} kept"
                continue
            copies = occurrences(document.text, place["evidence"])
            assert any(not covering(document, start, end) for start, end in copies), (
                f"{entry['id']}: every mention of {place['evidence']!r} removed"
            )
