"""runner.analyze_inputs over a temporary SQLite store, with the session's real pipeline.

Inputs are the fictional articles in tests/fixtures/attribution/articles, copied into a
temporary directory next to deliberately broken files.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import claimgraph.pipeline
from claimgraph.runner import analyze_inputs, count_inputs
from claimgraph.store import Store, open_store

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "attribution" / "articles"
# pier.txt, ferry.txt and the two records of gazette.jsonl
ARTICLE_COUNT = 4


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    directory = tmp_path / "in"
    shutil.copytree(ARTICLES, directory)
    return directory


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "store.db")) as s:
        yield s


def stored_claims(store: Store) -> int:
    return sum(len(da.claims) for da in store.load().documents)


def test_count_inputs_estimates_documents(inputs: Path) -> None:
    assert count_inputs([str(inputs)]) == ARTICLE_COUNT
    assert count_inputs([str(inputs / "pier.txt"), "-"]) is None


def test_second_run_reuses_everything_and_stores_nothing_twice(
    pipeline: Pipeline, store: Store, inputs: Path
) -> None:
    first = analyze_inputs([str(inputs)], pipeline, store)
    assert (first.analyzed, first.reused, first.skipped) == (ARTICLE_COUNT, 0, [])
    claims = stored_claims(store)
    assert claims > 0
    second = analyze_inputs([str(inputs)], pipeline, store)
    assert (second.analyzed, second.reused, second.skipped) == (0, ARTICLE_COUNT, [])
    assert store.count_documents() == ARTICLE_COUNT
    assert stored_claims(store) == claims
    # the reused analyses come back whole, in input order
    assert [da.document.id for da in second.analysis.documents] == [
        da.document.id for da in first.analysis.documents
    ]
    assert [len(da.claims) for da in second.analysis.documents] == [
        len(da.claims) for da in first.analysis.documents
    ]
    assert [r.status for r in store.runs()] == ["done", "done"]


def test_same_text_twice_in_one_run_is_analyzed_once(pipeline: Pipeline, store: Store, inputs: Path) -> None:
    pier = str(inputs / "pier.txt")
    result = analyze_inputs([pier, pier], pipeline, store)
    assert result.analyzed == 1
    assert len(result.analysis.documents) == 1
    assert store.count_documents() == 1


def test_bad_file_and_bad_jsonl_line_are_skipped_and_the_rest_analyzed(
    pipeline: Pipeline, store: Store, inputs: Path
) -> None:
    (inputs / "broken.txt").write_bytes(b"The harbour master said \xc3\x28 the pier was closed.\n")
    good = {"title": "Quay repaired", "text": "The council said the quay had been repaired."}
    (inputs / "mixed.jsonl").write_text(
        json.dumps(good) + "\n" + '{"title": "cut off", "text": \n', encoding="utf-8"
    )
    result = analyze_inputs([str(inputs)], pipeline, store)
    where = {(Path(s.path).name, s.line) for s in result.skipped}
    assert where == {("broken.txt", None), ("mixed.jsonl", 2)}
    assert all(s.problem for s in result.skipped)
    assert "UTF-8" in next(s.problem for s in result.skipped if s.path.endswith("broken.txt"))
    assert result.analyzed == ARTICLE_COUNT + 1
    assert store.count_documents() == ARTICLE_COUNT + 1
    assert {(Path(s.path).name, s.line) for s in store.failures(result.run_id)} == where


def test_reanalyze_replaces_the_stored_analysis(
    pipeline: Pipeline, store: Store, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyze_inputs([str(inputs)], pipeline, store)
    before = stored_claims(store)
    assert before > 0
    # a changed attribution stage: finds nothing
    monkeypatch.setattr(claimgraph.pipeline, "attribute", lambda *args: ([], []))
    kept = analyze_inputs([str(inputs)], pipeline, store)
    assert (kept.analyzed, kept.reused) == (0, ARTICLE_COUNT)
    assert stored_claims(store) == before
    replaced = analyze_inputs([str(inputs)], pipeline, store, reanalyze=True)
    assert (replaced.analyzed, replaced.reused) == (ARTICLE_COUNT, 0)
    assert store.count_documents() == ARTICLE_COUNT
    assert stored_claims(store) == 0


def test_a_document_whose_attribution_raises_is_skipped_and_the_run_goes_on(
    pipeline: Pipeline, store: Store, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = claimgraph.pipeline.attribute

    def attribute(document: Any, parsed: Any, lexicons: Any) -> Any:
        if "ferry" in (document.path or ""):
            raise RuntimeError("rule exploded")
        return real(document, parsed, lexicons)

    monkeypatch.setattr(claimgraph.pipeline, "attribute", attribute)
    seen: list[tuple[int, int | None, int]] = []
    result = analyze_inputs([str(inputs)], pipeline, store, progress=lambda *state: seen.append(state))
    (skipped,) = result.skipped
    assert skipped.path.endswith("ferry.txt")
    assert skipped.line is None
    assert skipped.problem == "analysis failed: RuntimeError: rule exploded"
    assert result.analyzed == ARTICLE_COUNT - 1
    assert store.count_documents() == ARTICLE_COUNT - 1
    assert store.failures(result.run_id) == [skipped]
    assert seen[-1] == (ARTICLE_COUNT, ARTICLE_COUNT, 1)
    assert store.runs()[-1].status == "done"


def test_stdin_and_no_store(pipeline: Pipeline) -> None:
    stdin = io.StringIO("Harbour master Leo Dunn said the pier was safe.\n")
    result = analyze_inputs(["-"], pipeline, None, stdin=stdin)
    assert result.run_id is None
    assert result.analyzed == 1
    (da,) = result.analysis.documents
    assert da.document.path == "-"
    assert len(da.claims) == 1


def test_store_error_marks_the_run_failed(
    pipeline: Pipeline, store: Store, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimgraph.errors import StoreError

    def refuse(*args: Any, **kwargs: Any) -> bool:
        raise StoreError("disk full")

    monkeypatch.setattr(store, "save", refuse)
    with pytest.raises(StoreError, match="disk full"):
        analyze_inputs([str(inputs)], pipeline, store)
    assert store.runs()[-1].status == "failed"
