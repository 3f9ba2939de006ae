"""Write analyses to a directory of Parquet files (``run --out DIR.parquet``).

One row per document: ``id``, ``outlet``, ``published``, ``title``, ``url``, ``path`` and
``analysis``, the contract JSON (``Analysis.to_json``) of that one document as a string.
Rows are written in parts of ``ROWS_PER_PART`` documents (``part-00000.parquet``, ...), each
first written under a hidden temporary name and renamed when complete, so a run killed
half way leaves only whole parts; ``--resume`` reads the ids of the parts present and
adds new parts after them. Read back with ``pyarrow.parquet.read_table(DIR)``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from claimgraph.errors import ClaimgraphError
from claimgraph.model import Analysis, Document, DocumentAnalysis

# Documents per Parquet file. 1,000 BBC-sized analyses make a part of about 5 MB, big
# enough for Parquet's column compression, small enough that a killed run loses little.
ROWS_PER_PART = 1000
COLUMNS = ("id", "outlet", "published", "title", "url", "path", "analysis")
PART_PREFIX = "part-"
PART_SUFFIX = ".parquet"


class ParquetError(ClaimgraphError):
    """The Parquet output directory cannot be used (pyarrow missing, not a directory, not resumable)."""


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ParquetError("writing Parquet needs pyarrow: pip install 'claimgraph[ray]'") from error
    return pa, pq


def document_row(analysis: DocumentAnalysis) -> dict[str, str | None]:
    """The Parquet row of one document: its metadata columns and its contract JSON."""
    document = analysis.document
    return {
        "id": document.id,
        "outlet": document.outlet,
        "published": document.published,
        "title": document.title,
        "url": document.url,
        "path": document.path,
        "analysis": json.dumps(Analysis(documents=[analysis]).to_json(), ensure_ascii=False),
    }


class ParquetSink:
    """Collects document rows and writes them out part by part. Use as a context manager."""

    def __init__(
        self, directory: str | os.PathLike[str], *, resume: bool = False, rows_per_part: int = ROWS_PER_PART
    ):
        self.pa, self.pq = _pyarrow()
        self.directory = Path(directory)
        self.rows_per_part = rows_per_part
        self.rows: list[dict[str, str | None]] = []
        if self.directory.exists() and not self.directory.is_dir():
            raise ParquetError(f"{self.directory} exists and is not a directory")
        parts = self._parts()
        if parts and not resume:
            raise ParquetError(f"{self.directory} already holds Parquet parts; pass --resume to add to them")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.next_part = (
            max((int(p.name[len(PART_PREFIX) : -len(PART_SUFFIX)]) for p in parts), default=-1) + 1
        )
        self.done: set[str] = self._stored_ids(parts)

    def _parts(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(
            p
            for p in self.directory.glob(f"{PART_PREFIX}*{PART_SUFFIX}")
            if p.name[len(PART_PREFIX) : -len(PART_SUFFIX)].isdigit()
        )

    def _stored_ids(self, parts: list[Path]) -> set[str]:
        ids: set[str] = set()
        for part in parts:
            try:
                ids.update(self.pq.read_table(part, columns=["id"]).column("id").to_pylist())
            except Exception as error:  # pyarrow raises ArrowInvalid, OSError... on a bad file
                raise ParquetError(f"cannot read {part}: {error}") from error
        return ids

    def has(self, document: Document) -> bool:
        """True when this document is already written (by this or an earlier run)."""
        return document.id in self.done

    def write(self, analysis: DocumentAnalysis) -> None:
        """Add one document's row; a part is written every ``rows_per_part`` rows."""
        if analysis.document.id in self.done:
            return
        self.rows.append(document_row(analysis))
        self.done.add(analysis.document.id)
        if len(self.rows) >= self.rows_per_part:
            self.flush()

    def flush(self) -> None:
        """Write the rows collected so far as one new part (nothing when there are none)."""
        if not self.rows:
            return
        schema = self.pa.schema([(name, self.pa.string()) for name in COLUMNS])
        table = self.pa.Table.from_pylist(self.rows, schema=schema)
        final = self.directory / f"{PART_PREFIX}{self.next_part:05d}{PART_SUFFIX}"
        temporary = self.directory / f".{final.name}.tmp"
        self.pq.write_table(table, temporary, compression="zstd")
        temporary.replace(final)
        self.next_part += 1
        self.rows = []

    def close(self) -> None:
        self.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
