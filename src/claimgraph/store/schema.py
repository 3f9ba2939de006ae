"""The relational schema of the store, as SQLAlchemy Core tables.

Portable SQL only (SQLite and PostgreSQL). Per-document items (sources,
claims, events, places) are keyed by ``(document_pk, id)``: their ids need to
be unique within their document only. List order is kept in ``ord`` columns
so that a load rebuilds the model objects exactly. Every span is a pair of
``span_start``/``span_end`` columns (character offsets into
``documents.text``), queryable without parsing JSON; JSON holds only small
free-form dicts and lists (``meta``, ``produced_by``, ``explanation``,
``equipment``, ``reasons``, run settings).

    documents ─┬─ removed_ranges
               ├─ sources ── source_mentions
               ├─ claims ─┬─ claim_spans  (role: content | cue | source_mention | hedge)
               │          └─ claim_chain  (source ids, outermost relay first)
               ├─ places
               └─ events ─┬─ event_places
                          └─ event_claims
    stories ─┬─ story_documents          assessments ── assessment_refs
             └─ story_events                            (role: subject | origin | relay)
    runs ── failures

Cross-document tables (stories, assessments) hold ids by value, without
foreign keys: they are recomputed over the whole store and replaced as a
set. Foreign keys are indexed: a composite primary key whose leading columns
are the foreign key serves as its index; other foreign keys get one.

Read-side indexes (revision 0002) serve the web app's listings: per-document
items in ``(document_pk, ord)`` order (keyset pagination walks them without a
sort), documents by ``published`` (date filters) and sources by ``key``
(source filter).

Full-text search (revision 0003): ``search_items`` holds the searchable text of
claims (one row per content span, its text cut from the document) and sources
(name, descriptor, key). Database triggers fill it as sources and claim spans
are inserted, and it goes with its document (ON DELETE CASCADE), so it never
needs the writer's attention. The full-text index itself is backend-specific
and lives only in the migration: SQLite FTS5 tables over ``documents`` (title,
text) and ``search_items`` (external content, kept in step by triggers);
PostgreSQL GIN indexes on ``to_tsvector`` expressions over the same columns.
Those objects are named in ``FULLTEXT_OBJECTS`` so schema comparisons can skip
them (``include_in_comparison``). On SQLite a search item's ``pk`` is
``(document_pk << 20) + n`` (the triggers number them), so full-text hits map to
their documents from the FTS index alone; on PostgreSQL it comes from a sequence.

Incremental linking (revision 0004): ``link_state`` keeps, per linked document,
what the linker derived from it (compressed JSON, ``claimgraph.linking.state``),
and ``link_meta`` what the states were made with; ``claimgraph stories`` then
links only the documents without a state.

This module is the source for Alembic autogenerate; the migrations under
``migrations/versions`` are frozen snapshots and must match it (a test checks).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

# Deterministic constraint names, so migrations can refer to them on any backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CLAIM_SPAN_ROLES = ("content", "cue", "source_mention", "hedge")
ASSESSMENT_REF_ROLES = ("subject", "origin", "relay")

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _document_fk() -> Column[int]:
    return Column("document_pk", Integer, ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True)


def _role_check(roles: tuple[str, ...]) -> CheckConstraint:
    allowed = ", ".join(f"'{role}'" for role in roles)  # constants above, never input
    return CheckConstraint(f"role IN ({allowed})", name="role")


runs = Table(
    "runs",
    metadata,
    Column("id", String, primary_key=True),
    Column("command", String, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("status", String, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

failures = Table(
    "failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String, ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    Column("path", Text, nullable=False),
    Column("problem", Text, nullable=False),
    Column("line", Integer),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String, nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("path", Text),
    Column("url", Text),
    Column("title", Text),
    Column("outlet", Text),
    Column("published", String),
    Column("text", Text, nullable=False),
    Column("title_start", Integer),
    Column("title_end", Integer),
    Column("meta", JSON, nullable=False),
    Column("produced_by", JSON, nullable=False),
    Column("run_id", String, ForeignKey("runs.id", ondelete="SET NULL"), index=True),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Index("ix_documents_published", "published"),
)

removed_ranges = Table(
    "removed_ranges",
    metadata,
    _document_fk(),
    Column("ord", Integer, primary_key=True),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("reason", String, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    _document_fk(),
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("kind", String, nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("name", Text),
    Column("descriptor", Text),
    Column("key", String),
    Index("ix_sources_document_pk_ord", "document_pk", "ord"),
    Index("ix_sources_key", "key"),
)

source_mentions = Table(
    "source_mentions",
    metadata,
    Column("document_pk", Integer, primary_key=True),
    Column("source_id", String, primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    ForeignKeyConstraint(
        ["document_pk", "source_id"], ["sources.document_pk", "sources.id"], ondelete="CASCADE"
    ),
)

claims = Table(
    "claims",
    metadata,
    _document_fk(),
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("source_id", String),
    Column("mode", String, nullable=False),
    Column("hedged", Boolean, nullable=False),
    Column("explanation", JSON, nullable=False),
    Index("ix_claims_document_pk_ord", "document_pk", "ord"),
)

claim_spans = Table(
    "claim_spans",
    metadata,
    Column("document_pk", Integer, primary_key=True),
    Column("claim_id", String, primary_key=True),
    Column("role", String, primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    ForeignKeyConstraint(
        ["document_pk", "claim_id"], ["claims.document_pk", "claims.id"], ondelete="CASCADE"
    ),
    _role_check(CLAIM_SPAN_ROLES),
)

claim_chain = Table(
    "claim_chain",
    metadata,
    Column("document_pk", Integer, primary_key=True),
    Column("claim_id", String, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("source_id", String, nullable=False),
    ForeignKeyConstraint(
        ["document_pk", "claim_id"], ["claims.document_pk", "claims.id"], ondelete="CASCADE"
    ),
)

places = Table(
    "places",
    metadata,
    _document_fk(),
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("country", String),
    Column("admin1", String),
    Column("feature", String),
    Column("gazetteer_id", String),
    Column("lat", Double),
    Column("lon", Double),
    Index("ix_places_document_pk_ord", "document_pk", "ord"),
)

events = Table(
    "events",
    metadata,
    _document_fk(),
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("type", String, nullable=False),
    Column("trigger_start", Integer),
    Column("trigger_end", Integer),
    Column("actor", Text),
    Column("target", Text),
    Column("equipment", JSON, nullable=False),
    Column("quantity", Double),
    Column("approximate", Boolean, nullable=False),
    # time_precision is NULL exactly when the event has no time.
    Column("time_start", String),
    Column("time_end", String),
    Column("time_precision", String),
    Column("time_mention_start", Integer),
    Column("time_mention_end", Integer),
    Column("acled_code", String),
    Column("confidence", Double),
    Index("ix_events_document_pk_ord", "document_pk", "ord"),
)

event_places = Table(
    "event_places",
    metadata,
    Column("document_pk", Integer, primary_key=True),
    Column("event_id", String, primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("place_id", String, nullable=False),
    ForeignKeyConstraint(
        ["document_pk", "event_id"], ["events.document_pk", "events.id"], ondelete="CASCADE"
    ),
)

event_claims = Table(
    "event_claims",
    metadata,
    Column("document_pk", Integer, primary_key=True),
    Column("event_id", String, primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("claim_id", String, nullable=False),
    ForeignKeyConstraint(
        ["document_pk", "event_id"], ["events.document_pk", "events.id"], ondelete="CASCADE"
    ),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("run_id", String, ForeignKey("runs.id", ondelete="SET NULL"), index=True),
)

story_documents = Table(
    "story_documents",
    metadata,
    Column("story_id", String, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("document_id", String, nullable=False, index=True),
)

story_events = Table(
    "story_events",
    metadata,
    Column("story_id", String, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("event_id", String, nullable=False, index=True),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", String, primary_key=True),
    Column("ord", Integer, nullable=False),
    Column("independent_origins", Integer, nullable=False),
    Column("circular", Boolean, nullable=False),
    Column("credibility", String, nullable=False),
    Column("reliability", String, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("run_id", String, ForeignKey("runs.id", ondelete="SET NULL"), index=True),
)

assessment_refs = Table(
    "assessment_refs",
    metadata,
    Column("assessment_id", String, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String, primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("ref", String, nullable=False, index=True),
    _role_check(ASSESSMENT_REF_ROLES),
)


search_items = Table(
    "search_items",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column(
        "document_pk", Integer, ForeignKey("documents.pk", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String, nullable=False),  # "claim" or "source"
    Column("ref", String, nullable=False),  # the claim's or source's id
    Column("span_start", Integer),  # a claim's content span; NULL for sources
    Column("span_end", Integer),
    Column("body", Text, nullable=False),
)

# Backend-specific full-text objects made by revision 0003 (tables, shadow tables of
# SQLite's FTS5, PostgreSQL's expression indexes); schema.py does not declare them.
FULLTEXT_OBJECTS = frozenset(
    {"documents_fts", "search_items_fts", "ix_documents_fulltext", "ix_search_items_fulltext"}
)
_FTS5_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")


def include_in_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: False for the full-text objects of ``FULLTEXT_OBJECTS``."""
    if name is None:
        return True
    base = next((name[: -len(s)] for s in _FTS5_SHADOWS if name.endswith(s)), name)
    return name not in FULLTEXT_OBJECTS and base not in FULLTEXT_OBJECTS


