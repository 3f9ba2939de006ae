"""Linking state per document, for incremental ``claimgraph stories`` and ``assess``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

``link_state`` holds one row per linked document (its linking features as
zlib-compressed JSON, see ``claimgraph.linking.state``), removed with its
document; ``link_meta`` holds what the states were made with. Existing stores
get empty tables: the next ``claimgraph stories`` links everything and fills
them. Portable DDL (SQLite and PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "link_state",
        sa.Column("document_pk", sa.Integer(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_pk"],
            ["documents.pk"],
            name=op.f("fk_link_state_document_pk_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_pk", name=op.f("pk_link_state")),
    )
    op.create_table(
        "link_meta",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_link_meta")),
    )


def downgrade() -> None:
    op.drop_table("link_meta")
    op.drop_table("link_state")
