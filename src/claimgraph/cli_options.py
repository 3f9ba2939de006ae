"""Options shared by the CLI's command modules (no side effects at import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

DB_HELP = "SQLAlchemy URL or SQLite file (default: claimgraph.db in the user data dir)."


def db_param() -> click.Option:
    """A fresh ``--db`` option, for commands that add it when they are registered."""
    return click.Option(["--db", "db"], default=None, envvar="CLAIMGRAPH_DB", help=DB_HELP)


def db_option(f: Any) -> Any:
    """Decorator: the ``--db`` option (environment variable ``CLAIMGRAPH_DB``)."""
    return click.option("--db", "db", default=None, envvar="CLAIMGRAPH_DB", help=DB_HELP)(f)


def configured_model() -> str:
    """The spaCy model package to load: the ``model`` setting, or the default."""
    from claimgraph.nlp import DEFAULT_MODEL
    from claimgraph.settings import setting

    return setting("model") or DEFAULT_MODEL


def load_pipeline() -> Pipeline:
    """The pipeline with the configured spaCy model, loaded when called."""
    from claimgraph.pipeline import Pipeline

    return Pipeline.load(configured_model())
