"""The ``serve`` and ``export`` commands; ``register(cli)`` adds them to the CLI group.

claimgraph serve [--db URL] [--host 127.0.0.1] [--port 8000] [--token T] [--workers N] [--no-access-log]
claimgraph export [--db URL] --format csv|jsonl|geojson|graphml [-o FILE]
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

import click

from claimgraph.cli_options import db_option
from claimgraph.errors import ClaimgraphError
from claimgraph.export import EXPORT_FORMATS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TOKEN_ENV_VAR = "CLAIMGRAPH_TOKEN"


def serve(
    db: str | None, host: str, port: int, token: str | None, workers: int = 1, *, access_log: bool = True
) -> None:
    """Run the web app on ``host:port`` until interrupted, in ``workers`` processes.

    One worker serves in this process. More start uvicorn's worker processes
    (they share the port), each building its own app from the environment: the
    store URL and token are passed to them in ``CLAIMGRAPH_DB`` and ``CLAIMGRAPH_TOKEN``.
    ``access_log`` False drops uvicorn's line per request (errors are still logged).
    """
    try:
        import uvicorn

        from claimgraph.store import DB_ENV_VAR, open_store, resolve_url
        from claimgraph.web.app import create_app
    except ImportError as exc:
        raise ClaimgraphError(
            f"the web app needs the 'web' extra: pip install 'claimgraph[web]' ({exc})"
        ) from exc
    if workers <= 1:
        app = create_app(db, token)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, access_log=access_log)
        return
    resolved = resolve_url(db)
    url = resolved if isinstance(resolved, str) else resolved.render_as_string(hide_password=False)
    os.environ[DB_ENV_VAR] = url
    if token:
        os.environ[TOKEN_ENV_VAR] = token
    else:
        os.environ.pop(TOKEN_ENV_VAR, None)
    open_store(url).close()  # migrate once, and fail here (not in every worker) when it cannot open
    uvicorn.run(
        "claimgraph.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        access_log=access_log,
    )


def export_to(db: str | None, fmt: str, out: TextIO) -> None:
    """Write the whole store at ``db`` to ``out`` in format ``fmt``."""
    from claimgraph.export import export_chunks
    from claimgraph.store import open_store

    with open_store(db) as store:
        for chunk in export_chunks(store, fmt):
            out.write(chunk)


@click.command("serve")
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    default=None,
    envvar=TOKEN_ENV_VAR,
    help="Allow POST /api/documents for clients sending 'Authorization: Bearer TOKEN' (off without it).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes; one per CPU core serves the most concurrent clients.",
)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log a line per request to stderr (off saves CPU on busy servers).",
)
def serve_cmd(
    db: str | None, host: str, port: int, token: str | None, workers: int, access_log: bool
) -> None:
    """Browse the store in a web browser, and serve its JSON API."""
    if token is not None and not token.strip():
        raise click.BadParameter("the token must not be empty", param_hint="--token")
    click.echo(
        f"claimgraph: serving on http://{host}:{port}/ (API at /api, OpenAPI at /openapi.json)"
        f" with {workers} worker{'s' if workers > 1 else ''}",
        err=True,
    )
    serve(db, host, port, token, workers, access_log=access_log)


@click.command("export")
@db_option
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
        cli.add_command(command)
