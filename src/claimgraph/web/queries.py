"""Read-side queries for the web app: filtered, cursor-paginated listings over a ``SqlStore``.

Reads the store's tables for what the ``Store`` interface does not offer:
pages of ids in a stable order, with filters. Whole items are rebuilt from
the store's rows with the store's own codec (as ``Store.load`` does), so the
API returns exactly the contract's objects.

Built to answer many concurrent clients on a large store:

- a SQLite store is read through the reader's own pool of read-only
  connections (``cache.read_only_engine``), opened once each and reused;
- pages are keyset queries on indexed columns (``(document_pk, ord)``, see
  migration 0002), never OFFSET and never a sort of the whole table;
- a page's documents are rebuilt in one query per table, and kept in a
  bounded LRU (``cache.DocumentCache``) with the JSON of their items, since a
  stored analysis never changes; listings never rebuild stories or
  assessments they do not show.

Order and cursor: documents by their storage key; per-document items
(sources, claims, events, places) by (document, position); stories and
assessments by position. A cursor is the last key of a page, as base64url
JSON: opaque to clients, and stable while rows are added after it.

Filters (all optional, combined with AND):

- ``since`` / ``until``: the document's ``published`` date, compared as ISO
  8601 text at the precision given (``until=2024-05`` keeps all of May);
- ``source``: a source key (or source id) that speaks or relays;
- ``grade``: an Admiralty grade ("B2"), or only its reliability ("B") or credibility ("2");
- ``place``: a place name or gazetteer id;
- ``document``: one document id;
- ``q``: words in a document's title or text (documents and items; every word,
  through the full-text index: see ``search``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)

from claimgraph.errors import InputError
from claimgraph.model import Analysis, Assessment, Story
from claimgraph.store import codec
from claimgraph.store import schema as t
from claimgraph.store.base import Store
from claimgraph.web import search
from claimgraph.web.cache import (
    DOCUMENT_CACHE_SIZE,
    ITEM_KINDS,
    RESULT_CACHE_SIZE,
    CachedDocument,
    DocumentCache,
    DocumentKey,
    StoreVersion,
    VersionedCache,
    read_only_engine,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Filters",
    "Page",
    "StoreReader",
    "StorySummary",
]

# Items per page when the client does not say, and the most it may ask for.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Values per IN (...) list (as in the store): well below SQLite's bound-parameter limit.
IN_BATCH = 500

_CHILD_TABLES = t.CHILD_TABLES
# The table of each per-document item kind (``ITEM_KINDS``).
_ITEM_TABLES = {"sources": t.sources, "claims": t.claims, "events": t.events, "places": t.places}


@dataclass(frozen=True, slots=True)
class Filters:
    since: str | None = None
    until: str | None = None
    source: str | None = None
    grade: str | None = None
    place: str | None = None
    document: str | None = None
    q: str | None = None


@dataclass(slots=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "next": self.next}


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> tuple[Any, ...]:
    """The key a cursor holds; InputError when it is not one this server issued."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InputError("cursor", "not a cursor this server issued") from exc
    if not isinstance(key, list) or len(key) != arity or not all(isinstance(k, int) for k in key):
        raise InputError("cursor", "not a cursor this server issued")
    return tuple(key)


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(int(limit), MAX_LIMIT))


def _grade_condition(grade: str) -> ColumnElement[bool]:
    a = t.assessments
    grade = grade.strip().upper()
    if len(grade) == 1 and grade.isdigit():
        return a.c.credibility == grade
    if len(grade) == 1:
        return a.c.reliability == grade
    return and_(a.c.reliability == grade[:1], a.c.credibility == grade[1:])


def _graded_refs(grade: str) -> Select[Any]:
    """Ids that are the subject of an assessment with this grade."""
    a, refs = t.assessments, t.assessment_refs
    return (
        select(refs.c.ref)
        .join(a, a.c.id == refs.c.assessment_id)
        .where(refs.c.role == "subject", _grade_condition(grade))
    )


def _published(filters: Filters) -> list[ColumnElement[bool]]:
    d = t.documents
    out: list[ColumnElement[bool]] = []
    if filters.since:
        out.append(d.c.published >= filters.since)
    if filters.until:
        out.append(func.substr(d.c.published, 1, len(filters.until)) <= filters.until)
    return out


def _source_matches(value: str) -> ColumnElement[bool]:
    s = t.sources
    return or_(s.c.key == value, s.c.id == value)


