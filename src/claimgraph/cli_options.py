"""Options and small helpers shared by the CLI's command modules (no side effects at import)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline
    from claimgraph.runner import RunResult

DB_HELP = "SQLAlchemy URL or SQLite file (default: claimgraph.db in the user data dir)."


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


def write_file(path: str, text: str) -> None:
    """Write ``text`` to ``path``; a path that cannot be written is a usage error, not a crash."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror or str(exc)) from exc


def finish_run(result: RunResult, failures_path: str | None, where: str = "") -> None:
    """Write the failure report (JSON lines), print the skipped inputs and the summary
    ("N documents (… analyzed, … already stored)``where``"); exit 1 when nothing was done."""
    from claimgraph.report import format_skipped

    if failures_path:
        write_file(
            failures_path,
            "".join(
                json.dumps({"path": s.path, "line": s.line, "problem": s.problem}, ensure_ascii=False) + "\n"
                for s in result.skipped
            ),
        )
    if result.skipped:
        click.echo(format_skipped(result.skipped), err=True)
    total = result.analyzed + result.reused
    summary = f"{total} documents ({result.analyzed} analyzed, {result.reused} already stored){where}"
    click.echo(summary + (f", {len(result.skipped)} skipped" if result.skipped else ""), err=True)
    if total == 0 and result.skipped:
        sys.exit(1)
