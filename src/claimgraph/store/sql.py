"""``SqlStore``: the Store on SQLAlchemy Core, for SQLite and PostgreSQL.

Opening a store migrates its database to the schema this code ships
(``migrate.upgrade``). Every document is written in its own transaction, so a
crash while saving one leaves the ones before it intact and no trace of it.
Only bound parameters reach the database: article text never becomes SQL.

SQLite connections get foreign keys on, WAL journaling (readers do not block
the writer), ``synchronous=NORMAL`` (safe against application crashes; a power
cut may lose the last commits, never corrupt), and a busy timeout; write
transactions start with ``BEGIN IMMEDIATE`` so that concurrent writers queue
instead of failing on a lock upgrade.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    URL,
    Column,
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    or_,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from claimgraph.errors import StoreError
from claimgraph.model import Analysis, Assessment, DocumentAnalysis, Skipped, Story
from claimgraph.store import codec, migrate
from claimgraph.store import schema as t
from claimgraph.store.base import LinkState, Run, Store

# How long a SQLite writer waits for another's lock before giving up. A document
# commits in milliseconds; 30 s leaves room for a slow disk and a concurrent migration.
BUSY_TIMEOUT_MS = 30_000
# Switching a new file to WAL needs a lock SQLite does not wait for; when several
# processes open a fresh store at once, retry this often, 50 ms apart (then carry
# on in rollback-journal mode, which is slower but just as correct).
WAL_ATTEMPTS = 40
WAL_RETRY_S = 0.05
# Values per IN (...) list when loading a selection: well below SQLite's
# 32,766 and PostgreSQL's 65,535 bound-parameter limits, and large enough that
# loading thousands of documents takes tens of queries, not thousands.
LOAD_BATCH = 500
# Attempts for a replace that races another writer of the same text.
REPLACE_ATTEMPTS = 3
# Execution option that marks a connection as a writer (SQLite: BEGIN IMMEDIATE).
_WRITE_OPTION = "claimgraph_write"

_CHILD_TABLES = t.CHILD_TABLES


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _batches(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _describe(exc: SQLAlchemyError) -> str:
    """The database's complaint, without the statement and its parameters (they hold article text)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {exc.orig}"
    return str(exc).splitlines()[0]


def _enable_wal(cursor: Any) -> None:
    """Put the database file in WAL mode (a property of the file, so usually already done)."""
    for _ in range(WAL_ATTEMPTS):
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() in ("wal", "memory"):
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:  # another connection holds the lock; it may be switching too
            time.sleep(WAL_RETRY_S)


def _configure_sqlite(engine: Engine) -> None:
    """Pragmas on every new SQLite connection, and an explicit BEGIN.

    pysqlite's own implicit BEGIN comes late and leaves DDL outside transactions.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            # PRAGMA takes no bound parameters; the value is an int constant.
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
            _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writer = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def _insert_children(connection: Connection, document_pk: int, rows: codec.DocumentRows) -> None:
    """Insert a document's child rows, one executemany per table."""
    for table, table_rows in rows.children:
        if table_rows:
            connection.execute(insert(table), [{**row, "document_pk": document_pk} for row in table_rows])


