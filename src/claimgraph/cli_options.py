"""Options shared by the CLI's command modules (no side effects at import)."""

from __future__ import annotations

from typing import Any

import click

DB_HELP = "SQLAlchemy URL or SQLite file (default: claimgraph.db in the user data dir)."


def db_param() -> click.Option:
    """A fresh ``--db`` option, for commands that add it when they are registered."""
    return click.Option(["--db", "db"], default=None, envvar="CLAIMGRAPH_DB", help=DB_HELP)


def db_option(f: Any) -> Any:
    """Decorator: the ``--db`` option (environment variable ``CLAIMGRAPH_DB``)."""
    return click.option("--db", "db", default=None, envvar="CLAIMGRAPH_DB", help=DB_HELP)(f)
