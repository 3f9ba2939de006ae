"""Read-side queries for the web app: filtered, cursor-paginated listings over a ``SqlStore``.

Reads the store's tables through its engine (read-only) for what the
``Store`` interface does not offer: pages of ids in a stable order, with
filters. Whole items are then rebuilt with ``Store.load`` so the API returns
exactly the contract's objects.

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
- ``q``: words in a document's title or text (documents only; substring match).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)

from claimgraph.errors import InputError
from claimgraph.model import Analysis, Assessment, Story
from claimgraph.store import codec
from claimgraph.store import schema as t
from claimgraph.store.base import Store

# Items per page when the client does not say, and the most it may ask for.
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

ITEM_KINDS = ("sources", "claims", "events", "places")


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


def _document_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Conditions on ``documents`` shared by every listing (joined to it)."""
    d = t.documents
    out = _published(filters)
    if filters.document:
        out.append(d.c.id == filters.document)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        out.append(or_(d.c.title.like(pattern, escape="\\"), d.c.text.like(pattern, escape="\\")))
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


class StoreReader:
    """Listings and lookups over one store; holds no state beyond the store."""

    def __init__(self, store: Store) -> None:
        engine = getattr(store, "engine", None)
        if not isinstance(engine, Engine):
            raise InputError(repr(store), "the web app needs a SQL store (one with an engine)")
        self.store = store
        self.engine = engine

    # -- documents ---------------------------------------------------------------------------------

    def documents(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Document summaries (no text), with counts of their sources and claims."""
        d, s, c, p = t.documents, t.sources, t.claims, t.places
        claims = select(func.count()).where(c.c.document_pk == d.c.pk).scalar_subquery()
        sources = select(func.count()).where(s.c.document_pk == d.c.pk).scalar_subquery()
        query = select(
            d.c.pk, d.c.id, d.c.title, d.c.outlet, d.c.published, d.c.url, d.c.path,
            sources.label("sources"), claims.label("claims"),
        ).where(*_document_conditions(filters))  # fmt: skip
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
        with self.engine.connect() as connection:
            rows = list(connection.execute(query.order_by(d.c.pk).limit(size + 1)))
        items = [
            {
                k: getattr(r, k)
                for k in ("id", "title", "outlet", "published", "url", "path", "sources", "claims")
            }
            for r in rows[:size]
        ]
        return Page(items, encode_cursor([rows[size - 1].pk]) if len(rows) > size else None)

    # -- per-document items ------------------------------------------------------------------------

    def items(self, kind: str, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Contract objects of one kind (``ITEM_KINDS``) across documents, paginated."""
        table = {"sources": t.sources, "claims": t.claims, "events": t.events, "places": t.places}[kind]
        d = t.documents
        query = (
            select(table.c.document_pk, table.c.ord, table.c.id, d.c.id.label("document_id"))
            .join(d, d.c.pk == table.c.document_pk)
            .where(*_document_conditions(filters))
        )
        query = query.where(*self._item_conditions(kind, filters))
        if cursor:
            doc_pk, ord_ = decode_cursor(cursor, 2)
            query = query.where(
                or_(table.c.document_pk > doc_pk, and_(table.c.document_pk == doc_pk, table.c.ord > ord_))
            )
        size = clamp_limit(limit)
        with self.engine.connect() as connection:
            rows = list(connection.execute(query.order_by(table.c.document_pk, table.c.ord).limit(size + 1)))
        page = rows[:size]
        analysis = self.store.load(list(dict.fromkeys(r.document_id for r in page))) if page else Analysis()
        objects: dict[tuple[str, str], dict[str, Any]] = {}
        for da in analysis.documents:
            text = da.document.text
            for item in getattr(da, kind):
                objects[(da.document.id, item.id)] = item.to_json(text)
        items = [objects[(r.document_id, r.id)] for r in page if (r.document_id, r.id) in objects]
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
                table = e if kind == "events" else p
                out.append(
                    exists(
                        select(literal(1)).where(
                            s.c.document_pk == table.c.document_pk, _source_matches(filters.source)
                        )
                    )
                )
        if filters.place:
            if kind == "places":
                out.append(_place_matches(filters.place))
            elif kind == "events":
                out.append(_event_at_place(filters.place))
            else:
                table = s if kind == "sources" else c
                out.append(
                    exists(
                        select(literal(1)).where(
                            p.c.document_pk == table.c.document_pk, _place_matches(filters.place)
                        )
                    )
                )
        if filters.grade:
            graded = _graded_refs(filters.grade)
            table = {"sources": s, "claims": c, "events": e, "places": p}[kind]
            out.append(table.c.id.in_(graded))
        return out

    # -- cross-document results --------------------------------------------------------------------

    def stories(self, filters: Filters, cursor: str | None, limit: int | None) -> Page:
        """Stories with their members, paginated by position."""
        st, sd = t.stories, t.story_documents
        query = select(st.c.id, st.c.ord)
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
        with self.engine.connect() as connection:
            rows = list(connection.execute(query.order_by(st.c.ord).limit(size + 1)))
        stories = self.load_stories([r.id for r in rows[:size]])
        return Page(
            [s.to_json() for s in stories], encode_cursor([rows[size - 1].ord]) if len(rows) > size else None
        )

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
        with self.engine.connect() as connection:
            rows = list(connection.execute(query.order_by(a.c.ord).limit(size + 1)))
        found = self.load_assessments([r.id for r in rows[:size]])
        return Page(
            [x.to_json() for x in found], encode_cursor([rows[size - 1].ord]) if len(rows) > size else None
        )

    def load_stories(self, ids: Sequence[str]) -> list[Story]:
        """These stories, in this order (unknown ids are left out)."""
        if not ids:
            return []
        st, sd, se = t.stories, t.story_documents, t.story_events
        with self.engine.connect() as connection:
            built = codec.build_stories(
                connection.execute(select(st).where(st.c.id.in_(ids)).order_by(st.c.ord)),
                connection.execute(
                    select(sd).where(sd.c.story_id.in_(ids)).order_by(sd.c.story_id, sd.c.ord)
                ),
                connection.execute(
                    select(se).where(se.c.story_id.in_(ids)).order_by(se.c.story_id, se.c.ord)
                ),
            )
        by_id = {s.id: s for s in built}
        return [by_id[i] for i in ids if i in by_id]

    def load_assessments(self, ids: Sequence[str]) -> list[Assessment]:
        if not ids:
            return []
        a, refs = t.assessments, t.assessment_refs
        with self.engine.connect() as connection:
            built = codec.build_assessments(
                connection.execute(select(a).where(a.c.id.in_(ids)).order_by(a.c.ord)),
                connection.execute(
                    select(refs)
                    .where(refs.c.assessment_id.in_(ids))
                    .order_by(refs.c.assessment_id, refs.c.role, refs.c.ord)
                ),
            )
        by_id = {x.id: x for x in built}
        return [by_id[i] for i in ids if i in by_id]

    def assessments_about(self, refs_wanted: Sequence[str]) -> list[Assessment]:
        """Assessments whose subject names any of these ids."""
        if not refs_wanted:
            return []
        refs = t.assessment_refs
        with self.engine.connect() as connection:
            ids = list(
                connection.execute(
                    select(refs.c.assessment_id)
                    .where(refs.c.role == "subject", refs.c.ref.in_(list(refs_wanted)))
                    .distinct()
                ).scalars()
            )
        return self.load_assessments(sorted(ids))

    def story_count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(t.stories)).scalar_one())

    # -- single items ------------------------------------------------------------------------------

    def has_document(self, document_id: str) -> bool:
        d = t.documents
        with self.engine.connect() as connection:
            return connection.execute(select(d.c.pk).where(d.c.id == document_id)).first() is not None

    def document(self, document_id: str) -> Analysis | None:
        """One document's analysis with the stories and assessments about it; None when unknown."""
        if not self.has_document(document_id):
            return None
        return self.store.load([document_id])

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
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    def health(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(true())).scalar() is not None
