"""Full-text search over article text, claims and sources; backfilled for existing stores.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

``search_items`` (declared in schema.py) holds the searchable text of claims
(one row per content span, its text cut from the document) and sources (name,
descriptor, key). Triggers fill it when sources and claim spans are inserted;
rows go with their document by ON DELETE CASCADE. The existing rows of a store
are copied in here.

The index itself depends on the backend (its objects are listed in
``schema.FULLTEXT_OBJECTS``):

- SQLite: FTS5 tables with external content, ``documents_fts`` over
  ``documents(title, text)`` and ``search_items_fts`` over
  ``search_items(body)``, kept in step by triggers on insert, update and
  delete, and rebuilt here from the stored rows. Tokenizer: Porter stemming
  over unicode61 without diacritics. A search item's key carries its
  document's: ``pk = (document_pk << 20) + n`` (``ITEM_KEY_BITS``), so the
  documents that full-text hits belong to, and the hits inside a range of
  documents, come from the FTS index alone, without reading ``search_items``.
  A document's items past the 2**20th (about a million) are not indexed.
- PostgreSQL: GIN indexes on ``to_tsvector('english', ...)`` expressions of
  the same columns (no stored column); queries repeat the expressions exactly
  (``claimgraph.web.search``). A document's text is indexed up to its first
  200,000 characters: a tsvector is capped at 1 MB, and a longer one would make
  the insert fail.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TOKENIZE = "porter unicode61 remove_diacritics 2"
# SQLite: bits of a search item's key that number it within its document.
ITEM_KEY_BITS = 20

# PostgreSQL: copies of existing rows into search_items (the same selection as the triggers make).
_BACKFILL_SOURCES = """
INSERT INTO search_items (document_pk, kind, ref, span_start, span_end, body)
SELECT document_pk, 'source', id, NULL, NULL,
       trim(coalesce(name, '') || ' ' || coalesce(descriptor, '') || ' ' || coalesce(key, ''))
FROM sources
WHERE coalesce(name, descriptor, key) IS NOT NULL
"""
_BACKFILL_CLAIMS = """
INSERT INTO search_items (document_pk, kind, ref, span_start, span_end, body)
SELECT cs.document_pk, 'claim', cs.claim_id, cs.span_start, cs.span_end,
       substr(d.text, cs.span_start + 1, cs.span_end - cs.span_start)
