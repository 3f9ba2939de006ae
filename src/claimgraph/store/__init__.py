"""Storage: one ``Store`` interface (``base``), one SQL implementation (``sql``), packaged migrations.

``open_store`` picks the database:

- ``url`` given: a SQLAlchemy URL when it contains ``://`` (``sqlite:///x.db``,
  ``postgresql+psycopg://user@host/db``), otherwise a filesystem path to a
  SQLite file (parent directories are created);
- ``url`` None: the environment variable ``CLAIMGRAPH_DB`` (a URL or a path,
  read the same way) when set and not empty;
- otherwise ``claimgraph.db`` in the user data directory
  (``platformdirs.user_data_dir("claimgraph")``, e.g. ``~/.local/share/claimgraph``
  on Linux), created on first use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
from sqlalchemy import URL

from claimgraph.errors import StoreError
from claimgraph.store.base import Run, Store

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DB_ENV_VAR", "DEFAULT_DB_NAME", "Run", "Store", "open_store", "resolve_url"]

DB_ENV_VAR = "CLAIMGRAPH_DB"
DEFAULT_DB_NAME = "claimgraph.db"


def _sqlite_url(path: Path) -> URL:
    path = path.expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the directory for the store {path}: {exc}") from exc
    return URL.create("sqlite", database=str(path))


def resolve_url(url: str | None, environ: Mapping[str, str] | None = None) -> str | URL:
    """The database a store should open, following the rules in this module's docstring.

    Reads ``environ`` (default ``os.environ``); creates the SQLite file's
    directory when the result is a path.
    """
    if url is None:
        url = (os.environ if environ is None else environ).get(DB_ENV_VAR) or None
    if url is None:
        return _sqlite_url(Path(platformdirs.user_data_dir("claimgraph")) / DEFAULT_DB_NAME)
    if "://" in url:
        return url
    return _sqlite_url(Path(url))


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the store at ``url``; see the module docstring for how it is chosen."""
    from claimgraph.store.sql import SqlStore  # Alembic is imported only when a store is opened

    return SqlStore(resolve_url(url))
