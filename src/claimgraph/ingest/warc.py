"""WARC archives (``.warc``, ``.warc.gz``): one Document per HTML response record.

Reads the archive record by record with warcio (pure Python; the archive is never
loaded whole) and hands the HTTP payload of each HTML ``response`` record to the HTML
reader (trafilatura). Adds to each Document what the HTML reader adds, plus ``url``
from ``WARC-Target-URI`` when the page names none, and in ``meta`` the record id
(``warc_record_id``), its byte offset in the file (``warc_offset``) and the crawl date
(``warc_date``; never used as the publication date).

Records that are not responses (``warcinfo``, ``request``, ``metadata``...) and responses
that are not HTML are passed over: they are not articles. A response with an HTTP error
status, an undecodable payload or no main text becomes a ``Skipped`` naming the file, the
record's offset and the problem; a damaged archive ends the file with a ``Skipped`` after
every record read before the damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from claimgraph.errors import first_line
from claimgraph.ingest.html import html_document
from claimgraph.ingest.text import describe_os_error
from claimgraph.model import Document, Skipped

SUFFIXES = (".warc", ".warc.gz")
# Content types (before any ';') whose payload is an HTML page.
HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))
# The record types of WARC 1.0 and 1.1: anything else means the reader lost its place.
RECORD_TYPES = frozenset(
    ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
)
# Bytes read past the last record to tell padding (blank lines, zeros) from a cut-off record.
TAIL_CHECK_BYTES = 4096
# A response payload larger than this is not a news article page (CC-NEWS pages are
# 50-500 KB; crawlers commonly truncate at 1 MiB): it is skipped unread.
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024


def warc_suffix(name: str) -> str | None:
    """``.warc`` or ``.warc.gz`` when ``name`` ends so (case-insensitive), else None."""
    lower = name.lower()
    return next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), None)


def read_warc(path: Path, shown: str) -> Iterator[Document | Skipped]:
    """Documents from every HTML response record of one WARC file."""
    try:
        import warcio  # noqa: F401  (optional: the 'warc' extra)
    except ImportError:
        yield Skipped(shown, "reading WARC files needs the 'warcio' package (pip install warcio)")
        return
    try:
        handle = path.open("rb")
    except OSError as error:
        yield Skipped(shown, describe_os_error(error))
        return
    with handle:
        yield from _records(handle, shown)


def _records(handle: BinaryIO, shown: str) -> Iterator[Document | Skipped]:
    """Every article record of an open archive, then a Skipped if the archive is damaged.

    warcio passes silently over a damaged tail (a download cut short, a member that is
    not a record), so the end of the last record read is checked against the file size.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    records = ArchiveIterator(handle)
    end = 0
    try:
        for record in records:
            if record.format != "warc" or record.rec_type not in RECORD_TYPES:
                what = "an ARC record" if record.format != "warc" else f"WARC-Type {record.rec_type!r}"
                yield Skipped(shown, f"damaged WARC after byte {end}: {what}, not a WARC record")
                return
            item = _record_item(record, records, shown)
            end = records.get_record_offset() + records.get_record_length()
            if item is not None:
                yield item
    except ArchiveLoadFailed as error:
        yield Skipped(shown, f"damaged WARC after byte {end}: {first_line(error)}")
        return
    except Exception as error:  # warcio raises zlib, attribute and value errors on damaged data
        yield Skipped(shown, f"damaged WARC after byte {end}: {type(error).__name__}: {error}")
        return
    handle.seek(end)
    tail = handle.read(TAIL_CHECK_BYTES)
    if tail.strip(b"\r\n\x00 "):
        yield Skipped(shown, f"damaged WARC after byte {end}: the rest of the file is not a complete record")


def _record_item(record: Any, records: Any, shown: str) -> Document | Skipped | None:
    """The Document (or Skipped) for one record, or None for a record that is not an article.

    Reads the record's payload first: warcio knows a record's offset only once it is read.
    """
    if record.rec_type != "response" or record.http_headers is None:
        return None
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        return None
    status = record.http_headers.get_statuscode() or ""
    try:
        payload = record.content_stream().read(MAX_PAYLOAD_BYTES + 1)
        problem = None
    except Exception as error:  # warcio raises zlib, brotli and chunking errors on bad payloads
        payload, problem = b"", f"payload could not be decoded: {type(error).__name__}: {error}"
    offset = records.get_record_offset()
    where = f"{shown}@{offset}"
    if not status.startswith("2"):
        return Skipped(where, f"HTTP status {status or 'missing'}: not an article page")
    if problem is not None:
        return Skipped(where, problem)
    if len(payload) > MAX_PAYLOAD_BYTES:
        return Skipped(where, f"payload larger than {MAX_PAYLOAD_BYTES} bytes")
    document = html_document(payload, where)
    if isinstance(document, Skipped):
        return document
    headers = record.rec_headers
    document.url = document.url or headers.get_header("WARC-Target-URI")
    document.meta.update(
        {
            key: value
            for key, value in (
                ("warc_record_id", headers.get_header("WARC-Record-ID")),
                ("warc_date", headers.get_header("WARC-Date")),
                ("warc_offset", offset),
            )
            if value is not None
        }
    )
    return document
