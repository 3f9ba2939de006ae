"""Read a hand-made reference annotation in format ``gold/1`` (see ``../shared/eval/README.md``).

Every scored part is read and checked: ``noise``, ``sources``, ``claims``, ``places``
(mention evidence, ISO country, feature code, coordinates; or ``noise: true`` for a
place name that is not article body) and ``events`` (places by mention, claims by id,
quantity, time interval). Fields that are not scored (event type, actor, equipment,
target, a place's name and note) are not read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import find_all, read_text
from claimgraph.model import Span

GOLD_FORMAT = "gold/1"


@dataclass(frozen=True, slots=True)
class GoldSource:
    id: str
    kind: str
    anonymous: bool
    evidence: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldClaim:
    id: str
    evidence: str
    mode: str
    chain: tuple[str, ...]
    hedged: bool


@dataclass(frozen=True, slots=True)
class GoldPlace:
    """A place mention; a ``noise`` place names text the system must not geoparse (no resolution)."""

    evidence: str
    noise: bool = False
    country: str | None = None
    feature: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class GoldEvent:
    id: str
    places: tuple[str, ...]  # place mentions (evidence strings)
    claims: tuple[str, ...]  # ids of the gold claims that report it
    quantity: float | None = None
    time: tuple[str | None, str | None] | None = None  # (start, end) ISO dates


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: str
    file: Path  # resolved path of the article text
    noise: tuple[str, ...]
    sources: tuple[GoldSource, ...]
    claims: tuple[GoldClaim, ...]
    events: tuple[GoldEvent, ...] = ()
    places: tuple[GoldPlace, ...] = ()


def _field(item: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = item.get(key)
    if not isinstance(value, kind):
        raise EvalError(f"{where}: field {key!r} must be a {kind.__name__}")
    return value


def _strings(item: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = item.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise EvalError(f"{where}: field {key!r} must be a list of strings")
    return tuple(values)


def _objects(item: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    values = item.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise EvalError(f"{where}: field {key!r} must be a list of objects")
    return values


def _number(item: dict[str, Any], key: str, where: str, *, required: bool) -> float | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvalError(f"{where}: field {key!r} must be a number")
    return float(value)


def _optional_str(item: dict[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise EvalError(f"{where}: field {key!r} must be a string")
    return value


def _place(raw: dict[str, Any], where: str) -> GoldPlace:
    evidence = _field(raw, "evidence", str, where)
    where = f"{where}: place {evidence!r}"
    noise = raw.get("noise", False)
    if not isinstance(noise, bool):
        raise EvalError(f"{where}: field 'noise' must be true or false")
    if noise:
        return GoldPlace(evidence=evidence, noise=True)
    return GoldPlace(
        evidence=evidence,
        country=_field(raw, "country", str, where),
        feature=_optional_str(raw, "feature", where),
        lat=_number(raw, "lat", where, required=True),
        lon=_number(raw, "lon", where, required=True),
    )


def _time(raw: dict[str, Any], where: str) -> tuple[str | None, str | None] | None:
    value = raw.get("time")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EvalError(f"{where}: field 'time' must be an object with 'start' and 'end'")
    start, end = _optional_str(value, "start", where), _optional_str(value, "end", where)
    if start is None and end is None:
        raise EvalError(f"{where}: field 'time' gives neither 'start' nor 'end'")
    return start, end


def _event(raw: dict[str, Any], where: str, claim_ids: set[str]) -> GoldEvent:
    event_id = _field(raw, "id", str, where)
    where = f"{where}: event {event_id}"
    claims = _strings(raw, "claims", where)
    unknown = [c for c in claims if c not in claim_ids]
    if unknown:
        raise EvalError(f"{where}: names unknown claims {unknown}")
    return GoldEvent(
        id=event_id,
        places=_strings(raw, "places", where),
        claims=claims,
        quantity=_number(raw, "quantity", where, required=False),
        time=_time(raw, where),
    )


def locate_evidence(text: str, evidence: str, removed: list[Span]) -> list[Span]:
    """Every occurrence of ``evidence`` outside the ``removed`` ranges, or all of them when every one is inside."""
    every = find_all(text, evidence)
    kept = [o for o in every if not any(o.overlaps(r) for r in removed)]
    return kept or every


def resolve_file(gold_path: Path, relative: str) -> Path:
    """Find ``relative`` beside the gold file or under the nearest ancestor directory that holds it.

    The seeds gold lives in ``shared/eval/`` and names files relative to ``shared/``;
    searching upwards accepts either layout without a setting.
    """
    for base in gold_path.resolve().parents:
        candidate = base / relative
        if candidate.is_file():
            return candidate
    raise EvalError(f"{gold_path}: document file {relative!r} not found beside it or above it")


def _document(raw: dict[str, Any], gold_path: Path, index: int) -> GoldDocument:
    where = f"{gold_path}: documents[{index}]"
    doc_id = _field(raw, "id", str, where)
    where = f"{gold_path}: document {doc_id}"
    sources = tuple(
        GoldSource(
            id=_field(s, "id", str, where),
            kind=_field(s, "kind", str, where),
            anonymous=_field(s, "anonymous", bool, where),
            evidence=_field(s, "evidence", str, where),
            aliases=_strings(s, "aliases", where),
        )
        for s in _objects(raw, "sources", where)
    )
    claims = tuple(
        GoldClaim(
            id=_field(c, "id", str, where),
            evidence=_field(c, "evidence", str, where),
            mode=_field(c, "mode", str, where),
            chain=_strings(c, "chain", where),
            hedged=_field(c, "hedged", bool, where),
        )
        for c in _objects(raw, "claims", where)
    )
    known = {s.id for s in sources}
    for claim in claims:
        unknown = [s for s in claim.chain if s not in known]
        if unknown:
            raise EvalError(f"{where}: claim {claim.id} chain names unknown sources {unknown}")
    return GoldDocument(
        id=doc_id,
        file=resolve_file(gold_path, _field(raw, "file", str, where)),
        noise=_strings(raw, "noise", where),
        sources=sources,
        claims=claims,
        events=tuple(_event(e, where, {c.id for c in claims}) for e in _objects(raw, "events", where)),
        places=tuple(_place(p, where) for p in _objects(raw, "places", where)),
    )


def load_gold(gold_path: Path) -> list[GoldDocument]:
    """Read and check a ``gold/1`` file; raises ``EvalError`` naming what is wrong."""
    try:
        raw = json.loads(read_text(gold_path))
    except json.JSONDecodeError as exc:
        raise EvalError(f"{gold_path}:{exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(raw, dict) or raw.get("format") != GOLD_FORMAT:
        raise EvalError(f"{gold_path}: not a {GOLD_FORMAT} file (field 'format')")
    return [_document(d, gold_path, i) for i, d in enumerate(_objects(raw, "documents", str(gold_path)))]