def _place_matches(value: str) -> ColumnElement[bool]:
    p = t.places
    return or_(func.lower(p.c.name) == value.lower(), p.c.gazetteer_id == value)


def _document_conditions(filters: Filters, dialect: str) -> list[ColumnElement[bool]]:
    """Conditions on ``documents`` shared by every listing (joined to it); ``q`` through the full-text index."""
    d = t.documents
    out = _published(filters)
    if filters.document:
        out.append(d.c.id == filters.document)
    if filters.q:
        out.append(search.document_condition(dialect, filters.q))
    return out


def _claim_by_source(value: str) -> ColumnElement[bool]:
    c, cc, s = t.claims, t.claim_chain, t.sources
    in_chain = exists(
        select(literal(1))
        .select_from(cc.join(s, and_(s.c.document_pk == cc.c.document_pk, s.c.id == cc.c.source_id)))
        .where(cc.c.document_pk == c.c.document_pk, cc.c.claim_id == c.c.id, _source_matches(value))
    )
    speaker = exists(
        select(literal(1)).where(
            s.c.document_pk == c.c.document_pk, s.c.id == c.c.source_id, _source_matches(value)
        )
    )
    return or_(in_chain, speaker)


def _event_at_place(value: str) -> ColumnElement[bool]:
    e, ep, p = t.events, t.event_places, t.places
    return exists(
        select(literal(1))
        .select_from(ep.join(p, and_(p.c.document_pk == ep.c.document_pk, p.c.id == ep.c.place_id)))
        .where(ep.c.document_pk == e.c.document_pk, ep.c.event_id == e.c.id, _place_matches(value))
    )


@dataclass(slots=True)
class StorySummary:
    """A row of the stories page: member counts, the distinct grades about it, its distinct origins."""

    id: str
    label: str
    documents: int
    events: int
    grades: set[str] = field(default_factory=set)
    origins: int = 0
    ord: int = 0  # its position: the cursor of the next page of summaries


