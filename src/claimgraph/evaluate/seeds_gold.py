"""Read a hand-made reference annotation in format ``gold/1`` (see ``../shared/eval/README.md``).

Only the parts scored today are read: ``noise``, ``sources`` and ``claims``. Events and
places are kept as raw counts so the report can say they are not scored yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimgraph.errors import EvalError
from claimgraph.evaluate.common import read_text

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
class GoldDocument:
    id: str
    file: Path  # resolved path of the article text
    noise: tuple[str, ...]
    sources: tuple[GoldSource, ...]
    claims: tuple[GoldClaim, ...]
    events: int
    places: int


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
        events=len(_objects(raw, "events", where)),
        places=len(_objects(raw, "places", where)),
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
