"""Read-side indexes for the web app's listings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Per-document items are listed in ``(document_pk, ord)`` order with keyset
pagination: an index on exactly that order lets a page read its rows without
sorting the whole table. ``documents.published`` serves the date filters and
``sources.key`` the source filter.
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_ITEM_TABLES = ("sources", "claims", "places", "events")


def upgrade() -> None:
    for table in _ITEM_TABLES:
        op.create_index(op.f(f"ix_{table}_document_pk_ord"), table, ["document_pk", "ord"])
    op.create_index(op.f("ix_documents_published"), "documents", ["published"])
    op.create_index(op.f("ix_sources_key"), "sources", ["key"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sources_key"), table_name="sources")
    op.drop_index(op.f("ix_documents_published"), table_name="documents")
    for table in reversed(_ITEM_TABLES):
        op.drop_index(op.f(f"ix_{table}_document_pk_ord"), table_name=table)