class SqlStore(Store):
    """A Store in any database SQLAlchemy reaches; tested on SQLite, written for PostgreSQL too.

    ``url`` is a SQLAlchemy URL (``sqlite:///path.db``,
    ``postgresql+psycopg://user@host/db``). Opening migrates the schema;
    raises StoreError when the database cannot be opened or is newer than
    this code.
    """

    def __init__(self, url: str | URL) -> None:
        try:
            parsed = make_url(url)
            self.url = parsed.render_as_string(hide_password=True)
            self._engine = create_engine(parsed)
        except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
            raise StoreError(f"cannot use database {url!s}: {exc}") from exc
        if self._engine.dialect.name == "sqlite":
            _configure_sqlite(self._engine)
        self._writer = self._engine.execution_options(**{_WRITE_OPTION: True})
        try:
            migrate.upgrade(self._writer)
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(f"cannot open the store at {self.url}: {_describe(exc)}") from exc
        except BaseException:
            self._engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, for read-only queries beyond this interface."""
        return self._engine

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"{action} failed in {self.url}: {_describe(exc)}") from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """One read transaction, so a load sees one consistent state of the store."""
        with self._errors("reading"), self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection

    @contextmanager
    def _writing(self, action: str) -> Iterator[Connection]:
        with self._errors(action), self._writer.begin() as connection:
            yield connection

    # -- documents ---------------------------------------------------------------------------------

    def has_document(self, content_hash: str) -> bool:
        query = select(t.documents.c.pk).where(t.documents.c.content_hash == content_hash).limit(1)
        with self._reading() as connection:
            return connection.execute(query).first() is not None

    def save(self, analysis: DocumentAnalysis, *, run_id: str | None = None, replace: bool = False) -> bool:
        rows = codec.document_rows(analysis, run_id=run_id, ingested_at=_now())
        content_hash = rows.document["content_hash"]
        if not replace and self.has_document(content_hash):
            return False
        action = f"saving document {analysis.document.id}"
        for attempt in range(1, REPLACE_ATTEMPTS + 1):
            try:
                self._write_document(rows, replace=replace)
                return True
            except IntegrityError as exc:
                # Another writer may have stored the same text between our check and our insert.
                raced = self.has_document(content_hash)
                if raced and not replace:
                    return False
                if not (raced and attempt < REPLACE_ATTEMPTS):
                    raise StoreError(f"{action} failed in {self.url}: {_describe(exc)}") from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"{action} failed in {self.url}: {_describe(exc)}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _write_document(self, rows: codec.DocumentRows, *, replace: bool) -> None:
        """One transaction: (delete the stored version,) insert the document, then its children."""
        with self._writer.begin() as connection:
            if replace:
                connection.execute(
                    delete(t.documents).where(t.documents.c.content_hash == rows.document["content_hash"])
                )
            result = connection.execute(insert(t.documents).values(rows.document))
            inserted = result.inserted_primary_key
            if inserted is None:  # pragma: no cover - every supported backend reports it
                raise StoreError("the database did not report the new document's key")
            document_pk = inserted[0]
            _insert_children(connection, document_pk, rows)

    def save_cross(
        self, stories: Sequence[Story], assessments: Sequence[Assessment], *, run_id: str | None = None
    ) -> None:
        rows = codec.cross_rows(stories, assessments, run_id)
        with self._writing("saving stories and assessments") as connection:
            connection.execute(delete(t.stories))  # members go by ON DELETE CASCADE
            connection.execute(delete(t.assessments))
            connection.execute(delete(t.link_meta))  # the kept linking states no longer match these
            for table, table_rows in rows:
                if table_rows:
                    connection.execute(insert(table), table_rows)

    # -- incremental linking -----------------------------------------------------------------------

    def load_documents(self, document_ids: Sequence[str]) -> list[DocumentAnalysis]:
        with self._reading() as connection:
            return self._analyses(connection, self._document_rows(connection, document_ids), whole=False)

    def load_cross(self) -> tuple[list[Story], list[Assessment]]:
        with self._reading() as connection:
            return self._load_stories(connection, None), self._load_assessments(connection, None)

    def link_state(self) -> LinkState:
        d, ls = t.documents, t.link_state
        query = select(d.c.id, ls.c.state).select_from(d.outerjoin(ls, ls.c.document_pk == d.c.pk))
        with self._reading() as connection:
            meta = {row.key: row.value for row in connection.execute(select(t.link_meta))}
            linked: list[tuple[str, bytes]] = []
            unlinked: list[str] = []
            in_order = True
            for doc_id, state in connection.execute(query.order_by(d.c.pk)):
                if state is None:
                    unlinked.append(doc_id)
                else:
                    in_order = in_order and not unlinked
                    linked.append((doc_id, bytes(state)))
        return LinkState(meta.get("fingerprint"), linked, unlinked, in_order, meta.get("generation"))

    def save_link(
        self,
        states: Mapping[str, bytes],
        stories: Sequence[Story],
        assessments: Sequence[Assessment],
        fingerprint: str,
        *,
        previous: tuple[Sequence[Story], Sequence[Assessment]] | None = None,
        generation: str | None = None,
        run_id: str | None = None,
    ) -> int:
        with self._writing("saving the linking results") as connection:
            if previous is None:
                connection.execute(delete(t.link_state))
                connection.execute(delete(t.stories))  # members go by ON DELETE CASCADE
                connection.execute(delete(t.assessments))
                rows = codec.cross_rows(stories, assessments, run_id)
                written = len(stories) + len(assessments)
            else:
                m = t.link_meta
                query = select(m.c.value).where(m.c.key == "generation").with_for_update()
                if connection.execute(query).scalar() != generation:
                    raise StoreError(
                        f"another linking run saved results in {self.url} meanwhile: run it again"
                    )
                rows, written = self._cross_changes(connection, stories, assessments, previous, run_id)
            for table, table_rows in rows:
                if table_rows:
                    connection.execute(insert(table), table_rows)
            self._write_states(connection, states)
            connection.execute(delete(t.link_meta))
            connection.execute(
                insert(t.link_meta),
                [
                    {"key": "fingerprint", "value": fingerprint},
                    {"key": "generation", "value": uuid.uuid4().hex},
                ],
            )
        return written

    @staticmethod
    def _cross_changes(
        connection: Connection,
        stories: Sequence[Story],
        assessments: Sequence[Assessment],
        previous: tuple[Sequence[Story], Sequence[Assessment]],
        run_id: str | None,
    ) -> tuple[list[tuple[Table, list[dict[str, Any]]]], int]:
        """Delete the stored stories and assessments that differ from the new ones, renumber
        those kept, and return the rows to insert (with their final ``ord``)."""
        old_stories = {s.id: (i, s) for i, s in enumerate(previous[0])}
        old_assessments = {a.id: (i, a) for i, a in enumerate(previous[1])}
        new_stories = [s for s in stories if old_stories.get(s.id, (0, None))[1] != s]
        new_assessments = [a for a in assessments if old_assessments.get(a.id, (0, None))[1] != a]
        for table, old, current, rewritten in (
            (t.stories, old_stories, [s.id for s in stories], {s.id for s in new_stories}),
            (t.assessments, old_assessments, [a.id for a in assessments], {a.id for a in new_assessments}),
        ):
            keep = {x: i for i, x in enumerate(current)}
            gone = [i for i in old if i not in keep or i in rewritten]
            for batch in _batches(gone, LOAD_BATCH):
                connection.execute(delete(table).where(table.c.id.in_(batch)))
            moved = [
                {"b_id": i, "b_ord": keep[i]}
                for i, (pos, _) in old.items()
                if i in keep and i not in rewritten and pos != keep[i]
            ]
            if moved:
                query = update(table).where(table.c.id == bindparam("b_id")).values(ord=bindparam("b_ord"))
                connection.execute(query, moved)
        rows = codec.cross_rows(new_stories, new_assessments, run_id)
        position = {t.stories: {s.id: i for i, s in enumerate(stories)}}
        position[t.assessments] = {a.id: i for i, a in enumerate(assessments)}
        for table, table_rows in rows:
            if table in position:
                for row in table_rows:
                    row["ord"] = position[table][row["id"]]
        return rows, len(new_stories) + len(new_assessments)

    @staticmethod
    def _write_states(connection: Connection, states: Mapping[str, bytes]) -> None:
        ids = list(states)
        pks: dict[str, int] = {}
        for batch in _batches(ids, LOAD_BATCH):
            query = select(t.documents.c.id, t.documents.c.pk).where(t.documents.c.id.in_(batch))
            pks.update((row.id, row.pk) for row in connection.execute(query))
        missing = [i for i in ids if i not in pks]
        if missing:
            raise StoreError(f"no stored document with id {missing[0]} to keep a linking state for")
        for batch in _batches([pks[i] for i in ids], LOAD_BATCH):
            connection.execute(delete(t.link_state).where(t.link_state.c.document_pk.in_(batch)))
        rows = [{"document_pk": pks[i], "state": states[i]} for i in ids]
        for batch in _batches(rows, LOAD_BATCH):
            connection.execute(insert(t.link_state), list(batch))

    def _analyses(
        self, connection: Connection, documents: list[Any], *, whole: bool
    ) -> list[DocumentAnalysis]:
        """The analyses of the document rows ``documents`` (``whole``: every stored document, so
        child rows are read without a document filter)."""
        selection = None if whole else [d.pk for d in documents]
        assembler = codec.DocumentAssembler()
        for table, order in _CHILD_TABLES:
            for query in self._child_queries(table, order, selection):
                assembler.add(table, connection.execute(query))
        return assembler.build(documents)

    def load(self, document_ids: Sequence[str] | None = None) -> Analysis:
        with self._reading() as connection:
            documents = self._document_rows(connection, document_ids)
            analyses = self._analyses(connection, documents, whole=document_ids is None)
            if document_ids is None:
                story_ids = assessment_ids = None
            else:
                story_ids = self._stories_naming(connection, [d.id for d in documents])
                assessment_ids = self._assessments_about(connection, [d.pk for d in documents], story_ids)
            return Analysis(
                documents=analyses,
                stories=self._load_stories(connection, story_ids),
                assessments=self._load_assessments(connection, assessment_ids),
            )

    def _document_rows(self, connection: Connection, document_ids: Sequence[str] | None) -> list[Any]:
        if document_ids is None:
            return list(connection.execute(select(t.documents).order_by(t.documents.c.pk)))
        wanted = list(dict.fromkeys(document_ids))
        found: dict[str, Any] = {}
        for batch in _batches(wanted, LOAD_BATCH):
            for row in connection.execute(select(t.documents).where(t.documents.c.id.in_(batch))):
                found[row.id] = row
        missing = [i for i in wanted if i not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise StoreError(f"no stored document with id {shown}")
        return [found[i] for i in wanted]

    @staticmethod
    def _child_queries(
        table: Table, order: tuple[str, ...], document_pks: Sequence[int] | None
    ) -> Iterator[Select[Any]]:
        query = select(table).order_by(*(table.c[name] for name in order))
        if document_pks is None:
            yield query
            return
        for batch in _batches(document_pks, LOAD_BATCH):
            yield query.where(table.c.document_pk.in_(batch))

    @staticmethod
    def _ids_where(
        connection: Connection,
        id_column: Column[Any],
        match_column: Column[Any],
        values: Sequence[str],
        *conditions: ColumnElement[bool],
    ) -> list[str]:
        """Distinct ``id_column`` values of rows whose ``match_column`` is among ``values``."""
        found: set[str] = set()
        for batch in _batches(values, LOAD_BATCH):
            query = select(id_column).where(match_column.in_(batch), *conditions).distinct()
            found.update(connection.execute(query).scalars())
        return sorted(found)

    def _stories_naming(self, connection: Connection, document_ids: Sequence[str]) -> list[str]:
        sd = t.story_documents
        return self._ids_where(connection, sd.c.story_id, sd.c.document_id, document_ids)

    def _assessments_about(
        self, connection: Connection, document_pks: Sequence[int], story_ids: Sequence[str]
    ) -> list[str]:
        """Assessments whose subject names these documents, their claims or events, or these stories."""
        refs, d, c, e = t.assessment_refs, t.documents, t.claims, t.events
        subject = refs.c.role == "subject"
        found: set[str] = set()
        for batch in _batches(document_pks, LOAD_BATCH):
            named = or_(
                refs.c.ref.in_(select(d.c.id).where(d.c.pk.in_(batch))),
                refs.c.ref.in_(select(c.c.id).where(c.c.document_pk.in_(batch))),
                refs.c.ref.in_(select(e.c.id).where(e.c.document_pk.in_(batch))),
            )
            found.update(
                connection.execute(select(refs.c.assessment_id).where(subject, named).distinct()).scalars()
            )
        found.update(self._ids_where(connection, refs.c.assessment_id, refs.c.ref, story_ids, subject))
        return sorted(found)

    def _select_by_ids(
        self, connection: Connection, table: Table, key: Column[Any], ids: Sequence[str] | None, *order: str
    ) -> list[Any]:
        """Rows of ``table`` (all, or those whose ``key`` is in ``ids``) in ``order``."""
        query = select(table).order_by(*(table.c[name] for name in order))
        if ids is None:
            return list(connection.execute(query))
        rows: list[Any] = []
        for batch in _batches(ids, LOAD_BATCH):
            rows.extend(connection.execute(query.where(key.in_(batch))))
        return sorted(rows, key=lambda row: tuple(getattr(row, name) for name in order))

    def _load_stories(self, connection: Connection, ids: Sequence[str] | None) -> list[Story]:
        s, sd, se = t.stories, t.story_documents, t.story_events
        return codec.build_stories(
            self._select_by_ids(connection, s, s.c.id, ids, "ord"),
            self._select_by_ids(connection, sd, sd.c.story_id, ids, "story_id", "ord"),
            self._select_by_ids(connection, se, se.c.story_id, ids, "story_id", "ord"),
        )

    def _load_assessments(self, connection: Connection, ids: Sequence[str] | None) -> list[Assessment]:
        a, refs = t.assessments, t.assessment_refs
        return codec.build_assessments(
            self._select_by_ids(connection, a, a.c.id, ids, "ord"),
            self._select_by_ids(connection, refs, refs.c.assessment_id, ids, "assessment_id", "role", "ord"),
        )

    def document_ids(self) -> list[str]:
        with self._reading() as connection:
            query = select(t.documents.c.id).order_by(t.documents.c.pk)
            return list(connection.execute(query).scalars())

    def count_documents(self) -> int:
        with self._reading() as connection:
            return int(connection.execute(select(func.count()).select_from(t.documents)).scalar_one())

    # -- runs and failures -------------------------------------------------------------------------

    def start_run(self, command: str, settings: dict[str, Any]) -> str:
        try:
            # Paths and other plain objects in settings are stored as their str().
            stored = json.loads(json.dumps(settings, default=str))
        except (TypeError, ValueError) as exc:
            raise StoreError(f"run settings cannot be stored as JSON: {exc}") from exc
        run_id = uuid.uuid4().hex
        with self._writing("starting a run") as connection:
            connection.execute(
                insert(t.runs).values(
                    id=run_id, command=command, settings=stored, status="running", started_at=_now()
                )
            )
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        with self._writing(f"finishing run {run_id}") as connection:
            result = connection.execute(
                update(t.runs).where(t.runs.c.id == run_id).values(status=status, finished_at=_now())
            )
            if result.rowcount == 0:
                raise StoreError(f"no run with id {run_id!r}")

    def runs(self) -> list[Run]:
        with self._reading() as connection:
            rows = connection.execute(select(t.runs).order_by(t.runs.c.started_at, t.runs.c.id))
            return [
                Run(
                    id=r.id,
                    command=r.command,
                    status=r.status,
                    started_at=_utc(r.started_at),
                    finished_at=_utc(r.finished_at) if r.finished_at is not None else None,
                    settings=dict(r.settings),
                )
                for r in rows
            ]

    def record_failure(self, run_id: str | None, skipped: Skipped) -> None:
        with self._writing("recording a failure") as connection:
            connection.execute(
                insert(t.failures).values(
                    run_id=run_id,
                    path=skipped.path,
                    problem=skipped.problem,
                    line=skipped.line,
                    recorded_at=_now(),
                )
            )

    def failures(self, run_id: str | None = None) -> list[Skipped]:
        query = select(t.failures).order_by(t.failures.c.id)
        if run_id is not None:
            query = query.where(t.failures.c.run_id == run_id)
        with self._reading() as connection:
            return [Skipped(path=r.path, problem=r.problem, line=r.line) for r in connection.execute(query)]

    def close(self) -> None:
        self._engine.dispose()
