"""Full-text search over article text, claims and sources, on SQLite (FTS5) and PostgreSQL.

The index is made and kept by migration 0003 (see ``store.schema``): document
titles and texts, and ``search_items`` (claim content, source names,
descriptors and keys). Words are stemmed (Porter on SQLite, the ``english``
configuration on PostgreSQL), so "strikes" finds "strike".

User text never reaches either query language as syntax. ``query_terms``
keeps only its words (runs of letters and digits; quotes, ``NEAR``-style
operators, ``*``, ``-``, ``:``, parentheses and the like are dropped or become
plain words); on SQLite each word becomes a quoted FTS5 string and every word
must appear; on PostgreSQL the words go, as a bound parameter, to
``plainto_tsquery``, which reads its input as plain words joined by AND.

A search returns documents, newest stored first, paginated by a keyset cursor
on the storage key. Each hit says where the words are in the text
(``span``, character offsets, and a ``snippet`` cut into plain and matching
pieces), which claims and sources matched, and links to the document page
with the span highlighted (``/documents/ID?hl=START-END#hit``). Offsets are
found again in Python over the page's texts (a crude stem-prefix match), so
both backends give them the same way; a hit whose words the index matched
only after stemming or folding that this cannot see has no span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    TextClause,
    TextualSelect,
    column,
    false,
    select,
    text,
)

from claimgraph.store import schema as t

# The most words a query keeps (a longer query is cut: the first words count), and
# the longest word (longer runs are cut): bounds on the work one request can ask for.
MAX_TERMS = 16
MAX_TERM_CHARS = 64
# Characters of context on each side of the first match in a snippet.
SNIPPET_CONTEXT = 90
# Characters of a matching claim's text shown in a hit.
CLAIM_TEXT_CHARS = 300
# Shortest stem kept when a suffix is cut for highlighting (below it, the word is kept whole).
MIN_STEM = 3
_SUFFIXES = ("ing", "ies", "ied", "es", "ed", "s", "e", "y")
_WORD = re.compile(r"[^\W_]+")

# PostgreSQL: the expressions the GIN indexes of migration 0003 are built on. A query
# must repeat them exactly for the planner to use the index.
PG_DOCUMENT_VECTOR = (
    "to_tsvector('english'::regconfig, coalesce(documents.title, '') || ' ' || left(documents.text, 200000))"
)
PG_ITEM_VECTOR = "to_tsvector('english'::regconfig, search_items.body)"
_PG_QUERY = "plainto_tsquery('english'::regconfig, :fts_query)"
# SQLite: a search item's key is (document key << ITEM_KEY_BITS) + its number in the
# document, as migration 0003 makes them.
ITEM_KEY_BITS = 20


def query_terms(q: str | None) -> list[str]:
    """The plain words of a user's query: lowercased, deduplicated, at most ``MAX_TERMS``.

    Everything that is not a letter or digit separates words, so no query
    syntax of any backend survives.
    """
    if not q:
        return []
    words = [w[:MAX_TERM_CHARS].lower() for w in _WORD.findall(q)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression requiring every term, each as a quoted string (quotes doubled)."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _parameter(dialect: str, terms: Sequence[str]) -> str:
    return fts5_query(terms) if dialect == "sqlite" else " ".join(terms)


def matching_documents(dialect: str, terms: Sequence[str]) -> TextualSelect:
    """Keys (``pk``) of documents whose title or text, or one of whose claims or sources, has every term."""
    if dialect == "sqlite":
        sql = (
            "SELECT rowid AS pk FROM documents_fts WHERE documents_fts MATCH :fts_query "
            f"UNION SELECT rowid >> {ITEM_KEY_BITS} FROM search_items_fts WHERE search_items_fts MATCH :fts_query"
        )
    else:
        sql = (
            f"SELECT pk FROM documents WHERE {PG_DOCUMENT_VECTOR} @@ {_PG_QUERY} "
            f"UNION SELECT document_pk FROM search_items WHERE {PG_ITEM_VECTOR} @@ {_PG_QUERY}"
        )
    return text(sql).bindparams(fts_query=_parameter(dialect, terms)).columns(column("pk", Integer))


def document_condition(dialect: str, q: str | None) -> ColumnElement[bool]:
    """``documents`` rows matching the words of ``q`` (none when it has no words)."""
    terms = query_terms(q)
    if not terms:
        return false()
    return t.documents.c.pk.in_(matching_documents(dialect, terms))


def _item_match(
    dialect: str, terms: Sequence[str], document_pks: Sequence[int]
) -> ColumnElement[bool] | TextClause:
    """Search items that match, among those of ``document_pks`` (on SQLite, read from the FTS index
    alone: item keys carry their document's, so the documents' range is a range of keys)."""
    si = t.search_items
    if dialect == "sqlite":
        rowids = text(
            "SELECT rowid FROM search_items_fts WHERE search_items_fts MATCH :fts_query "
            "AND rowid >= :first_key AND rowid < :end_key"
        ).bindparams(
            fts_query=_parameter(dialect, terms),
            first_key=min(document_pks) << ITEM_KEY_BITS,
            end_key=(max(document_pks) + 1) << ITEM_KEY_BITS,
        )
        return si.c.pk.in_(rowids.columns(column("rowid", Integer)))
    return text(f"{PG_ITEM_VECTOR} @@ {_PG_QUERY}").bindparams(fts_query=_parameter(dialect, terms))


def _stem(term: str) -> str:
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= MIN_STEM:
            return term[: -len(suffix)]
    return term


def word_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    """A regular expression for words starting with any term's stem (case-insensitive)."""
    stems = sorted({_stem(term) for term in terms}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def match_spans(
    value: str, terms: Sequence[str] | re.Pattern[str], *, start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """Character spans of the words of ``value[start:end]`` that start with a term's stem, in order.

    ``terms``: the query's terms, or their ``word_pattern``.
    """
    if not terms or not value:
        return []
    pattern = terms if isinstance(terms, re.Pattern) else word_pattern(terms)
    found = pattern.finditer(value, start, len(value) if end is None else end)
    return [(m.start(), m.end()) for m in found]


def first_match(value: str, terms: Sequence[str] | re.Pattern[str]) -> tuple[int, int] | None:
    """The span of the first word of ``value`` that starts with a term's stem; None when there is none."""
    if not terms or not value:
        return None
    pattern = terms if isinstance(terms, re.Pattern) else word_pattern(terms)
    found = pattern.search(value)
    return (found.start(), found.end()) if found else None


def snippet(
    value: str, spans: Sequence[tuple[int, int]], context: int = SNIPPET_CONTEXT
) -> list[dict[str, Any]]:
    """A short passage around the first span, as pieces ``{"text", "match"}`` (plain data, never markup).

    Without spans, the start of ``value``. Cut at whitespace where it can be;
    "…" marks a cut.
    """
    if not value:
        return []
    first = spans[0][0] if spans else 0
    start = max(0, first - context)
    end = min(len(value), (spans[0][1] if spans else 0) + context)
    if start > 0:
        space = value.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(value):
        space = value.rfind(" ", spans[0][1] if spans else 0, end)
        end = space if space > 0 else end
    pieces: list[dict[str, Any]] = []
    if start > 0:
        pieces.append({"text": "…", "match": False})
    at = start
    for a, b in spans:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > at:
            pieces.append({"text": value[at:a], "match": False})
        pieces.append({"text": value[a:b], "match": True})
        at = b
    if at < end:
        pieces.append({"text": value[at:end], "match": False})
    if end < len(value):
        pieces.append({"text": "…", "match": False})
    return pieces


def document_href(document_id: str, span: tuple[int, int] | None = None) -> str:
    """The document page's address, with ``span`` highlighted and scrolled to when given."""
    href = "/documents/" + quote(document_id, safe="")
    return href + (f"?hl={span[0]}-{span[1]}#hit" if span is not None else "")


def source_href(key: str) -> str:
    """A source page's address (by the source's key, or its id when it has none)."""
    return "/sources/" + quote(key, safe="")


@dataclass(slots=True)
class SearchPage:
    items: list[dict[str, Any]]
    next_pk: int | None  # the key after which the next page starts, None on the last page


def search(
    connection: Connection,
    q: str | None,
    conditions: Sequence[ColumnElement[bool]],
    after: int | None,
    size: int,
) -> SearchPage:
    """One page of hits for ``q`` among documents meeting ``conditions``, stored before ``after``.

    Reads ``documents`` (with their text, for snippets) and ``search_items``
    (with ``sources`` for names and keys): two queries per page.
    """
    terms = query_terms(q)
    if not terms:
        return SearchPage([], None)
    dialect = connection.dialect.name
    d = t.documents
    query = select(d.c.pk, d.c.id, d.c.title, d.c.outlet, d.c.published, d.c.text).where(
        d.c.pk.in_(matching_documents(dialect, terms)), *conditions
    )
    if after is not None:
        query = query.where(d.c.pk < after)
    rows = connection.execute(query.order_by(d.c.pk.desc()).limit(size + 1)).all()
    page = rows[:size]
    claims, sources = _item_hits(connection, dialect, terms, [r.pk for r in page])
    pattern = word_pattern(terms)
    items = []
    for r in page:
        first = first_match(r.text, pattern)
        # Only the matches a snippet can show: within its context of the first.
        near = (first[0], first[1] + 2 * SNIPPET_CONTEXT + MAX_TERM_CHARS) if first else (0, 0)
        spans = match_spans(r.text, pattern, start=near[0], end=near[1]) if first else []
        items.append(
            {
                "document": {"id": r.id, "title": r.title, "outlet": r.outlet, "published": r.published},
                "span": {"start": first[0], "end": first[1]} if first else None,
                "snippet": snippet(r.text, spans),
                "title_match": first_match(r.title or "", pattern) is not None,
                "href": document_href(r.id, first),
                "claims": [
                    {
                        "id": c["id"],
                        "text": c["text"],
                        "span": {"start": c["start"], "end": c["end"]},
                        "href": document_href(r.id, (c["start"], c["end"])),
                    }
                    for c in claims.get(r.pk, [])
                ],
                "sources": sources.get(r.pk, []),
            }
        )
    return SearchPage(items, page[-1].pk if len(rows) > size else None)


def _item_hits(
    connection: Connection, dialect: str, terms: Sequence[str], document_pks: Sequence[int]
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Per document key: its matching claims (first content span of each) and its matching sources."""
    claims: dict[int, list[dict[str, Any]]] = {}
    sources: dict[int, list[dict[str, Any]]] = {}
    if not document_pks:
        return claims, sources
    si, s = t.search_items, t.sources
    query = (
        select(
            si.c.document_pk,
            si.c.kind,
            si.c.ref,
            si.c.span_start,
            si.c.span_end,
            si.c.body,
            s.c.name,
            s.c.key,
        )
        .outerjoin(s, (s.c.document_pk == si.c.document_pk) & (s.c.id == si.c.ref) & (si.c.kind == "source"))
        .where(si.c.document_pk.in_(list(document_pks)), _item_match(dialect, terms, document_pks))
        .order_by(si.c.document_pk, si.c.pk)
    )
    seen: set[tuple[int, str, str]] = set()
    for row in connection.execute(query).all():
        if (row.document_pk, row.kind, row.ref) in seen:
            continue
        seen.add((row.document_pk, row.kind, row.ref))
        if row.kind == "claim" and row.span_start is not None and row.span_end is not None:
            body = row.body if len(row.body) <= CLAIM_TEXT_CHARS else row.body[: CLAIM_TEXT_CHARS - 1] + "…"
            claims.setdefault(row.document_pk, []).append(
                {"id": row.ref, "text": body, "start": row.span_start, "end": row.span_end}
            )
        elif row.kind == "source":
            sources.setdefault(row.document_pk, []).append(
                {
                    "id": row.ref,
                    "name": row.name,
                    "label": row.body,
                    "href": source_href(row.key or row.ref),
                }
            )
    return claims, sources