# Incremental linking (revision 0004): one row per linked document, its linking state
# (``claimgraph.linking.state``: zlib-compressed JSON); a document without a row is not
# linked yet. The row goes with its document, so a replaced document is linked again.
link_state = Table(
    "link_state",
    metadata,
    Column("document_pk", Integer, ForeignKey("documents.pk", ondelete="CASCADE"), primary_key=True),
    Column("state", LargeBinary, nullable=False),
)

# What the stored states and cross-document rows were made with ("fingerprint": linker
# version and outlet table) and a digest of those rows; a mismatch means relink from scratch.
link_meta = Table(
    "link_meta",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", Text, nullable=False),
)


# Per-document child tables, in the order they are read, with the columns that order
# their rows (the store's loader and the web reader both read them this way).
CHILD_TABLES: tuple[tuple[Table, tuple[str, ...]], ...] = (
    (removed_ranges, ("document_pk", "ord")),
    (sources, ("document_pk", "ord")),
    (source_mentions, ("document_pk", "source_id", "ord")),
    (claims, ("document_pk", "ord")),
    (claim_spans, ("document_pk", "claim_id", "role", "ord")),
    (claim_chain, ("document_pk", "claim_id", "position")),
    (places, ("document_pk", "ord")),
    (events, ("document_pk", "ord")),
    (event_places, ("document_pk", "event_id", "ord")),
    (event_claims, ("document_pk", "event_id", "ord")),
)
