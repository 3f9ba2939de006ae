"""What the web reader keeps between requests: rebuilt documents, and its own read-only connections.

- ``DocumentCache``: a bounded, thread-safe LRU of ``CachedDocument`` (a stored
  document's rebuilt analysis, with the JSON of its items made on first use),
  keyed by (document pk, ingested_at). A stored analysis never changes (a
  replaced document gets a new ``ingested_at``), so entries never go stale.
- ``read_only_engine``: a pooled engine of read-only SQLite connections on the
  store's file, opened once each and reused.
- ``StoreVersion`` and ``VersionedCache``: results over the whole store (pages
  of stories, the stories page's summaries), kept while the SQLite file has not
  been written since they were computed.

Both are objects the reader owns (``queries.StoreReader``), never module state.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event

from claimgraph.model import DocumentAnalysis

# Documents whose rebuilt analysis (and the JSON of its items) a reader keeps in
# memory, least recently used out. Measured on the BBC benchmark store: ~53 kB per
# document with all its JSON made, so ~55 MB per server process when full; a page
# of 100 claims touches ~10 documents.
DOCUMENT_CACHE_SIZE = 1024
# Cross-document results (pages of stories and of story summaries) a reader keeps per
# store version: a page is at most ~100 kB of JSON-ready objects.
RESULT_CACHE_SIZE = 64
# Pooled read-only SQLite connections kept open: one per request served at once
# (the threadpool runs up to 40; the benchmark's 20 clients over 2 workers use ~10 each).
READ_POOL_SIZE = 16
READ_POOL_OVERFLOW = 32
# SQLite read connections: wait this long for a writer's lock, and map this much
# of the file into memory (reads then skip a copy through the page cache).
BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 256 * 1024 * 1024

ITEM_KINDS = ("sources", "claims", "events", "places")

DocumentKey = tuple[int, datetime]


@dataclass(slots=True)
class CachedDocument:
    """One stored document's analysis, with the JSON of its items made on first use.

    Shared between requests: callers read it and never change it.
    """

    analysis: DocumentAnalysis
    _json: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _by_id: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _document: dict[str, Any] | None = None

    def items_json(self, kind: str) -> list[dict[str, Any]]:
        """The contract objects of one kind (``ITEM_KINDS``), in document order."""
        found = self._json.get(kind)
        if found is None:
            text = self.analysis.document.text
            found = [item.to_json(text) for item in getattr(self.analysis, kind)]
            self._json[kind] = found
        return found

    def item_json(self, kind: str, item_id: str) -> dict[str, Any] | None:
        """The contract object of one item, or None when the document has no such item."""
        by_id = self._by_id.get(kind)
        if by_id is None:
            by_id = {item["id"]: item for item in self.items_json(kind)}
            self._by_id[kind] = by_id
        return by_id.get(item_id)

    def document_json(self) -> dict[str, Any]:
        """The document's contract object (with its text)."""
        if self._document is None:
            self._document = self.analysis.document.to_json()
        return self._document


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A thread-safe least-recently-used map holding at most ``size`` entries (none when 0)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class DocumentCache(LRU[DocumentKey, CachedDocument]):
    """A thread-safe LRU of ``CachedDocument`` by (document pk, ingested_at)."""


def read_only_engine(engine: Engine, pool_size: int = READ_POOL_SIZE) -> Engine | None:
    """A pooled, read-only engine on the same SQLite file as ``engine``; None for other databases.

    Reads the file path from ``engine.url``; in-memory and URI-style SQLite URLs
    get None (the caller keeps using ``engine``). Each connection is opened once
    (``mode=ro``, ``query_only``, memory-mapped reads) and reused by the pool;
    the file is already in WAL mode (the store sets it), so readers never block
    the writer. Every transaction starts with an explicit BEGIN so that one
    request's queries read one state of the store.
    """
    url = engine.url
    database = url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or url.query:
        return None
    path = Path(database).resolve()
    ro_url = URL.create(
        url.drivername, database="file:" + quote(str(path)), query={"mode": "ro", "uri": "true"}
    )
    ro = create_engine(ro_url, pool_size=pool_size, max_overflow=READ_POOL_OVERFLOW, pool_pre_ping=False)

    @event.listens_for(ro, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # PRAGMA takes no bound parameters; the values are int constants.
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute(f"PRAGMA mmap_size={int(MMAP_BYTES)}")
        finally:
            cursor.close()

    @event.listens_for(ro, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return ro


class StoreVersion:
    """A number that changes whenever any other connection commits to the SQLite store file.

    Reads ``PRAGMA data_version`` on one dedicated connection of ``engine`` (the
    reader's read-only pool); every commit by another connection, in this process
    or another, changes it. ``current()`` is None for other databases (and for a
    SQLite store without a file of its own): results are then never cached.
    """

    def __init__(self, engine: Engine | None) -> None:
        self._engine = engine if engine is not None and engine.dialect.name == "sqlite" else None
        self._connection: Any = None
        self._lock = threading.Lock()

    def current(self) -> int | None:
        if self._engine is None:
            return None
        with self._lock:
            if self._connection is None:
                self._connection = self._engine.raw_connection()
            cursor = self._connection.cursor()
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class VersionedCache:
    """A thread-safe LRU of results valid for one ``StoreVersion``: an entry is served only while the
    store is at the version it was computed at. Nothing is cached when the version is None."""

    def __init__(self, size: int) -> None:
        self._lru: LRU[Hashable, tuple[int, Any]] = LRU(size)

    @property
    def size(self) -> int:
        return self._lru.size

    def get(self, key: Hashable, version: int | None) -> Any | None:
        if version is None:
            return None
        found = self._lru.get(key)
        return found[1] if found is not None and found[0] == version else None

    def put(self, key: Hashable, version: int | None, value: Any) -> None:
        if version is not None:
            self._lru.put(key, (version, value))