def _batches(values: Sequence[Any], size: int = IN_BATCH) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class StoreReader:
    """Listings and lookups over one store, through its own read-only connections where it can.

    ``cache_size`` documents' rebuilt analyses are kept in memory (see
    ``DOCUMENT_CACHE_SIZE``). Call ``close()`` when done.
    """

    def __init__(self, store: Store, *, cache_size: int = DOCUMENT_CACHE_SIZE) -> None:
        engine = getattr(store, "engine", None)
        if not isinstance(engine, Engine):
            raise InputError(repr(store), "the web app needs a SQL store (one with an engine)")
        self.store = store
        self._own_engine = read_only_engine(engine)
        self.engine = self._own_engine or engine
        self.cache = DocumentCache(cache_size)
        self.version = StoreVersion(self._own_engine)
        self.results = VersionedCache(RESULT_CACHE_SIZE)

    def close(self) -> None:
        """Close the reader's own connections (the store stays open)."""
        self.version.close()
        if self._own_engine is not None:
            self._own_engine.dispose()

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """One read transaction: every query of a request sees one state of the store."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def _cached(
        self, connection: Connection, keys: Sequence[DocumentKey]
    ) -> dict[DocumentKey, CachedDocument]:
        """The cached analyses of these documents, rebuilding (in a few bulk queries) those not cached."""
        found: dict[DocumentKey, CachedDocument] = {}
        missing: list[int] = []
        for key in dict.fromkeys(keys):
            entry = self.cache.get(key)
            if entry is None:
                missing.append(key[0])
            else:
                found[key] = entry
        d = t.documents
        for batch in _batches(missing):
            documents = list(connection.execute(select(d).where(d.c.pk.in_(batch)).order_by(d.c.pk)))
            assembler = codec.DocumentAssembler()
            for table, order in _CHILD_TABLES:
                query = select(table).where(table.c.document_pk.in_(batch))
                assembler.add(table, connection.execute(query.order_by(*(table.c[n] for n in order))).all())
            for row, analysis in zip(documents, assembler.build(documents), strict=True):
                entry = CachedDocument(analysis)
                self.cache.put((row.pk, row.ingested_at), entry)
                found[(row.pk, row.ingested_at)] = entry
        return found

    # -- documents ---------------------------------------------------------------------------------

    def documents(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Document summaries (no text), with counts of their sources and claims."""
        d, s, c, p = t.documents, t.sources, t.claims, t.places
        claims = select(func.count()).where(c.c.document_pk == d.c.pk).scalar_subquery()
        sources = select(func.count()).where(s.c.document_pk == d.c.pk).scalar_subquery()
        query = select(
            d.c.pk, d.c.id, d.c.title, d.c.outlet, d.c.published, d.c.url, d.c.path,
            sources.label("sources"), claims.label("claims"),
        ).where(*_document_conditions(filters, self.engine.dialect.name))  # fmt: skip
        if filters.source:
            query = query.where(
                exists(select(literal(1)).where(s.c.document_pk == d.c.pk, _source_matches(filters.source)))
            )
        if filters.place:
            query = query.where(
                exists(select(literal(1)).where(p.c.document_pk == d.c.pk, _place_matches(filters.place)))
            )
        if filters.grade:
            graded = _graded_refs(filters.grade)
            query = query.where(
                or_(
                    d.c.id.in_(graded),
                    exists(select(literal(1)).where(c.c.document_pk == d.c.pk, c.c.id.in_(graded))),
                )
            )
        if cursor:
            (after,) = decode_cursor(cursor, 1)
            query = query.where(d.c.pk > after)
        size = clamp_limit(limit)
        with self._reading() as connection:
            rows = list(connection.execute(query.order_by(d.c.pk).limit(size + 1)))
        items = [
            {
                k: getattr(r, k)
                for k in ("id", "title", "outlet", "published", "url", "path", "sources", "claims")
            }
            for r in rows[:size]
        ]
        return Page(items, encode_cursor([rows[size - 1].pk]) if len(rows) > size else None)

    def search(self, q: str | None, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Documents whose text, title, claims or sources hold every word of ``q``, newest stored first.

        Each hit carries offsets, a snippet, the matching claims and sources and
        a link that highlights the span (see ``search``). ``filters``: the
        ``since``/``until``/``document`` conditions apply.
        """
        after = decode_cursor(cursor, 1)[0] if cursor else None
        size = clamp_limit(limit)
        conditions = _document_conditions(
            Filters(filters.since, filters.until, document=filters.document), ""
        )
        with self._reading() as connection:
            found = search.search(connection, q, conditions, after, size)
        return Page(found.items, encode_cursor([found.next_pk]) if found.next_pk is not None else None)

    # -- per-document items ------------------------------------------------------------------------

    def items(self, kind: str, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Contract objects of one kind (``ITEM_KINDS``) across documents, paginated."""
        table = _ITEM_TABLES[kind]
        d = t.documents
        query = (
            select(table.c.document_pk, table.c.ord, table.c.id, d.c.ingested_at)
            .join(d, d.c.pk == table.c.document_pk)
            .where(*_document_conditions(filters, self.engine.dialect.name))
        )
        query = query.where(*self._item_conditions(kind, filters))
        if cursor:
            doc_pk, ord_ = decode_cursor(cursor, 2)
            query = query.where(
                or_(table.c.document_pk > doc_pk, and_(table.c.document_pk == doc_pk, table.c.ord > ord_))
            )
        size = clamp_limit(limit)
        with self._reading() as connection:
            rows = list(connection.execute(query.order_by(table.c.document_pk, table.c.ord).limit(size + 1)))
            page = rows[:size]
            cached = self._cached(connection, [(r.document_pk, r.ingested_at) for r in page])
        items = []
        for r in page:
            entry = cached.get((r.document_pk, r.ingested_at))
            found = entry.item_json(kind, r.id) if entry is not None else None
            if found is not None:
                items.append(found)
        last = rows[size - 1] if len(rows) > size else None
        return Page(items, encode_cursor([last.document_pk, last.ord]) if last is not None else None)

    def _item_conditions(self, kind: str, filters: Filters) -> list[ColumnElement[bool]]:
        s, c, e, p = t.sources, t.claims, t.events, t.places
        out: list[ColumnElement[bool]] = []
        if filters.source:
            if kind == "sources":
                out.append(_source_matches(filters.source))
            elif kind == "claims":
                out.append(_claim_by_source(filters.source))
            else:
                out.append(
                    _in_a_document_with(e if kind == "events" else p, s, _source_matches(filters.source))
                )
        if filters.place:
            if kind == "places":
                out.append(_place_matches(filters.place))
            elif kind == "events":
                out.append(_event_at_place(filters.place))
            else:
                out.append(
                    _in_a_document_with(s if kind == "sources" else c, p, _place_matches(filters.place))
                )
        if filters.grade:
            out.append(_ITEM_TABLES[kind].c.id.in_(_graded_refs(filters.grade)))
        return out

    # -- cross-document results --------------------------------------------------------------------

    def stories(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Stories paginated by position, as contract objects (built from plain rows, no model objects).

        Kept in ``results`` while the store is unchanged (see ``cache.StoreVersion``).
        """
        key = ("stories", filters, cursor, limit)
        version = self.version.current()
        found: Page | None = self.results.get(key, version)
        if found is None:
            found = self._stories_page(filters, cursor, limit)
            self.results.put(key, version, found)
        return found

    def _stories_page(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        st, sd = t.stories, t.story_documents
        query = select(st.c.id, st.c.ord, st.c.label)
        if filters.document:
            query = query.where(
                exists(
                    select(literal(1)).where(sd.c.story_id == st.c.id, sd.c.document_id == filters.document)
                )
            )
        if filters.grade:
            query = query.where(st.c.id.in_(_graded_refs(filters.grade)))
        if cursor:
            (after,) = decode_cursor(cursor, 1)
            query = query.where(st.c.ord > after)
        size = clamp_limit(limit)
        with self._reading() as connection:
            rows = list(connection.execute(query.order_by(st.c.ord).limit(size + 1)))
            ids = [r.id for r in rows[:size]]
            documents, events = self._story_members(connection, ids)
        items = [
            {
                "id": r.id,
                "label": r.label,
                "documents": documents.get(r.id, []),
                "events": events.get(r.id, []),
            }
            for r in rows[:size]
        ]
        return Page(items, encode_cursor([rows[size - 1].ord]) if len(rows) > size else None)

    @staticmethod
    def _story_members(connection: Connection, ids: Sequence[str]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Per story id: its document ids and its event ids, in order.

        Aggregated in SQL into one JSON array of ``[ord, id]`` pairs per story (a
        story has tens of members: a row per story instead of one per member).
        """
        found: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
        sqlite = connection.dialect.name == "sqlite"
        for table, member, out in (
            (t.story_documents, "document_id", found[0]),
            (t.story_events, "event_id", found[1]),
        ):
            pair = (func.json_array if sqlite else func.json_build_array)(table.c.ord, table.c[member])
            members = type_coerce((func.json_group_array if sqlite else func.json_agg)(pair), JSON)
            for batch in _batches(ids):
                query = select(table.c.story_id, members).where(table.c.story_id.in_(batch))
                for story_id, pairs in connection.execute(query.group_by(table.c.story_id)).all():
                    out[story_id] = [value for _, value in sorted(pairs)]
        return found

    def assessments(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        a, refs = t.assessments, t.assessment_refs
        query = select(a.c.id, a.c.ord)
        if filters.grade:
            query = query.where(_grade_condition(filters.grade))
        if filters.document or filters.source:
            wanted = filters.document or filters.source or ""
            query = query.where(
                exists(
                    select(literal(1)).where(
                        refs.c.assessment_id == a.c.id,
                        or_(refs.c.ref == wanted, refs.c.ref.like(wanted.replace("%", "") + "/%")),
                    )
                )
            )
        if cursor:
            (after,) = decode_cursor(cursor, 1)
            query = query.where(a.c.ord > after)
        size = clamp_limit(limit)
        with self._reading() as connection:
            rows = list(connection.execute(query.order_by(a.c.ord).limit(size + 1)))
            found = self._assessments(connection, [r.id for r in rows[:size]])
        return Page(
            [x.to_json() for x in found], encode_cursor([rows[size - 1].ord]) if len(rows) > size else None
        )

    def load_stories(self, ids: Sequence[str]) -> list[Story]:
        """These stories, in this order (unknown ids are left out)."""
        with self._reading() as connection:
            return self._stories(connection, ids)

    def load_assessments(self, ids: Sequence[str]) -> list[Assessment]:
        """These assessments, in this order (unknown ids are left out)."""
        with self._reading() as connection:
            return self._assessments(connection, ids)

    def assessments_about(self, refs_wanted: Sequence[str]) -> list[Assessment]:
        """Assessments whose subject names any of these ids, by id."""
        with self._reading() as connection:
            return self._assessments(connection, self._assessment_ids_about(connection, refs_wanted))

    @staticmethod
    def _stories(connection: Connection, ids: Sequence[str], *, by_ord: bool = False) -> list[Story]:
        """These stories, in this order (or in stored order when ``by_ord``); unknown ids are left out."""
        if not ids:
            return []
        st, sd, se = t.stories, t.story_documents, t.story_events
        rows: list[Any] = []
        documents: list[Any] = []
        events: list[Any] = []
        for batch in _batches(list(ids)):
            rows.extend(connection.execute(select(st).where(st.c.id.in_(batch))))
            # Members in (story, ord) order: their primary key's order, so no sort; each
            # story's members fall in one batch, which is all the grouping below needs.
            documents.extend(
                connection.execute(
                    select(sd).where(sd.c.story_id.in_(batch)).order_by(sd.c.story_id, sd.c.ord)
                )
            )
            events.extend(
                connection.execute(
                    select(se).where(se.c.story_id.in_(batch)).order_by(se.c.story_id, se.c.ord)
                )
            )
        built = codec.build_stories(sorted(rows, key=lambda r: r.ord), documents, events)
        if by_ord:
            return built
        by_id = {s.id: s for s in built}
        return [by_id[i] for i in ids if i in by_id]

    @staticmethod
    def _assessments(connection: Connection, ids: Sequence[str], *, by_ord: bool = False) -> list[Assessment]:
        """These assessments, in this order (or in stored order when ``by_ord``); unknown ids are left out."""
        if not ids:
            return []
        a, refs = t.assessments, t.assessment_refs
        rows: list[Any] = []
        ref_rows: list[Any] = []
        for batch in _batches(list(ids)):
            rows.extend(connection.execute(select(a).where(a.c.id.in_(batch))))
            ref_rows.extend(
                connection.execute(
                    select(refs)
                    .where(refs.c.assessment_id.in_(batch))
                    .order_by(refs.c.assessment_id, refs.c.role, refs.c.ord)
                )
            )
        built = codec.build_assessments(sorted(rows, key=lambda r: r.ord), ref_rows)
        if by_ord:
            return built
        by_id = {x.id: x for x in built}
        return [by_id[i] for i in ids if i in by_id]

    @staticmethod
    def _assessment_ids_about(connection: Connection, refs_wanted: Sequence[str]) -> list[str]:
        """Ids (sorted) of the assessments whose subject names any of ``refs_wanted``."""
        refs = t.assessment_refs
        found: set[str] = set()
        for batch in _batches(list(dict.fromkeys(refs_wanted))):
            query = select(refs.c.assessment_id).where(refs.c.role == "subject", refs.c.ref.in_(batch))
            found.update(connection.execute(query.distinct()).scalars())
        return sorted(found)

    def story_summaries(self, limit: int, after: int | None = None) -> tuple[list[StorySummary], bool]:
        """The stories page: the first ``limit`` stories by position (after position ``after``), and
        whether there are more (kept in ``results`` while the store is unchanged).

        The summaries are shared with other requests: read them, never change them.
        """
        key = ("story_summaries", limit, after)
        version = self.version.current()
        found: tuple[list[StorySummary], bool] | None = self.results.get(key, version)
        if found is None:
            found = self._story_summaries(limit, after)
            self.results.put(key, version, found)
        return found

    def _story_summaries(self, limit: int, after: int | None) -> tuple[list[StorySummary], bool]:
        """``story_summaries``, read from the store.

        Each with counts of its documents and events, the grades of the
        assessments about it or its events, and their distinct origins; counted
        and aggregated in SQL (a few rows per story), without rebuilding anything.
        """
        st, sd, se, refs, a = t.stories, t.story_documents, t.story_events, t.assessment_refs, t.assessments
        documents = select(func.count()).where(sd.c.story_id == st.c.id).scalar_subquery()
        events = select(func.count()).where(se.c.story_id == st.c.id).scalar_subquery()
        query = select(st.c.id, st.c.ord, st.c.label, documents.label("documents"), events.label("events"))
        if after is not None:
            query = query.where(st.c.ord > after)
        with self._reading() as connection:
            rows = connection.execute(query.order_by(st.c.ord).limit(max(limit, 0) + 1)).all()
            shown = {
                r.id: StorySummary(r.id, r.label, int(r.documents), int(r.events), ord=r.ord)
                for r in rows[:limit]
            }
            if shown:
                on_page = and_(
                    st.c.ord <= rows[: len(shown)][-1].ord, st.c.ord > (-1 if after is None else after)
                )
                subjects = (
                    select(st.c.id.label("story_id"), st.c.id.label("ref"))
                    .where(on_page)
                    .union_all(
                        select(se.c.story_id, se.c.event_id).join(st, st.c.id == se.c.story_id).where(on_page)
                    )
                    .subquery()
                )
                assessed = (
                    select(subjects.c.story_id, refs.c.assessment_id)
                    .join(refs, and_(refs.c.ref == subjects.c.ref, refs.c.role == "subject"))
                    .distinct()
                    .subquery()
                )
                grades = (
                    select(assessed.c.story_id, a.c.reliability, a.c.credibility)
                    .join(a, a.c.id == assessed.c.assessment_id)
                    .distinct()
                )
                for row in connection.execute(grades).all():
                    shown[row.story_id].grades.add(f"{row.reliability}{row.credibility}")
                origins = (
                    select(assessed.c.story_id, func.count(refs.c.ref.distinct()).label("n"))
                    .join(
                        refs, and_(refs.c.assessment_id == assessed.c.assessment_id, refs.c.role == "origin")
                    )
                    .group_by(assessed.c.story_id)
                )
                for row in connection.execute(origins).all():
                    shown[row.story_id].origins = int(row.n)
        return list(shown.values()), len(rows) > limit

    # -- single items ------------------------------------------------------------------------------

    def has_document(self, document_id: str) -> bool:
        d = t.documents
        with self._reading() as connection:
            return connection.execute(select(d.c.pk).where(d.c.id == document_id)).first() is not None

    def known_documents(self, document_ids: Sequence[str]) -> list[str]:
        """Those of ``document_ids`` that the store holds, in their order (one query per 500 ids)."""
        d = t.documents
        found: set[str] = set()
        with self._reading() as connection:
            for batch in _batches(list(dict.fromkeys(document_ids))):
                found.update(connection.execute(select(d.c.id).where(d.c.id.in_(batch))).scalars())
        return [i for i in document_ids if i in found]

    def document(self, document_id: str) -> Analysis | None:
        """One document's analysis with the stories and assessments about it; None when unknown.

        The ``DocumentAnalysis`` in it is shared with other requests (cached): read it, never change it.
        """
        found = self._document(document_id)
        if found is None:
            return None
        entry, stories, assessments = found
        return Analysis(documents=[entry.analysis], stories=stories, assessments=assessments)

    def document_json(self, document_id: str) -> dict[str, Any] | None:
        """``/api/documents/{id}``: the document, its items, stories and assessments as JSON; None when unknown."""
        found = self._document(document_id)
        if found is None:
            return None
        entry, stories, assessments = found
        return {
            "document": entry.document_json(),
            **{kind: entry.items_json(kind) for kind in ITEM_KINDS},
            "stories": [s.to_json() for s in stories],
            "assessments": [a.to_json() for a in assessments],
        }

    def _document(self, document_id: str) -> tuple[CachedDocument, list[Story], list[Assessment]] | None:
        """A document (cached), the stories naming it, and the assessments about it, its claims,
        events or those stories (as ``Store.load`` selects them)."""
        d, sd = t.documents, t.story_documents
        with self._reading() as connection:
            row = connection.execute(select(d.c.pk, d.c.ingested_at).where(d.c.id == document_id)).first()
            if row is None:
                return None
            key = (row.pk, row.ingested_at)
            entry = self._cached(connection, [key])[key]
            story_ids = sorted(
                connection.execute(
                    select(sd.c.story_id).where(sd.c.document_id == document_id).distinct()
                ).scalars()
            )
            da = entry.analysis
            about = [document_id, *(c.id for c in da.claims), *(e.id for e in da.events), *story_ids]
            stories = self._stories(connection, story_ids, by_ord=True)
            assessment_ids = self._assessment_ids_about(connection, about)
            assessments = self._assessments(connection, assessment_ids, by_ord=True)
        return entry, stories, assessments

    def source_documents(self, source: str, limit: int) -> list[str]:
        """Ids of the documents where a source with this key (or id) appears, oldest first."""
        d, s = t.documents, t.sources
        query = (
            select(d.c.id)
            .join(s, s.c.document_pk == d.c.pk)
            .where(_source_matches(source))
            .group_by(d.c.pk, d.c.id)
            .order_by(d.c.pk)
            .limit(limit)
        )
        with self._reading() as connection:
            return list(connection.execute(query).scalars())

    def health(self) -> bool:
        with self._reading() as connection:
            return connection.execute(select(true())).scalar() is not None


def _in_a_document_with(table: Table, other: Table, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Rows of ``table`` whose document also has a row of ``other`` meeting ``condition``."""
    return exists(select(literal(1)).where(other.c.document_pk == table.c.document_pk, condition))
