"""A run killed with SIGKILL and started again with --resume loses and duplicates nothing."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimgraph.store import open_store

DOCUMENTS = 600  # several spaCy memory zones (pipeline.ZONE_DOCUMENTS), so the kill lands mid-run
CLI = [sys.executable, "-c", "from claimgraph.cli import main; main()"]


def _articles(folder: Path) -> None:
    """Fictional, all different: a harbour council's ferry notices."""
    folder.mkdir()
    for n in range(DOCUMENTS):
        (folder / f"notice_{n:03d}.txt").write_text(
            f"Ferry notice {n}\n\n"
            f"The Kestrel Bay harbour council said on Monday that crossing {n} would close for "
            f"{n % 9 + 2} days. “The pier at berth {n} needs new piles,” harbour master Ilse Varga "
            f"told the Coastal Ledger. A pilot who asked not to be named said the repairs at berth {n} "
            f"could take longer than the council claims.\n\nThis notice is fiction.\n",
            encoding="utf-8",
        )


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # tables not created yet


@pytest.mark.slow
def test_kill_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder, db = tmp_path / "articles", tmp_path / "store.db"
    _articles(folder)
    args = [*CLI, "analyze", str(folder), "--db", str(db), "--format", "jsonl", "-o", os.devnull, "--quiet"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _count(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    stored = _count(db)
    assert 0 < stored < DOCUMENTS, f"kill landed outside the run ({stored} stored)"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM claims c WHERE c.document_pk = d.pk)"
        ).fetchone()[0]
    assert orphans == 0, "a stored document lost its claims"

    done = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=600, check=True)
    summary = re.search(r"(\d+) documents \((\d+) analyzed, (\d+) already stored\)", done.stderr)
    assert summary is not None, done.stderr
    assert int(summary.group(3)) == stored
    assert int(summary.group(2)) == DOCUMENTS - stored
    with open_store(str(db)) as store:
        assert store.count_documents() == DOCUMENTS
        assert len(set(store.document_ids())) == DOCUMENTS
