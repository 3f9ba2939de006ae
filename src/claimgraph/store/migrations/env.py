"""Alembic environment: runs the migrations on the connection claimgraph passes in.

``claimgraph.store.migrate.upgrade`` puts an open connection (inside a
transaction it owns) into ``config.attributes["connection"]``. When Alembic is
run by hand (see ``../alembic.ini``), the database URL comes from
``-x url=...`` instead; with ``--sql`` it prints the DDL instead of running it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from claimgraph.store.schema import include_in_comparison, metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The full-text objects of revision 0003 are backend-specific: autogenerate leaves them be.
        include_name=include_in_comparison,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database with: alembic -x url=sqlite:///path.db ...")
    return url


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: print the DDL for a database administrator to apply."""
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
