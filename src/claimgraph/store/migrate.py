"""Bring a database to the schema this code expects, with the Alembic scripts shipped in the package.

The script location is found next to this file, so migrations work from any
working directory and from an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

from claimgraph.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")  # __file__ is absolute for imported modules
# PostgreSQL advisory lock key that serialises concurrent migrations (any fixed
# 64-bit number; this one is "claimgrf" in ASCII).
PG_MIGRATION_LOCK = 0x636C61696D677266


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts; env.py uses ``connection`` when given."""
    config = Config()
    # Config values go through ConfigParser interpolation: escape '%' in the path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the shipped scripts know."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a revision
        raise StoreError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at, or None when it has never been migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the database to head in one transaction; do nothing when it is at head.

    ``engine`` should begin write transactions (``SqlStore`` passes its writer engine).

    Raises StoreError when the database was written by a newer claimgraph
    (a revision these scripts do not know).
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head()
    with engine.begin() as connection:
        # Two processes opening a fresh database at once must not both create it. SQLite
        # writers already serialise (the store's engine starts write transactions IMMEDIATE).
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
        current = current_revision(connection)
        if current == head:
            return
        if current is not None:
            try:
                scripts.get_revision(current)
            except CommandError as exc:
                raise StoreError(
                    f"the database is at schema revision {current!r}, which this version of claimgraph "
                    f"does not know (it knows up to {head!r}): it was written by a newer claimgraph; "
                    "upgrade claimgraph to open it"
                ) from exc
        command.upgrade(alembic_config(connection), "head")
