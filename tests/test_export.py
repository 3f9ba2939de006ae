"""Exports of a store: csv (claims), jsonl (contract records), geojson (events), graphml (provenance)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimgraph.errors import ClaimgraphError
from claimgraph.export import CSV_COLUMNS, export_chunks, jsonl_records, provenance_graph
from claimgraph.model import Analysis, Claim, Document, DocumentAnalysis, Event, Place, Source, Story
from claimgraph.store import open_store
from spans import at

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def _report(n: int) -> DocumentAnalysis:
    """A fictional report in which the Lantern Post relays a harbour official, who names a place."""
    text = f'The Lantern Post reported that a harbour official said "the Orrin dock closed at dawn {n}".\x01'
    doc = Document(
        text=text, title=f"Dock report {n}", outlet="Lantern Post", published=f"2032-01-{n + 1:02d}"
    )
    d = doc.id
    post = Source(
        f"{d}/s1",
        d,
        "outlet",
        False,
        [at(text, "The Lantern Post")],
        name="Lantern Post",
        key="lantern-post",
    )
    official = Source(
        f"{d}/s2", d, "anonymous", True, [at(text, "a harbour official")], descriptor="a harbour official"
    )
    claim = Claim(
        f"{d}/c1", d, [at(text, f"the Orrin dock closed at dawn {n}")], [at(text, "said")],
        [at(text, "a harbour official")], chain=[post.id, official.id], mode="quote", hedged=False,
        source=official.id,
    )  # fmt: skip
    place = Place(f"{d}/p1", d, at(text, "Orrin"), "Orrin <dock> & co", lat=12.5, lon=-3.25)
    nowhere = Place(f"{d}/p2", d, at(text, "dawn"), "Dawn")
    event = Event(f"{d}/e1", d, "closure", trigger=at(text, "closed"), places=[place.id, nowhere.id])
    return DocumentAnalysis(doc, [post, official], [claim], [event], [place, nowhere])


N_REPORTS = 5


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("export") / "export.db")
    with open_store(url) as store:
        for n in range(N_REPORTS):
            store.save(_report(n))
        store.save_cross([Story("st1", [_report(0).document.id], [], "Docks")], [])
    return url


def _export(
    url: str, fmt: str, batch: int | None = None, monkeypatch: pytest.MonkeyPatch | None = None
) -> str:
    if batch is not None and monkeypatch is not None:
        monkeypatch.setattr("claimgraph.export.EXPORT_BATCH", batch)
    with open_store(url) as store:
        return "".join(export_chunks(store, fmt))


def test_jsonl_matches_the_in_memory_records(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    streamed = [json.loads(line) for line in _export(store_url, "jsonl", 2, monkeypatch).splitlines()]
    with open_store(store_url) as store:
        analysis = store.load()
    expected = list(jsonl_records(analysis))
    key = lambda r: (r["type"], r["id"])  # noqa: E731
    assert sorted(streamed, key=key) == sorted(expected, key=key)
    assert sum(1 for r in streamed if r["type"] == "document") == N_REPORTS
    assert [r["type"] for r in streamed].count("story") == 1


def test_csv_has_one_row_per_claim(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = list(csv.reader(io.StringIO(_export(store_url, "csv", 2, monkeypatch))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]]
    assert len(body) == N_REPORTS
    first = body[0]
    assert first["source"] == "a harbour official" and first["anonymous"] == "yes"
    assert first["chain"] == "Lantern Post → a harbour official"
    assert first["content"] == "the Orrin dock closed at dawn 0"


def test_geojson_has_events_at_places_with_coordinates(store_url: str) -> None:
    collection = json.loads(_export(store_url, "geojson"))
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == N_REPORTS  # the place without coordinates is left out
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [-3.25, 12.5]}
    assert features[0]["properties"]["type"] == "closure"


def test_graphml_parses_and_merges_keyed_sources(store_url: str) -> None:
    root = ET.fromstring(_export(store_url, "graphml"))
    graph = root.find(f"{GRAPHML}graph")
    assert graph is not None
    nodes = graph.findall(f"{GRAPHML}node")
    edges = graph.findall(f"{GRAPHML}edge")
    ids = [n.get("id") for n in nodes]
    assert len(ids) == len(set(ids))
    # one shared outlet node, one official per document, one document and one claim per report
    assert ids.count("source:lantern-post") == 1
    assert len(nodes) == 1 + 3 * N_REPORTS
    relations = [e.find(f"{GRAPHML}data").text for e in edges]  # type: ignore[union-attr]
    assert relations.count("relays") == N_REPORTS and relations.count("reports") == N_REPORTS
    assert relations.count("states") == N_REPORTS
    ids_set = set(ids)
    assert all(e.get("source") in ids_set and e.get("target") in ids_set for e in edges)


def test_provenance_graph_runs_origin_to_claim() -> None:
    da = _report(7)
    graph = provenance_graph(Analysis([da]))
    d = da.document.id
    assert ("source:" + da.sources[1].id, "source:lantern-post") in graph.edges
    assert ("source:lantern-post", f"document:{d}") in graph.edges
    assert (f"document:{d}", f"claim:{d}/c1") in graph.edges


def test_unknown_format_is_refused(store_url: str) -> None:
    with open_store(store_url) as store, pytest.raises(ClaimgraphError):
        export_chunks(store, "xlsx")


def test_cli_export_writes_a_file(store_url: str, tmp_path: Path) -> None:
    import click
    from click.testing import CliRunner

    from claimgraph.cli_web import register

    @click.group()
    def cli() -> None:
        pass

    register(cli)
    out = tmp_path / "claims.csv"
    result = CliRunner().invoke(cli, ["export", "--db", store_url, "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") == N_REPORTS + 1
    bad = CliRunner().invoke(cli, ["export", "--db", store_url, "--format", "pdf"])
    assert bad.exit_code == 2
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "--token" in help_text and "--db" in help_text


def test_jsonl_event_keeps_its_own_type_apart_from_the_record_type() -> None:
    from claimgraph.export import jsonl_records
    from claimgraph.model import Analysis, Document, DocumentAnalysis, Event

    text = "Troops moved to the border, the ministry said."
    doc = Document(text=text)
    event = Event(id=f"{doc.id}/e1", document=doc.id, type="deployment")
    records = list(jsonl_records(Analysis(documents=[DocumentAnalysis(document=doc, events=[event])])))
    (record,) = [r for r in records if r["type"] == "event"]
    assert record["event_type"] == "deployment"
