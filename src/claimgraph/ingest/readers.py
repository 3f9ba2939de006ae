"""Turn command-line inputs (files, directories, ``-``) into a stream of Documents.

Nothing here raises for a bad input: each problem becomes a ``Skipped`` naming the
path (and line) and the stream goes on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TextIO

from claimgraph.ingest.html import read_html
from claimgraph.ingest.jsonl import jsonl_documents, looks_like_jsonl, read_json, read_jsonl
from claimgraph.ingest.text import BOM, describe_os_error, read_text, text_document
from claimgraph.ingest.warc import read_warc, warc_suffix
from claimgraph.model import Document, Skipped

Reader = Callable[[Path, str], Iterator[Document | Skipped]]

STDIN = "-"


# Suffix (lower case) -> reader. Files with other suffixes are left out of directories.
READERS: Mapping[str, Reader] = MappingProxyType(
    {
        ".txt": read_text,
        ".md": read_text,
        ".html": read_html,
        ".htm": read_html,
        ".jsonl": read_jsonl,
        ".json": read_json,
        ".warc": read_warc,
        ".warc.gz": read_warc,
    }
)


def reader_for(suffix: str) -> Reader | None:
    """The reader for a file suffix (case-insensitive, with the dot), or None."""
    return READERS.get(suffix.lower())


def suffix_of(name: str) -> str:
    """The suffix that picks a reader: ``.warc.gz`` for WARC archives, else the last one."""
    return warc_suffix(name) or Path(name).suffix


def iter_inputs(paths: Sequence[str], stdin: TextIO | None = None) -> Iterator[Document | Skipped]:
    """Every Document (or Skipped) from ``paths`` in order; ``-`` reads ``stdin``."""
    for path in paths:
        if path == STDIN:
            yield from read_stdin(stdin if stdin is not None else sys.stdin)
        else:
            yield from read_path(path)


def read_path(path: str | os.PathLike[str]) -> Iterator[Document | Skipped]:
    """Documents from one file, or from every supported file under a directory."""
    shown = os.fspath(path)
    target = Path(shown)
    if target.is_dir():
        yield from _read_directory(target, shown)
        return
    if not target.exists():
        yield Skipped(shown, "no such file or directory")
        return
    suffix = suffix_of(target.name)
    reader = reader_for(suffix)
    if reader is None:
        yield Skipped(shown, f"unsupported file type '{suffix or '(no suffix)'}'")
        return
    yield from reader(target, shown)


def read_stdin(stream: TextIO) -> Iterator[Document | Skipped]:
    """Standard input: JSON lines when every line is a record with ``text``, else one text."""
    try:
        text = stream.read()
    except UnicodeDecodeError as error:
        yield Skipped(STDIN, f"not valid UTF-8 (byte {error.start}: {error.reason})")
        return
    except OSError as error:
        yield Skipped(STDIN, describe_os_error(error))
        return
    text = text.removeprefix(BOM)
    if looks_like_jsonl(text):
        yield from jsonl_documents(text.split("\n"), STDIN)
    else:
        yield text_document(text, STDIN)


def _read_directory(directory: Path, shown: str) -> Iterator[Document | Skipped]:
    """Supported files under ``directory``, recursively: a folder's files sorted by name,
    then its subfolders in name order. Hidden files and folders are left out."""
    problems: list[Skipped] = []

    def note(error: OSError) -> None:
        where = os.fspath(error.filename) if error.filename else shown
        problems.append(Skipped(where, describe_os_error(error)))

    found = False
    for root, dirs, files in os.walk(directory, onerror=note):
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or reader_for(suffix_of(name)) is None:
                continue
            found = True
            full = Path(root) / name
            relative = full.relative_to(directory)
            yield from read_path(os.path.join(shown, relative))
        yield from problems
        problems.clear()
    if not found:
        yield Skipped(shown, "no supported files in directory")
