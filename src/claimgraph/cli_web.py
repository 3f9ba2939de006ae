"""The ``serve`` and ``export`` commands; ``register(cli)`` adds them to the CLI group.

claimgraph serve [--db URL] [--host 127.0.0.1] [--port 8000] [--token T]
claimgraph export [--db URL] --format csv|jsonl|geojson|graphml [-o FILE]
"""

from __future__ import annotations

import sys
from typing import TextIO

import click

from claimgraph.errors import ClaimgraphError
from claimgraph.export import EXPORT_FORMATS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_ENV_VAR = "CLAIMGRAPH_TOKEN"


def serve(db: str | None, host: str, port: int, token: str | None) -> None:
    """Run the web app on ``host:port`` until interrupted."""
    try:
        import uvicorn

        from claimgraph.web.app import create_app
    except ImportError as exc:
        raise ClaimgraphError(
            f"the web app needs the 'web' extra: pip install 'claimgraph[web]' ({exc})"
        ) from exc
    app = create_app(db, token)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def export_to(db: str | None, fmt: str, out: TextIO) -> None:
    """Write the whole store at ``db`` to ``out`` in format ``fmt``."""
    from claimgraph.export import export_chunks
    from claimgraph.store import open_store

    with open_store(db) as store:
        for chunk in export_chunks(store, fmt):
            out.write(chunk)


def _db_option() -> click.Option:
    return click.Option(
        ["--db", "db"],
        default=None,
        envvar="CLAIMGRAPH_DB",
        help="SQLAlchemy URL or SQLite file (default: claimgraph.db in the user data dir).",
    )


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    default=None,
    envvar=TOKEN_ENV_VAR,
    help="Allow POST /api/documents for clients sending 'Authorization: Bearer TOKEN' (off without it).",
)
def serve_cmd(db: str | None, host: str, port: int, token: str | None) -> None:
    """Browse the store in a web browser, and serve its JSON API."""
    if token is not None and not token.strip():
        raise click.BadParameter("the token must not be empty", param_hint="--token")
    click.echo(
        f"claimgraph: serving on http://{host}:{port}/ (API at /api, OpenAPI at /openapi.json)", err=True
    )
    serve(db, host, port, token)


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("-o", "--output", default=None, help="Write here instead of stdout.")
def export_cmd(db: str | None, fmt: str, output: str | None) -> None:
    """Export everything the store holds as CSV (claims), JSON lines, GeoJSON (events) or GraphML."""
    if output is None or output == "-":
        export_to(db, fmt, sys.stdout)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as out:
            export_to(db, fmt, out)
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from exc


def register(cli: click.Group) -> None:
    """Add ``serve`` and ``export`` to ``cli``."""
    for command in (serve_cmd, export_cmd):
        command.params.insert(0, _db_option())
        cli.add_command(command)
