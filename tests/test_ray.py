"""``claimgraph run``: the local and Ray engines, Parquet output, and linking after a Ray run.

Tests that need Ray share one local 2-CPU cluster started once for this module (and
skip when Ray is not installed); the engine under test joins it rather than starting
its own. One test starts a cluster of its own through the CLI, as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from claimgraph.cli import cli
from claimgraph.distributed import StoreSink, run_documents
from claimgraph.distributed.driver import OnError
from claimgraph.ingest import iter_inputs
from claimgraph.linking import link
from claimgraph.model import Document, DocumentAnalysis
from claimgraph.store import open_store

if TYPE_CHECKING:
    from claimgraph.distributed.ray_engine import RayEngine
    from claimgraph.pipeline import Pipeline

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STORIES = FIXTURES / "linking" / "stories.jsonl"  # fictional multi-outlet stories


def _bad_lines(folder: Path) -> Path:
    """A JSONL file with one good record, one broken line and one record without text."""
    path = folder / "mixed.jsonl"
    record = {
        "id": "m1",
        "outlet": "Fjordline Gazette",
        "published": "2031-05-02",
        "text": "The Fjordline ferry council said on Monday that the night crossing would close "
        "for repairs. A deckhand who asked not to be named said the repairs could take months.",
    }
    path.write_text(json.dumps(record) + "\n{not json\n" + json.dumps({"id": "m2"}) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    """A local Ray cluster with 2 CPUs for this module; engines join it instead of starting one."""
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'claimgraph[ray]')")
    from claimgraph.distributed.ray_engine import LOCAL_OBJECT_STORE_BYTES, WORKER_ENV

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        runtime_env={"env_vars": dict(WORKER_ENV)},
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def ray_engine(ray_cluster: Any) -> Iterator[RayEngine]:
    """Two BatchAnalyzer actors on the module's cluster, small batches so several are in flight."""
    from claimgraph.distributed.ray_engine import RayEngine, RayOptions

    engine = RayEngine(RayOptions(workers=2, batch_size=3)).start()
    assert not engine.started_cluster  # it joined the module's cluster
    yield engine
    engine.stop()
    assert ray_cluster.is_initialized()  # stopping the engine left the cluster it did not start


def _memberships(db: Path) -> set[frozenset[str]]:
    with open_store(str(db)) as store:
        analysis = link(store.load())
    return {frozenset(story.documents) for story in analysis.stories}


@pytest.mark.slow
def test_ray_results_equal_local_results(pipeline: Pipeline, ray_engine: RayEngine) -> None:
    documents = [d for d in iter_inputs([str(STORIES)]) if isinstance(d, Document)]
    expected = {da.document.id: da for da in pipeline.analyze_many(documents)}
    remote = list(ray_engine.analyze_many(documents))
    assert [da.document.id for da in remote] == list(expected)  # input order kept across 4 batches
    for da in remote:
        want = expected[da.document.id]
        assert [c.to_json(da.document.text) for c in da.claims] == [
            c.to_json(want.document.text) for c in want.claims
        ]
        assert [s.to_json(da.document.text) for s in da.sources] == [
            s.to_json(want.document.text) for s in want.sources
        ]
        assert da.produced_by == want.produced_by


@pytest.mark.slow
def test_linking_after_ray_run_gives_the_same_stories(
    tmp_path: Path, pipeline: Pipeline, ray_engine: RayEngine
) -> None:
    paths = [str(STORIES), str(_bad_lines(tmp_path))]
    for name, engine in (("local", pipeline.analyze_many), ("ray", ray_engine.analyze_many)):
        with open_store(str(tmp_path / f"{name}.db")) as store:
            result = run_documents(paths, engine, StoreSink(store), store=store)
            assert result.analyzed == 11
            assert len(result.skipped) == 2  # the broken line and the record without text
            assert len(store.failures(result.run_id)) == 2
    local, remote = _memberships(tmp_path / "local.db"), _memberships(tmp_path / "ray.db")
    assert remote == local
    assert any(len(story) > 1 for story in local)  # the fixture does group articles


@pytest.mark.slow
def test_ray_reports_a_failing_document_and_goes_on(ray_engine: RayEngine) -> None:
    from claimgraph.distributed.ray_engine import RemoteAnalysisError

    good = Document(text="The harbour council said the Fjordline pier would reopen in June.")
    # A publication date that is not a string makes the times stage raise inside the worker.
    bad = Document(text="The pier council said the Fjordline ferry would stop.", published=20310502)  # type: ignore[arg-type]
    failures: list[tuple[str, Exception]] = []
    results = list(ray_engine.analyze_many([bad, good], on_error=lambda d, e: failures.append((d.id, e))))
    assert [r.document.id for r in results] == [good.id]
    assert [doc_id for doc_id, _ in failures] == [bad.id]
    assert isinstance(failures[0][1], RemoteAnalysisError)


