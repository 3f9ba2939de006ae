"""What the story page draws: the provenance graph, the event map and the timeline, as plain data.

Reads an ``Analysis`` (the story's documents, with the assessments about
them); returns coordinates and labels for the templates to draw as inline
SVG. Nothing here produces markup, so article text stays in the hands of
the escaping template.

- Graph: four columns, origins → relays → articles → claims, from
  ``export.provenance_graph``; a source that is the origin of any claim sits
  with the origins.
- Map: a marker per event place (and per other place) with coordinates,
  over the bundled world basemap (``basemap.project``), the view fitted to the markers.
- Timeline: events (by their time) and reports (by publication date) on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from claimgraph.export import Node, grade, grade_order, grades_by_subject, provenance_graph
from claimgraph.model import Analysis, DocumentAnalysis
from claimgraph.report import origin_of, shorten
from claimgraph.web.basemap import HEIGHT, WIDTH, project
from claimgraph.web.highlight import item_anchor

# Graph geometry in SVG user units: column spacing, row height, node box size.
GRAPH_COLUMN_WIDTH = 260
GRAPH_ROW_HEIGHT = 34
GRAPH_NODE_WIDTH = 220
GRAPH_NODE_HEIGHT = 26
GRAPH_LABEL_CHARS = 34
# Claims drawn in one graph; a story with more lists them on its documents' pages.
# 150 rows is about 5,000 px of graph, as far as anyone scrolls a diagram.
GRAPH_MAX_CLAIMS = 150
GRAPH_COLUMNS = ("origins", "relays", "articles", "claims")

# Smallest map view around the markers (degrees): a single place still shows its region.
MAP_MIN_SPAN_LON = 24.0
MAP_MIN_SPAN_LAT = 12.0
MAP_PADDING = 0.15  # fraction of the markers' extent added on every side

TIMELINE_WIDTH = 900
TIMELINE_HEIGHT = 70
TIMELINE_MARGIN = 40


@dataclass(slots=True)
class GraphNode:
    id: str
    column: int
    x: float
    y: float
    label: str
    title: str
    href: str
    kind: str
    anonymous: bool = False
    grade: str = ""


@dataclass(slots=True)
class GraphEdge:
    path: str  # SVG path data
    kind: str


@dataclass(slots=True)
class Graph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    width: float = 0
    height: float = 0
    omitted_claims: int = 0
    columns: list[tuple[str, float]] = field(default_factory=list)


def _node_href(node: Node, analysis: Analysis) -> str:
    if node.kind == "document" and node.document:
        return f"/documents/{node.document}"
    if node.kind == "claim" and node.document:
        da = next((d for d in analysis.documents if d.document.id == node.document), None)
        fragment = item_anchor(da, "claim", node.id.removeprefix("claim:")) if da else ""
        return f"/documents/{node.document}" + (f"#{fragment}" if fragment else "")
    return f"/sources/{node.id.removeprefix('source:')}"


def _origin_nodes(analysis: Analysis) -> set[str]:
    from claimgraph.export import source_node_id

    out: set[str] = set()
    for da in analysis.documents:
        for claim in da.claims:
            origin = origin_of(claim)
            if origin:
                out.add(source_node_id(da, origin))
    return out


def graph_layout(analysis: Analysis) -> Graph:
    """The provenance graph of ``analysis`` laid out in four columns."""
    limited = Analysis(
        documents=_limit_claims(analysis.documents, GRAPH_MAX_CLAIMS),
        stories=analysis.stories,
        assessments=analysis.assessments,
    )
    full = provenance_graph(limited)
    origins = _origin_nodes(limited)
    columns: list[list[Node]] = [[], [], [], []]
    for node in full.nodes.values():
        if node.kind == "source":
            columns[0 if node.id in origins else 1].append(node)
        else:
            columns[2 if node.kind == "document" else 3].append(node)
    graph = Graph(omitted_claims=sum(len(d.claims) for d in analysis.documents) - len(columns[3]))
    where: dict[str, GraphNode] = {}
    for c, nodes in enumerate(columns):
        for r, node in enumerate(nodes):
            placed = GraphNode(
                id=node.id,
                column=c,
                x=c * GRAPH_COLUMN_WIDTH + 10,
                y=r * GRAPH_ROW_HEIGHT + 30,
                label=shorten(node.label, GRAPH_LABEL_CHARS),
                title=node.label,
                href=_node_href(node, limited),
                kind=node.kind,
                anonymous=node.anonymous,
                grade=node.grade,
            )
            where[node.id] = placed
            graph.nodes.append(placed)
    for edge in full.edges.values():
        a, b = where.get(edge.source), where.get(edge.target)
        if a is None or b is None:
            continue
        graph.edges.append(GraphEdge(_edge_path(a, b), edge.kind))
    rows = max((len(c) for c in columns), default=0)
    graph.width = len(columns) * GRAPH_COLUMN_WIDTH
    graph.height = rows * GRAPH_ROW_HEIGHT + 40
    graph.columns = [(name, i * GRAPH_COLUMN_WIDTH + 10) for i, name in enumerate(GRAPH_COLUMNS)]
    return graph


def _edge_path(a: GraphNode, b: GraphNode) -> str:
    """A curve from the right side of ``a`` to the left side of ``b`` (a loop out to the right within a column)."""
    y1, y2 = a.y + GRAPH_NODE_HEIGHT / 2, b.y + GRAPH_NODE_HEIGHT / 2
    if a.column == b.column:
        x = a.x + GRAPH_NODE_WIDTH
        bulge = x + 30
        return f"M{x:.0f} {y1:.0f} C{bulge:.0f} {y1:.0f} {bulge:.0f} {y2:.0f} {x:.0f} {y2:.0f}"
    x1, x2 = a.x + GRAPH_NODE_WIDTH, b.x
    mid = (x1 + x2) / 2
    return f"M{x1:.0f} {y1:.0f} C{mid:.0f} {y1:.0f} {mid:.0f} {y2:.0f} {x2:.0f} {y2:.0f}"


def _limit_claims(documents: list[DocumentAnalysis], limit: int) -> list[DocumentAnalysis]:
    out: list[DocumentAnalysis] = []
    left = limit
    for da in documents:
        kept = da.claims[: max(left, 0)]
        left -= len(kept)
        out.append(
            DocumentAnalysis(
                document=da.document,
                sources=da.sources,
                claims=kept,
                events=da.events,
                places=da.places,
                produced_by=da.produced_by,
            )
        )
    return out


# --- map ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Marker:
    x: float
    y: float
    label: str
    href: str
    kind: str  # event | place
    grade: str = ""


@dataclass(slots=True)
class MapView:
    markers: list[Marker]
    view_box: str
    radius: float


def map_view(analysis: Analysis) -> MapView:
    """Markers for every event place and other place with coordinates, and a view that fits them."""
    grades = grades_by_subject(analysis.assessments)
    markers: list[Marker] = []
    for da in analysis.documents:
        places = {p.id: p for p in da.places}
        base = f"/documents/{da.document.id}"
        at_events: set[str] = set()
        for i, event in enumerate(da.events):
            event_grades = sorted((grade(a) for a in grades.get(event.id, ())), key=grade_order)
            for place_id in event.places:
                place = places.get(place_id)
                if place is None or place.lat is None or place.lon is None:
                    continue
                at_events.add(place_id)
                x, y = project(place.lon, place.lat)
                markers.append(
                    Marker(
                        x,
                        y,
                        f"{event.type} at {place.name}",
                        f"{base}#event-{i}",
                        "event",
                        event_grades[0] if event_grades else "",
                    )
                )
        for i, place in enumerate(da.places):
            if place.id in at_events or place.lat is None or place.lon is None:
                continue
            x, y = project(place.lon, place.lat)
            markers.append(Marker(x, y, place.name, f"{base}#place-{i}", "place"))
    return MapView(markers, _fit(markers), _radius(markers))


def _fit(markers: list[Marker]) -> str:
    if not markers:
        return f"0 0 {WIDTH} {HEIGHT}"
    xs, ys = [m.x for m in markers], [m.y for m in markers]
    width = max(max(xs) - min(xs), MAP_MIN_SPAN_LON) * (1 + 2 * MAP_PADDING)
    height = max(max(ys) - min(ys), MAP_MIN_SPAN_LAT) * (1 + 2 * MAP_PADDING)
    width, height = min(width, WIDTH), min(height, HEIGHT)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    x0 = min(max(cx - width / 2, 0), WIDTH - width)
    y0 = min(max(cy - height / 2, 0), HEIGHT - height)
    return f"{x0:.2f} {y0:.2f} {width:.2f} {height:.2f}"


def _radius(markers: list[Marker]) -> float:
    box = [float(v) for v in _fit(markers).split()]
    return round(box[2] / 90, 3)


# --- timeline ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class TimelineItem:
    day: str
    label: str
    href: str
    kind: str  # event | report
    x: float = 0.0


@dataclass(slots=True)
class Timeline:
    items: list[TimelineItem]
    first: str = ""
    last: str = ""
    width: int = TIMELINE_WIDTH
    height: int = TIMELINE_HEIGHT


def parse_day(value: str | None) -> date | None:
    """The day an ISO 8601 date or datetime (or a year-month, or a year) starts on; None otherwise."""
    if not value:
        return None
    head = value.strip()[:10]
    for candidate in (head, head[:7] + "-01", head[:4] + "-01-01"):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            continue
    return None


def timeline(analysis: Analysis) -> Timeline:
    """Events by their time and reports by their publication date, placed on one axis."""
    dated: list[tuple[date, TimelineItem]] = []
    for da in analysis.documents:
        doc = da.document
        day = parse_day(doc.published)
        if day is not None:
            label = f"{doc.outlet or 'report'}: {shorten(doc.title or doc.id, 80)}"
            dated.append((day, TimelineItem(day.isoformat(), label, f"/documents/{doc.id}", "report")))
        for i, event in enumerate(da.events):
            event_day = parse_day(event.time.start if event.time else None)
            if event_day is not None:
                dated.append(
                    (
                        event_day,
                        TimelineItem(
                            event_day.isoformat(), event.type, f"/documents/{doc.id}#event-{i}", "event"
                        ),
                    )
                )
    if not dated:
        return Timeline([])
    dated.sort(key=lambda pair: (pair[0], pair[1].kind))
    first, last = dated[0][0], dated[-1][0]
    span = max((last - first).days, 1)
    usable = TIMELINE_WIDTH - 2 * TIMELINE_MARGIN
    for day, item in dated:
        item.x = TIMELINE_MARGIN + usable * (day - first).days / span
    return Timeline([item for _, item in dated], first.isoformat(), last.isoformat())
