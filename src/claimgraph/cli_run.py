"""``claimgraph run INPUT...``: analyze a large set of inputs into a store or Parquet.

    claimgraph run --engine local|ray [--address ADDR] [--db URL | --out DIR.parquet]
                   [--workers N] [--resume] [--failures FILE] INPUT...

``register(cli)`` adds the command. It parses options, builds the engine (this process's
pipeline, or a Ray cluster: ``--address`` to join one, otherwise a local cluster of
``--workers`` CPUs that is shut down at the end) and the sink (the store, or a Parquet
directory), calls ``claimgraph.distributed.run_documents``, and prints progress, the
skipped inputs and a summary on stderr. Exit status 1 when nothing could be analyzed.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import TYPE_CHECKING

import click

from claimgraph.cli_options import configured_model, db_option, finish_run, load_pipeline

if TYPE_CHECKING:
    from claimgraph.distributed.driver import Engine, Sink

ENGINES = ("local", "ray")


def register(group: click.Group) -> None:
    """Add the ``run`` command to ``group``."""
    group.add_command(run_command)


@click.command("run")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True)
@click.option("--address", default=None, help="Ray cluster to join (default: start a local one).")
@db_option
@click.option("--out", "out", default=None, help="Write a Parquet directory instead of the store.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Ray workers (CPUs of the local cluster); default: every CPU.",
)
@click.option("--batch-size", type=click.IntRange(min=1), default=None, help="Documents per Ray task.")
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted run: add to an existing --out directory; stored documents are always skipped.",
)
@click.option("--failures", "failures_path", default=None, help="Write skipped inputs and why (JSON lines).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run_command(
    inputs: tuple[str, ...],
    engine: str,
    address: str | None,
    db: str | None,
    out: str | None,
    workers: int | None,
    batch_size: int | None,
    resume: bool,
    failures_path: str | None,
    quiet: bool,
) -> None:
    """Analyze JSONL, WARC (.warc, .warc.gz), HTML and text files or directories at scale.

    Results go to the store (--db) or, with --out, to a directory of Parquet files (one row
    per document with its contract JSON). Documents already stored are skipped.
    """
    from claimgraph.cli import _Bar
    from claimgraph.distributed import run_documents

    if out is not None and db is not None:
        raise click.UsageError("give --db or --out, not both")
    if engine == "local" and address is not None:
        raise click.UsageError("--address needs --engine ray")
    paths = list(inputs)
    bar = None if quiet else _Bar()
    with ExitStack() as stack:
        store = None
        sink: Sink
        if out is not None:
            from claimgraph.distributed.parquet import ParquetSink

            sink = stack.enter_context(ParquetSink(out, resume=resume))
        else:
            from claimgraph.distributed import StoreSink
            from claimgraph.store import open_store

            store = stack.enter_context(open_store(db))
            sink = StoreSink(store)
        run_engine = _engine(stack, engine, address, workers, batch_size)
        if bar is not None:
            stack.callback(bar.stop)
        result = run_documents(
            paths,
            run_engine,
            sink,
            store=store,
            progress=bar,
            expected=_expected(paths) if bar is not None else None,
            settings={"engine": engine, "out": out},
        )
    finish_run(result, failures_path, f" into {out}" if out else "")


def _expected(paths: list[str]) -> int | None:
    """How many documents the inputs hold, or None when unknown (stdin, WARC archives)."""
    from claimgraph.ingest.warc import warc_suffix
    from claimgraph.runner import count_inputs

    for path in paths:
        names = [path] if not os.path.isdir(path) else (n for _r, _d, files in os.walk(path) for n in files)
        if any(warc_suffix(name) for name in names):
            return None
    return count_inputs(paths) or None


def _engine(
    stack: ExitStack, engine: str, address: str | None, workers: int | None, batch_size: int | None
) -> Engine:
    """The engine's ``analyze_many``; a Ray engine is stopped when ``stack`` closes."""
    if engine == "local":
        return load_pipeline().analyze_many
    from claimgraph.distributed.ray_engine import BATCH_DOCUMENTS, RayEngine, RayOptions

    options = RayOptions(
        workers=workers or _usable_cpus(),
        address=address,
        batch_size=batch_size or BATCH_DOCUMENTS,
        model=configured_model(),
    )
    ray_engine = stack.enter_context(RayEngine(options))
    click.echo(
        f"ray: {options.workers} workers ready (cluster {ray_engine.cluster_seconds:.1f} s, "
        f"pipelines {ray_engine.load_seconds:.1f} s)",
        err=True,
    )
    return ray_engine.analyze_many


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers narrow), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
