"""The web app and JSON API over a temporary SQLite store of fictional, hand-built analyses.

No parser is loaded: the analyses are built in memory (``webstore``), except
for the token test, which hands the app a stub pipeline.
"""

from __future__ import annotations

import html.parser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from claimgraph.model import (
    Document,
    DocumentAnalysis,
    Story,
)
from claimgraph.store import open_store
from claimgraph.web.app import CSP, create_app
from webstore import HOSTILE, N_DOCUMENTS, Fixture, ferry_analysis, fill_store


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    path = tmp_path_factory.mktemp("web") / "web.db"
    return fill_store(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def client(filled: Fixture) -> Any:
    with TestClient(create_app(filled.url, None)) as c:
        yield c


def _all_pages(client: Any, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        query = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


# --- API -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["documents", "sources", "claims", "events", "places", "stories", "assessments"]
)
@pytest.mark.parametrize("limit", [1, 5, 1000])
def test_pagination_covers_every_item_once(client: Any, filled: Fixture, kind: str, limit: int) -> None:
    items = _all_pages(client, f"/api/{kind}", limit)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    expected: dict[str, int] = {
        "documents": N_DOCUMENTS + 1,
        "sources": 3 * N_DOCUMENTS + 1,
        "claims": 2 * N_DOCUMENTS + 1,
        "events": N_DOCUMENTS + 1,
        "places": N_DOCUMENTS + 1,
        "stories": 2,
        "assessments": N_DOCUMENTS + 1,
    }
    assert len(ids) == expected[kind]


def test_claims_are_contract_objects_with_span_text(client: Any, filled: Fixture) -> None:
    da = filled.analyses[3]
    body = client.get("/api/claims", params={"document": da.document.id}).json()
    assert [c["id"] for c in body["items"]] == [c.id for c in da.claims]
    first = body["items"][0]
    assert first["content"][0]["text"] == "The ferry to Vellport stopped on day 3,"
    assert first["chain"] == [da.sources[2].id, da.sources[0].id]


def test_default_limit_and_maximum(client: Any) -> None:
    assert client.get("/api/claims").json()["next"] is None  # 25 claims < default 100
    assert client.get("/api/claims", params={"limit": 1001}).status_code == 422
    assert client.get("/api/claims", params={"limit": 0}).status_code == 422


def test_bad_cursor_is_a_client_error(client: Any) -> None:
    for cursor in ("not-a-cursor!", "WzFd", "eyJhIjoxfQ"):
        assert client.get("/api/claims", params={"cursor": cursor}).status_code == 400


def test_time_range_filter(client: Any) -> None:
    items = _all_pages(client, "/api/documents", 100, since="2031-03-03", until="2031-03-05")
    assert sorted(d["published"] for d in items) == ["2031-03-03", "2031-03-04", "2031-03-05"]
    march = _all_pages(client, "/api/documents", 100, until="2031-03")
    assert len(march) == N_DOCUMENTS
    claims = _all_pages(client, "/api/claims", 100, since="2031-03-11", until="2031-03")
    assert len(claims) == 2 * 2  # days 11 and 12, two claims each


def test_source_filter(client: Any, filled: Fixture) -> None:
    claims = _all_pages(client, "/api/claims", 7, source="ilsa-marrow")
    assert len(claims) == N_DOCUMENTS and all(c["mode"] == "quote" for c in claims)
    relayed = _all_pages(client, "/api/claims", 100, source="lantern post")
    assert len(relayed) == len([a for a in filled.analyses if a.document.outlet == "Lantern Post"])
    sources = _all_pages(client, "/api/sources", 100, source="ilsa-marrow")
    assert {s["name"] for s in sources} == {"Ilsa Marrow"}
    docs = _all_pages(client, "/api/documents", 100, source="ilsa-marrow")
    assert len(docs) == N_DOCUMENTS


def test_grade_filter(client: Any) -> None:
    assert len(_all_pages(client, "/api/assessments", 100, grade="B2")) == N_DOCUMENTS
    assert len(_all_pages(client, "/api/assessments", 100, grade="C")) == 1
    assert len(_all_pages(client, "/api/assessments", 100, grade="3")) == 1
    assert len(_all_pages(client, "/api/claims", 100, grade="B2")) == N_DOCUMENTS
    assert _all_pages(client, "/api/claims", 100, grade="A1") == []
    assert len(_all_pages(client, "/api/stories", 100, grade="C3")) == 1
    assert len(_all_pages(client, "/api/events", 100, grade="C3")) == 1


def test_place_filter(client: Any) -> None:
    assert len(_all_pages(client, "/api/events", 100, place="vellport")) == N_DOCUMENTS
    assert len(_all_pages(client, "/api/places", 100, place="Vellport")) == N_DOCUMENTS
    assert _all_pages(client, "/api/events", 100, place="Nowhere") == []


def test_document_search(client: Any) -> None:
    found = _all_pages(client, "/api/documents", 100, q="day 7,")
    assert [d["title"] for d in found] == ["Ferry strike, day 7"]
    assert _all_pages(client, "/api/documents", 100, q="100%_") == []


def test_one_document_in_full(client: Any, filled: Fixture) -> None:
    da = filled.analyses[0]
    body = client.get(f"/api/documents/{da.document.id}").json()
    assert body["document"]["text"] == da.document.text
    assert len(body["claims"]) == 2 and len(body["events"]) == 1
    assert any(s["id"] == "story-ferry" for s in body["stories"])
    assert client.get("/api/documents/doc-unknown").status_code == 404


def test_openapi_lists_paths_and_every_get_answers(client: Any, filled: Fixture) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for name in ("documents", "sources", "claims", "events", "places", "stories", "assessments"):
        assert f"/api/{name}" in paths
    samples = {"document_id": filled.analyses[0].document.id}
    for path, operations in paths.items():
        if "get" not in operations:
            continue
        concrete = path.format(**samples)
        response = client.get(concrete)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-security-policy"] == CSP


def test_openapi_document_validates() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    with TestClient(create_app("sqlite://", None)) as c:
        validator.validate(c.get("/openapi.json").json())


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "geojson", "graphml"])
def test_export_endpoint(client: Any, fmt: str) -> None:
    response = client.get("/api/export", params={"format": fmt})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert "Vellport" in response.text


