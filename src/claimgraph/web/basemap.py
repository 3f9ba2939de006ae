"""The offline world basemap: an SVG drawn once, at build time, from Natural Earth via world-atlas.

The story map needs a world to put its markers on without fetching tiles.
``static/world-110m.svg`` is that world: the 1:110m country outlines of
Natural Earth (public domain) as packaged in npm's ``world-atlas`` 2.0.2
(TopoJSON, ISC licence; copyright notice kept inside the SVG), drawn in the
plate carrée projection that ``project`` uses for markers. Regenerate it with::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m claimgraph.web.basemap package/countries-110m.json src/claimgraph/web/static/world-110m.svg

Reads a TopoJSON file; writes an SVG file. Nothing here runs at import.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The SVG's user space: one unit per degree, x = lon + 180, y = 90 - lat.
WIDTH = 360
HEIGHT = 180
# Coordinates are written with this many decimals: 0.1° is about 11 km, finer
# than the 1:110m outlines themselves (their vertices are tens of km apart).
DECIMALS = 1
# A jump in longitude larger than this between consecutive vertices crosses
# the antimeridian: the ring is broken there instead of drawn across the map.
ANTIMERIDIAN_JUMP = 180.0

WORLD_ATLAS_NOTICE = (
    "Country outlines: Natural Earth 1:110m (public domain), via world-atlas 2.0.2, "
    "Copyright 2013-2019 Michael Bostock, ISC licence: permission to use, copy, modify, and/or "
    "distribute this software for any purpose with or without fee is hereby granted, provided that "
    "the above copyright notice and this permission notice appear in all copies."
)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map coordinates to the basemap's user space (plate carrée, y down)."""
    return lon + 180.0, 90.0 - lat


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) vertices of every arc, undoing delta encoding and quantization."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _rings(
    geometry: dict[str, Any], arcs: list[list[tuple[float, float]]]
) -> Iterator[list[tuple[float, float]]]:
    if geometry.get("type") == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return
    for polygon in polygons:
        for ring in polygon:
            yield _ring(ring, arcs)


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """``ring`` with longitudes shifted by 360° where it crosses the antimeridian, so it stays whole."""
    out: list[tuple[float, float]] = []
    shift = 0.0
    for i, (lon, lat) in enumerate(ring):
        if i and abs(lon + shift - out[-1][0]) > ANTIMERIDIAN_JUMP:
            shift += 360.0 if out[-1][0] > lon + shift else -360.0
        out.append((lon + shift, lat))
    return out


def _path_data(rings: Iterator[list[tuple[float, float]]]) -> str:
    """SVG path data; a ring reaching past ±180° is drawn again shifted by 360° to show the rest."""
    parts: list[str] = []
    for ring in rings:
        unwrapped = _unwrap(ring)
        shifts = [0.0]
        if any(lon > 180.0 for lon, _ in unwrapped):
            shifts.append(-360.0)
        if any(lon < -180.0 for lon, _ in unwrapped):
            shifts.append(360.0)
        for shift in shifts:
            for i, (lon, lat) in enumerate(unwrapped):
                x, y = project(lon + shift, lat)
                parts.append(f"{'L' if i else 'M'}{x:.{DECIMALS}f} {y:.{DECIMALS}f}")
            parts.append("Z")
    return "".join(parts)


def topojson_to_svg(topology: dict[str, Any], layer: str = "countries") -> str:
    """An SVG document with one ``<path>`` per geometry of ``layer`` (title: its name)."""
    from xml.sax.saxutils import escape

    arcs = _decode_arcs(topology)
    paths = []
    for geometry in topology["objects"][layer]["geometries"]:
        data = _path_data(_rings(geometry, arcs))
        if data:
            name = escape(str((geometry.get("properties") or {}).get("name", "")))
            paths.append(f'<path d="{data}"><title>{name}</title></path>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH * 4}" height="{HEIGHT * 4}">\n'
        f"<!-- {escape(WORLD_ATLAS_NOTICE)} -->\n"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef4f8"/>\n'
        '<g fill="#dcdcd2" stroke="#8a8a80" stroke-width="0.15" stroke-linejoin="round">\n'
        + "\n".join(paths)
        + "\n</g>\n</svg>\n"
    )


def main(argv: list[str]) -> int:
    """``python -m claimgraph.web.basemap TOPOJSON OUT.svg``."""
    if len(argv) != 2:
        print("usage: python -m claimgraph.web.basemap TOPOJSON OUT.svg", file=sys.stderr)
        return 2
    topology = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(topojson_to_svg(topology), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