@pytest.mark.slow
def test_ray_run_to_parquet_reads_back_and_resumes(tmp_path: Path, ray_engine: RayEngine) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from claimgraph.distributed.parquet import ParquetSink

    out, paths = tmp_path / "out.parquet", [str(STORIES), str(_bad_lines(tmp_path))]
    with ParquetSink(out) as sink:
        result = run_documents(paths, ray_engine.analyze_many, sink)
    assert (result.analyzed, len(result.skipped)) == (11, 2)
    table = pq.read_table(out)
    assert table.num_rows == 11
    assert {"id", "outlet", "published", "title", "analysis"} <= set(table.column_names)
    rows = table.to_pylist()
    contract = json.loads(rows[0]["analysis"])
    assert [d["id"] for d in contract["documents"]] == [rows[0]["id"]]
    assert contract["claims"] and all(c["document"] == rows[0]["id"] for c in contract["claims"])
    assert rows[0]["outlet"] == contract["documents"][0]["outlet"]
    with ParquetSink(out, resume=True) as sink:
        again = run_documents([str(STORIES)], ray_engine.analyze_many, sink)
    assert (again.analyzed, again.reused) == (0, 10)
    assert pq.read_table(out).num_rows == 11


@pytest.mark.slow
def test_run_cli_local_engine_to_parquet_with_failure_report(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    from claimgraph.distributed.parquet import ParquetError

    out, failures = tmp_path / "out.parquet", tmp_path / "failures.jsonl"
    args = ["run", "--engine", "local", "--out", str(out), "--quiet", "--failures", str(failures)]
    first = CliRunner().invoke(cli, [*args, str(_bad_lines(tmp_path))])
    assert first.exit_code == 0, first.output
    assert "1 documents (1 analyzed, 0 already stored)" in first.output
    assert pq.read_table(out).num_rows == 1
    assert [json.loads(line)["line"] for line in failures.read_text().splitlines()] == [2, 3]
    again = CliRunner().invoke(cli, [*args, str(_bad_lines(tmp_path))])
    assert isinstance(again.exception, ParquetError) and "--resume" in str(
        again.exception
    )  # never adds silently
    resumed = CliRunner().invoke(cli, [*args, "--resume", str(_bad_lines(tmp_path))])
    assert resumed.exit_code == 0, resumed.output
    assert "1 documents (0 analyzed, 1 already stored)" in resumed.output


@pytest.mark.slow
def test_run_cli_starts_and_stops_its_own_cluster(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="Ray is not installed")
    db = tmp_path / "store.db"
    command = [sys.executable, "-c", "from claimgraph.cli import main; main()", "run", "--engine", "ray"]
    done = subprocess.run(
        [*command, "--workers", "1", "--db", str(db), "--quiet", str(_bad_lines(tmp_path))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "1 documents (1 analyzed, 0 already stored), 2 skipped" in done.stderr
    with open_store(str(db)) as store:
        assert store.count_documents() == 1


def test_local_engine_into_store_then_resume(tmp_path: Path) -> None:
    """The driver with a stand-in engine: order, dedup, skipped inputs, stored documents skipped."""
    calls: list[list[str]] = []

    def engine(documents: Iterable[Document], on_error: OnError) -> Iterator[DocumentAnalysis]:
        batch = list(documents)
        calls.append([d.id for d in batch])
        for document in batch:
            if "night crossing" in document.text:
                on_error(document, ValueError("boom"))
            else:
                yield DocumentAnalysis(document=document)

    db = tmp_path / "store.db"
    paths = [str(STORIES), str(STORIES), str(_bad_lines(tmp_path))]
    with open_store(str(db)) as store:
        result = run_documents(paths, engine, StoreSink(store), store=store)
        assert (result.analyzed, result.reused) == (10, 0)  # the repeated file is read once
        problems = [s.problem for s in result.skipped]
        assert problems[-1] == "analysis failed: ValueError: boom" and len(problems) == 3
        assert [s.problem for s in store.failures(result.run_id)] == problems
        assert store.runs()[-1].status == "done"
        again = run_documents([str(STORIES)], engine, StoreSink(store), store=store)
        assert (again.analyzed, again.reused) == (0, 10)
    assert calls[-1] == []


def test_parquet_sink_writes_parts_and_resumes(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from claimgraph.distributed.parquet import ParquetSink

    out = tmp_path / "local.parquet"
    with ParquetSink(out, rows_per_part=4) as sink:
        for document in iter_inputs([str(STORIES)]):
            assert isinstance(document, Document)
            sink.write(DocumentAnalysis(document=document))
    parts = sorted(p.name for p in out.iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    resumed = ParquetSink(out, resume=True)
    first = next(d for d in iter_inputs([str(STORIES)]) if isinstance(d, Document))
    assert resumed.has(first) and resumed.next_part == 3


def test_run_cli_refuses_db_with_out(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["run", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "o"), "x"]
    )
    assert result.exit_code == 2 and "not both" in result.output


def test_progress_total_is_unknown_when_a_warc_is_read(tmp_path: Path) -> None:
    from claimgraph.cli_run import _expected

    assert _expected([str(STORIES)]) == 10
    (tmp_path / "crawl.warc.gz").write_bytes(b"")
    assert _expected([str(STORIES), str(tmp_path)]) is None  # records per archive are not counted up front
