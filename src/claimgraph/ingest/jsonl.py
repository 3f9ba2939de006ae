"""JSON records (``.jsonl`` one a line, ``.json`` a list): one article per object.

Each object needs ``text`` (a non-empty string) and may give ``title``, ``url``,
``outlet``, ``published`` (strings) and ``id`` (string or integer). Adds those to the
Document; the external ``id`` goes to ``meta["external_id"]`` (Document ids are content
hashes) and any other key to ``meta`` as it is. A bad record becomes a Skipped naming
the file and line (or item) and the rest goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from claimgraph.ingest.text import BOM, describe_os_error, find_title, locate_title
from claimgraph.model import Document, Skipped

# Optional fields that must be strings when present (null counts as absent).
STRING_FIELDS = ("title", "url", "outlet", "published")
KNOWN_FIELDS = frozenset(("text", "id", *STRING_FIELDS))


def record_document(record: object, path: str, line: int | None = None) -> Document | Skipped:
    """A Document for one decoded JSON record, or Skipped saying what is wrong with it."""
    if not isinstance(record, dict):
        return Skipped(path, f"expected a JSON object, got {_json_type(record)}", line)
    text = record.get("text")
    if text is None:
        return Skipped(path, "missing 'text'", line)
    if not isinstance(text, str):
        return Skipped(path, f"'text' must be a string, got {_json_type(text)}", line)
    if not text.strip():
        return Skipped(path, "empty 'text'", line)
    fields: dict[str, str | None] = {}
    for name in STRING_FIELDS:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            return Skipped(path, f"'{name}' must be a string, got {_json_type(value)}", line)
        fields[name] = value.strip() or None if isinstance(value, str) else None
    external_id = record.get("id")
    if external_id is not None and (isinstance(external_id, bool) or not isinstance(external_id, str | int)):
        return Skipped(path, f"'id' must be a string or an integer, got {_json_type(external_id)}", line)
    meta: dict[str, Any] = {key: value for key, value in record.items() if key not in KNOWN_FIELDS}
    if external_id is not None:
        meta["external_id"] = external_id
    published = fields["published"]
    if published is not None and not is_iso_date(published):
        meta["published_raw"] = published
        published = None
    title = fields["title"]
    title_span = locate_title(text, title) if title else find_title(text)
    if title is None and title_span is not None:
        title = title_span.text(text)
    return Document(
        text=text,
        path=path,
        title=title,
        title_span=title_span,
        outlet=fields["outlet"],
        published=published,
        url=fields["url"],
        meta=meta,
    )


def jsonl_documents(lines: Iterable[str], path: str) -> Iterator[Document | Skipped]:
    """Documents from JSON lines (numbered from 1); blank lines are passed over."""
    for number, line in enumerate(lines, start=1):
        yield from _line_document(line, path, number)


def read_jsonl(path: Path, shown: str) -> Iterator[Document | Skipped]:
    """Read a JSON-lines file line by line (it is never loaded whole)."""
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    yield Skipped(shown, f"not valid UTF-8 (byte {error.start} of the line)", number)
                    continue
                yield from _line_document(line.removeprefix(BOM) if number == 1 else line, shown, number)
    except OSError as error:
        yield Skipped(shown, describe_os_error(error))


def read_json(path: Path, shown: str) -> Iterator[Document | Skipped]:
    """Read a ``.json`` file holding one record or a list of records."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8").removeprefix(BOM))
    except OSError as error:
        yield Skipped(shown, describe_os_error(error))
        return
    except UnicodeDecodeError as error:
        yield Skipped(shown, f"not valid UTF-8 (byte {error.start}: {error.reason})")
        return
    except json.JSONDecodeError as error:
        yield Skipped(shown, f"invalid JSON: {error.msg} (column {error.colno})", error.lineno)
        return
    if isinstance(data, dict):
        yield record_document(data, shown)
        return
    if not isinstance(data, list):
        yield Skipped(shown, f"expected a JSON object or a list of objects, got {_json_type(data)}")
        return
    if not data:
        yield Skipped(shown, "empty list: no articles")
    for index, record in enumerate(data):
        document = record_document(record, shown)
        if isinstance(document, Skipped):
            document = Skipped(shown, f"item {index}: {document.problem}")
        yield document


def looks_like_jsonl(text: str) -> bool:
    """True when every non-blank line is a JSON object with a ``text`` key."""
    seen = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("{"):
            return False
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            return False
        if not isinstance(record, dict) or "text" not in record:
            return False
        seen = True
    return seen


def is_iso_date(value: str) -> bool:
    """True for an ISO 8601 date or datetime that Python can read ("2020-12-01", "...T10:00Z")."""
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _line_document(line: str, path: str, number: int) -> Iterator[Document | Skipped]:
    if not line.strip():
        return
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        yield Skipped(path, f"invalid JSON: {error.msg} (column {error.colno})", number)
        return
    yield record_document(record, path, number)


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for messages."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