FROM claim_spans cs JOIN documents d ON d.pk = cs.document_pk
WHERE cs.role = 'content'
"""

# SQLite: the same rows, numbered within their document into keys that carry it.
_SQLITE_BACKFILL = f"""
INSERT INTO search_items (pk, document_pk, kind, ref, span_start, span_end, body)
SELECT (document_pk << {ITEM_KEY_BITS}) + n, document_pk, kind, ref, span_start, span_end, body
FROM (
    SELECT *, row_number() OVER (PARTITION BY document_pk ORDER BY kind DESC, o1, o2) - 1 AS n
    FROM (
        SELECT document_pk, 'source' AS kind, id AS ref, NULL AS span_start, NULL AS span_end,
               trim(coalesce(name, '') || ' ' || coalesce(descriptor, '') || ' ' || coalesce(key, '')) AS body,
               ord AS o1, 0 AS o2
        FROM sources
        WHERE coalesce(name, descriptor, key) IS NOT NULL
        UNION ALL
        SELECT cs.document_pk, 'claim', cs.claim_id, cs.span_start, cs.span_end,
               substr(d.text, cs.span_start + 1, cs.span_end - cs.span_start), c.ord, cs.ord
        FROM claim_spans cs
        JOIN claims c ON c.document_pk = cs.document_pk AND c.id = cs.claim_id
        JOIN documents d ON d.pk = cs.document_pk
        WHERE cs.role = 'content'
    )
)
WHERE n < (1 << {ITEM_KEY_BITS})
"""
# The next key for an item of new.document_pk (none once its 2**ITEM_KEY_BITS keys are used).
_SQLITE_NEXT_KEY = f"""
    FROM (SELECT coalesce(max(pk) + 1, new.document_pk << {ITEM_KEY_BITS}) AS next_pk
          FROM search_items WHERE document_pk = new.document_pk)
    WHERE next_pk < ((new.document_pk + 1) << {ITEM_KEY_BITS})"""

_SQLITE_UP = (
    f"CREATE VIRTUAL TABLE documents_fts USING fts5("
    f"title, text, content='documents', content_rowid='pk', tokenize='{_TOKENIZE}')",
    f"CREATE VIRTUAL TABLE search_items_fts USING fts5("
    f"body, content='search_items', content_rowid='pk', tokenize='{_TOKENIZE}')",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
    END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
        VALUES ('delete', old.pk, old.title, old.text);
    END""",
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts (documents_fts, rowid, title, text)
        VALUES ('delete', old.pk, old.title, old.text);
        INSERT INTO documents_fts (rowid, title, text) VALUES (new.pk, new.title, new.text);
    END""",
    """CREATE TRIGGER search_items_fts_insert AFTER INSERT ON search_items BEGIN
        INSERT INTO search_items_fts (rowid, body) VALUES (new.pk, new.body);
    END""",
    """CREATE TRIGGER search_items_fts_delete AFTER DELETE ON search_items BEGIN
        INSERT INTO search_items_fts (search_items_fts, rowid, body) VALUES ('delete', old.pk, old.body);
    END""",
    """CREATE TRIGGER search_items_fts_update AFTER UPDATE OF body ON search_items BEGIN
        INSERT INTO search_items_fts (search_items_fts, rowid, body) VALUES ('delete', old.pk, old.body);
        INSERT INTO search_items_fts (rowid, body) VALUES (new.pk, new.body);
    END""",
    _SQLITE_BACKFILL,
    "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
    f"""CREATE TRIGGER search_sources_insert AFTER INSERT ON sources
    WHEN coalesce(new.name, new.descriptor, new.key) IS NOT NULL BEGIN
        INSERT INTO search_items (pk, document_pk, kind, ref, span_start, span_end, body)
        SELECT next_pk, new.document_pk, 'source', new.id, NULL, NULL,
               trim(coalesce(new.name, '') || ' ' || coalesce(new.descriptor, '') || ' '
                    || coalesce(new.key, ''))
        {_SQLITE_NEXT_KEY};
    END""",
    f"""CREATE TRIGGER search_claims_insert AFTER INSERT ON claim_spans
    WHEN new.role = 'content' BEGIN
        INSERT INTO search_items (pk, document_pk, kind, ref, span_start, span_end, body)
        SELECT next_pk, new.document_pk, 'claim', new.claim_id, new.span_start, new.span_end,
               (SELECT substr(d.text, new.span_start + 1, new.span_end - new.span_start)
                FROM documents d WHERE d.pk = new.document_pk)
        {_SQLITE_NEXT_KEY};
    END""",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS search_claims_insert",
    "DROP TRIGGER IF EXISTS search_sources_insert",
    "DROP TRIGGER IF EXISTS search_items_fts_update",
    "DROP TRIGGER IF EXISTS search_items_fts_delete",
    "DROP TRIGGER IF EXISTS search_items_fts_insert",
    "DROP TRIGGER IF EXISTS documents_fts_update",
    "DROP TRIGGER IF EXISTS documents_fts_delete",
    "DROP TRIGGER IF EXISTS documents_fts_insert",
    "DROP TABLE IF EXISTS search_items_fts",
    "DROP TABLE IF EXISTS documents_fts",
)

_POSTGRES_UP = (
    _BACKFILL_SOURCES,
    _BACKFILL_CLAIMS,
    "CREATE INDEX ix_documents_fulltext ON documents USING gin "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || left(text, 200000)))",
    "CREATE INDEX ix_search_items_fulltext ON search_items USING gin "
    "(to_tsvector('english'::regconfig, body))",
    """CREATE OR REPLACE FUNCTION claimgraph_search_source() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_items (document_pk, kind, ref, span_start, span_end, body)
        VALUES (NEW.document_pk, 'source', NEW.id, NULL, NULL,
                trim(coalesce(NEW.name, '') || ' ' || coalesce(NEW.descriptor, '') || ' '
                     || coalesce(NEW.key, '')));
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION claimgraph_search_claim_span() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_items (document_pk, kind, ref, span_start, span_end, body)
        SELECT NEW.document_pk, 'claim', NEW.claim_id, NEW.span_start, NEW.span_end,
               substr(d.text, NEW.span_start + 1, NEW.span_end - NEW.span_start)
        FROM documents d WHERE d.pk = NEW.document_pk;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_sources_insert AFTER INSERT ON sources FOR EACH ROW
    WHEN (coalesce(NEW.name, NEW.descriptor, NEW.key) IS NOT NULL)
    EXECUTE FUNCTION claimgraph_search_source()""",
    """CREATE TRIGGER search_claims_insert AFTER INSERT ON claim_spans FOR EACH ROW
    WHEN (NEW.role = 'content') EXECUTE FUNCTION claimgraph_search_claim_span()""",
)
_POSTGRES_DOWN = (
    "DROP TRIGGER IF EXISTS search_claims_insert ON claim_spans",
    "DROP TRIGGER IF EXISTS search_sources_insert ON sources",
    "DROP FUNCTION IF EXISTS claimgraph_search_claim_span()",
    "DROP FUNCTION IF EXISTS claimgraph_search_source()",
    "DROP INDEX IF EXISTS ix_search_items_fulltext",
    "DROP INDEX IF EXISTS ix_documents_fulltext",
)


def _statements(sqlite: tuple[str, ...], postgres: tuple[str, ...]) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite
    if dialect == "postgresql":
        return postgres
    raise NotImplementedError(f"full-text search is written for SQLite and PostgreSQL, not {dialect}")


def upgrade() -> None:
    op.create_table(
        "search_items",
        sa.Column("pk", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_pk"],
            ["documents.pk"],
            name=op.f("fk_search_items_document_pk_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pk", name=op.f("pk_search_items")),
    )
    op.create_index(op.f("ix_search_items_document_pk"), "search_items", ["document_pk"])
    for statement in _statements(_SQLITE_UP, _POSTGRES_UP):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(_SQLITE_DOWN, _POSTGRES_DOWN):
        op.execute(statement)
    op.drop_index(op.f("ix_search_items_document_pk"), table_name="search_items")
    op.drop_table("search_items")