def test_export_rejects_unknown_format(client: Any) -> None:
    assert client.get("/api/export", params={"format": "xlsx"}).status_code == 422


# --- writing is gated by the token ----------------------------------------------------------------


class _StubPipeline:
    """Stands in for the spaCy pipeline: an analysis with no claims."""

    loads = 0

    def analyze(self, document: Document) -> DocumentAnalysis:
        return DocumentAnalysis(document=document)


def _stub_factory() -> Any:
    _StubPipeline.loads += 1
    return _StubPipeline()


POST_BODY = {"text": "A fictional note about the Vellport ferry.", "title": "Note", "outlet": "Lantern Post"}


def test_post_is_off_without_token(tmp_path: Path) -> None:
    with TestClient(create_app(str(tmp_path / "a.db"), None, pipeline_factory=_stub_factory)) as c:
        assert c.post("/api/documents", json=POST_BODY).status_code == 403
        assert (
            c.post("/api/documents", json=POST_BODY, headers={"Authorization": "Bearer x"}).status_code == 403
        )
        assert c.get("/api/documents").json()["items"] == []


def test_post_needs_the_token_and_loads_the_pipeline_lazily(tmp_path: Path) -> None:
    _StubPipeline.loads = 0
    with TestClient(create_app(str(tmp_path / "b.db"), "s3cret", pipeline_factory=_stub_factory)) as c:
        assert _StubPipeline.loads == 0
        assert c.post("/api/documents", json=POST_BODY).status_code == 401
        assert (
            c.post("/api/documents", json=POST_BODY, headers={"Authorization": "Bearer wrong"}).status_code
            == 401
        )
        assert (
            c.post("/api/documents", json=POST_BODY, headers={"Authorization": "Basic s3cret"}).status_code
            == 401
        )
        assert _StubPipeline.loads == 0
        ok = c.post("/api/documents", json=POST_BODY, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201 and ok.json()["stored"] is True
        again = c.post("/api/documents", json=POST_BODY, headers={"Authorization": "Bearer s3cret"})
        assert again.json() == {**ok.json(), "stored": False}
        assert _StubPipeline.loads == 1
        assert (
            c.post(
                "/api/documents", json={"text": ""}, headers={"Authorization": "Bearer s3cret"}
            ).status_code
            == 422
        )
        listed = c.get("/api/documents").json()["items"]
        assert [d["title"] for d in listed] == ["Note"]


# --- pages -----------------------------------------------------------------------------------------


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href")
SCRIPT_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Inspector(html.parser.HTMLParser):
    """Collects what could run in a page: script elements, event-handler attributes, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str]] = []
        self.script_urls: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            url = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in URL_ATTRIBUTES and url.startswith(SCRIPT_SCHEMES):
                self.script_urls.append((tag, value or ""))
            if name == "id" and value:
                self.ids.append(value)


def inspect(page: str) -> _Inspector:
    parser = _Inspector()
    parser.feed(page)
    parser.close()
    return parser


def test_home_lists_stories_with_counts_and_grades(client: Any) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Ferry strike" in page.text and "C3" in page.text
    assert "text/html" in page.headers["content-type"]


def test_home_falls_back_to_documents_without_stories(tmp_path: Path) -> None:
    fixture = fill_store(str(tmp_path / "plain.db"), with_hostile=False)
    with open_store(fixture.url) as store:
        store.save_cross([], [])
    with TestClient(create_app(fixture.url, None)) as c:
        page = c.get("/").text
    assert "<h1>Documents</h1>" in page and "Ferry strike, day 11" in page


def test_document_page_highlights_and_anchors(client: Any, filled: Fixture) -> None:
    da = filled.analyses[2]
    response = client.get(f"/documents/{da.document.id}")
    assert response.status_code == 200
    page = response.text
    parsed = inspect(page)
    assert {"claim-0", "claim-1", "source-0", "event-0", "place-0"} <= set(parsed.ids)
    assert 'href="#claim-0"' in page
    assert 'data-items="claim-0' in page
    assert '<span class="removed" title="removed: newsletter">Subscribe to our newsletter.</span>' in page
    # The text comes back exactly: tags stripped and entities decoded, it equals the stored text.
    start = page.index('<div class="text">') + len('<div class="text">')
    body = page[start : page.index("</div>", start)]
    assert _text_of(body) == da.document.text
    assert response.headers["x-content-type-options"] == "nosniff"


def _text_of(fragment: str) -> str:
    parts: list[str] = []

    class _P(html.parser.HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    p = _P(convert_charrefs=True)
    p.feed(fragment)
    p.close()
    return "".join(parts)


def test_source_page_shows_claims_across_documents(client: Any, filled: Fixture) -> None:
    page = client.get("/sources/ilsa-marrow")
    assert page.status_code == 200
    assert page.text.count("The ferry to Vellport stopped") == N_DOCUMENTS
    outlet = client.get("/sources/lantern%20post").text
    assert "relayed, origin: Ilsa Marrow" in outlet
    assert client.get("/sources/nobody").status_code == 404


def test_story_page_draws_map_timeline_and_graph(client: Any) -> None:
    page = client.get("/stories/story-ferry").text
    assert page.count('class="marker event"') == N_DOCUMENTS
    assert '<image href="/static/world-110m.svg"' in page
    assert page.count('class="tick report"') == N_DOCUMENTS
    assert 'class="node source"' in page and 'class="node claim"' in page and 'class="edge relays"' in page
    assert "single origin behind every report" in page
    assert client.get("/stories/nothing").status_code == 404


def test_static_basemap_is_served(client: Any) -> None:
    response = client.get("/static/world-110m.svg")
    assert response.status_code == 200 and "<path" in response.text and "Natural Earth" in response.text


@pytest.mark.parametrize("path", ["document", "source", "story", "home", "documents"])
def test_hostile_article_renders_inert(client: Any, filled: Fixture, path: str) -> None:
    hostile = filled.hostile
    url = {
        "document": f"/documents/{hostile.document.id}",
        "source": "/sources/" + quote(hostile.sources[0].key or "", safe=""),
        "story": "/stories/" + quote("story-<b>dock</b>", safe=""),
        "home": "/",
        "documents": "/documents",
    }[path]
    response = client.get(url)
    assert response.status_code == 200, response.text
    parsed = inspect(response.text)
    # The only script is the app's own, from this server.
    assert parsed.scripts == [{"src": "/static/app.js", "defer": None}]
    assert parsed.handlers == []
    assert parsed.script_urls == []
    assert not {"iframe", "img", "style", "base", "b", "object", "embed"} & set(parsed.tags)
    assert response.headers["content-security-policy"] == CSP


def test_hostile_text_is_shown_literally(client: Any, filled: Fixture) -> None:
    page = client.get(f"/documents/{filled.hostile.document.id}").text
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in page
    start = page.index('<div class="text">') + len('<div class="text">')
    assert _text_of(page[start : page.index("</div>", start)]) == HOSTILE
    assert 'href="javascript:' not in page


# --- serving at scale: read-only connections, the document cache, workers --------------------------


def test_document_endpoint_matches_the_stored_analysis(client: Any, filled: Fixture) -> None:
    """The cached read path returns what ``Store.load`` returns, in the same order."""
    da = filled.analyses[0]
    with open_store(filled.url) as store:
        expected = store.load([da.document.id]).to_json()
    for _ in range(2):  # the second answer comes from the cache
        body = client.get(f"/api/documents/{da.document.id}").json()
        assert body["document"] == expected["documents"][0]
        for key in ("sources", "claims", "events", "places", "stories", "assessments"):
            assert body[key] == expected[key], key


def test_reader_connections_are_read_only(filled: Fixture) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from claimgraph.web.queries import StoreReader

    with open_store(filled.url) as store:
        reader = StoreReader(store)
        try:
            assert reader.engine.url.query.get("mode") == "ro"
            with reader.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM documents")).scalar() == N_DOCUMENTS + 1
                with pytest.raises(OperationalError):
                    connection.execute(text("DELETE FROM documents"))
        finally:
            reader.close()


def test_replaced_document_is_not_served_stale_from_the_cache(tmp_path: Path) -> None:
    import dataclasses

    from claimgraph.web.queries import Filters, StoreReader

    da = ferry_analysis(1)
    with open_store(str(tmp_path / "r.db")) as store:
        store.save(da)
        reader = StoreReader(store)
        try:
            assert len(reader.items("claims", Filters(), None, 100).items) == 2
            assert len(reader.cache) == 1
            store.save(dataclasses.replace(da, claims=da.claims[:1]), replace=True)
            assert [c["id"] for c in reader.items("claims", Filters(), None, 100).items] == [da.claims[0].id]
            full = reader.document_json(da.document.id)
            assert full is not None and len(full["claims"]) == 1
        finally:
            reader.close()


def test_document_cache_keeps_the_most_recently_used() -> None:
    from datetime import UTC, datetime

    from claimgraph.web.cache import CachedDocument, DocumentCache

    cache = DocumentCache(2)
    at = datetime(2031, 1, 1, tzinfo=UTC)
    entries = {pk: CachedDocument(ferry_analysis(pk)) for pk in (1, 2, 3)}
    cache.put((1, at), entries[1])
    cache.put((2, at), entries[2])
    assert cache.get((1, at)) is entries[1]  # 1 is now the most recent; 2 goes next
    cache.put((3, at), entries[3])
    assert len(cache) == 2
    assert cache.get((2, at)) is None and cache.get((1, at)) is entries[1]
    assert DocumentCache(0).get((1, at)) is None


def test_app_from_environment_reads_the_store_and_token(
    filled: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.web.app import app_from_environment

    monkeypatch.setenv("CLAIMGRAPH_DB", filled.url)
    monkeypatch.setenv("CLAIMGRAPH_TOKEN", "t0ken")
    app = app_from_environment()
    assert app.state.claimgraph.token == "t0ken"
    with TestClient(app) as c:
        assert len(c.get("/api/documents", params={"limit": 1000}).json()["items"]) == N_DOCUMENTS + 1


def test_serve_with_workers_hands_settings_to_the_workers(
    filled: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import uvicorn

    from claimgraph import cli_web

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("CLAIMGRAPH_DB", "")
    monkeypatch.delenv("CLAIMGRAPH_TOKEN", raising=False)
    cli_web.serve(filled.url, "127.0.0.1", 0, "s3cret", 2, access_log=False)
    ((app, kw),) = calls
    assert app == "claimgraph.web.app:app_from_environment"
    assert kw["factory"] is True and kw["workers"] == 2 and kw["access_log"] is False
    assert os.environ["CLAIMGRAPH_DB"] == filled.url and os.environ["CLAIMGRAPH_TOKEN"] == "s3cret"
    calls.clear()
    cli_web.serve(filled.url, "127.0.0.1", 0, None, 1)
    ((app, kw),) = calls
    assert not isinstance(app, str) and kw["access_log"] is True


def test_known_documents_keeps_order_and_drops_unknown(filled: Fixture) -> None:
    from claimgraph.web.queries import StoreReader

    first, second = (da.document.id for da in filled.analyses[:2])
    with open_store(filled.url) as store:
        reader = StoreReader(store)
        try:
            assert reader.known_documents([second, "doc-unknown", first]) == [second, first]
        finally:
            reader.close()


def test_story_listing_matches_the_stored_stories(client: Any, filled: Fixture) -> None:
    with open_store(filled.url) as store:
        expected = [s.to_json() for s in store.load().stories]
    assert _all_pages(client, "/api/stories", 1) == expected
    home = client.get("/").text
    assert f">{N_DOCUMENTS}</td>" in home  # the ferry story's document count


def test_story_summaries_agree_with_the_assessments_about_each_story(filled: Fixture) -> None:
    from claimgraph.export import grade
    from claimgraph.web.queries import StoreReader

    with open_store(filled.url) as store:
        reader = StoreReader(store)
        try:
            summaries, more = reader.story_summaries(1000)
            assert not more and len(summaries) == 2
            assert reader.story_summaries(1) == (summaries[:1], True)
            for summary, story in zip(summaries, store.load().stories, strict=True):
                assessed = reader.assessments_about([story.id, *story.events])
                assert summary.id == story.id
                assert (summary.documents, summary.events) == (len(story.documents), len(story.events))
                assert summary.grades == {grade(a) for a in assessed}
                assert summary.origins == len({o for a in assessed for o in a.origins})
            assert any(s.grades for s in summaries)
        finally:
            reader.close()


def test_cached_story_results_follow_writes(tmp_path: Path) -> None:
    """Pages of stories are kept while the store is unchanged, and recomputed after any write."""
    from claimgraph.web.queries import Filters, StoreReader

    fixture = fill_store(f"sqlite:///{tmp_path / 'versions.db'}")
    with open_store(fixture.url) as store:
        reader = StoreReader(store)
        try:
            before = reader.version.current()
            assert before is not None
            first = reader.stories(Filters(), None, 10)
            assert reader.stories(Filters(), None, 10) is first  # served from the cache
            assert len(reader.story_summaries(10)[0]) == 2
            renamed = Story("story-new", [fixture.analyses[0].document.id], [], "Renamed")
            store.save_cross([renamed], [])
            assert reader.version.current() != before
            assert [s["id"] for s in reader.stories(Filters(), None, 10).items] == ["story-new"]
            assert [s.label for s in reader.story_summaries(10)[0]] == ["Renamed"]
        finally:
            reader.close()


def test_home_pages_through_stories(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from claimgraph.web import pages

    monkeypatch.setattr(pages, "HOME_STORIES", 1)
    first = client.get("/").text
    assert "Ferry strike" in first and 'rel="next" href="/?after=0"' in first
    second = client.get("/", params={"after": 0}).text
    assert "Ferry strike" not in second and "&lt;script&gt;window.__pwned=9" in second
    assert 'rel="next"' not in second and 'href="/">First page' in second
    assert "No more stories" in client.get("/", params={"after": 5}).text
